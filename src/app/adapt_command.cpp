// `medanon adapt`: site adaptation in one command (issue #15). A model trained on one corpus does
// not transfer to a site's own images (other detectors, tone curves, anatomy): fine-tune it on
// the site's images known to be normal, then calibrate the z-map scoring on normal images of
// patients the fine-tuning never saw, and write the pair that `anonymize --mae-checkpoint
// --mae-threshold-file` takes. Both steps run in the LibTorch plugin, data-parallel under
// mpirun/srun like `train` and `infer`.
//
//   <out>/train/                   the fine-tuning's checkpoints (a rerun resumes from them)
//   <out>/calibration/             the calibration run's maps, masks and scores
//   <out>/model.pth                the adapted weights
//   <out>/model.threshold.json     the calibration (+ model.threshold.stats.yml.gz); with the
//                                  object prior its score is object_peak and it names
//   <out>/object_prior.pth         the foreign-object prior it was calibrated with: fine-tuned on
//                                  the site's normals with synth's objects pasted in (a copy
//                                  of --object-prior with --object-prior-steps 0)
//   <out>/adapt-report.json        what was trained and calibrated on, and the results
//
// The patient split is train's own (split_by_patient with --seed and the fractions): training
// uses the training patients' negatives, the calibration the test patients' images labelled
// `normal` (PadChest's label for a study with no finding), so no patient is in both.

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "app/command.hpp"
#include "app/torch_plugin.hpp"
#include "core/errors.hpp"
#include "core/exit_codes.hpp"
#include "core/log.hpp"
#include "io/atomic_file.hpp"
#include "io/padchest_dataset.hpp"
#include "mae/training.hpp"
#include "plugin/torch_entry_points.hpp"

namespace medanon::app {
namespace {

namespace fs = std::filesystem;

struct AdaptOptions {
  mae::TrainOptions train;  // corpus, init checkpoint and the fine-tuning's settings
  std::string out;
  double calibration_percentile = 85;
  int trials = 4;
  // The foreign-object prior calibrated with the MAE (copied to <out>/object_prior.pth, which the
  // threshold file names); "none", or the default file missing: the MAE alone (z_peak).
  std::string object_prior = "models/fo_prior_synth.pth";
  bool object_prior_given = false;  // named on the command line or in a config: missing is then an error
  // Steps of the prior's fine-tuning on the site's normals with synth's objects pasted in
  // (mae/prior_adaptation.hpp); 0: the prior as given.
  int object_prior_steps = 800;
  std::string object_prior_kinds = "classic";  // synth's object kinds pasted in: classic or all
};

// The site's patients split as `train` splits them (its --seed and fractions).
io::PatientSplit site_split(const mae::TrainOptions& train) {
  const auto images = io::read_padchest_csv(train.corpus + "/padchest/padchest_labels.csv");
  return io::split_by_patient(images, train.seed, train.train_fraction, train.validation_fraction);
}

// The images the MAE fine-tunes on (the training patients' negatives), relative to <corpus>/padchest.
std::vector<std::string> training_images(const io::PatientSplit& split) {
  std::vector<std::string> paths;
  for (const auto& image : split.train) paths.push_back(image.relative_path());
  return paths;
}

// The held-apart patients' normal images, relative to <corpus>/padchest.
std::vector<std::string> calibration_images(const io::PatientSplit& split) {
  std::vector<std::string> paths;
  for (const auto& image : split.test) {
    if (image.normal && !image.has_foreign_object()) paths.push_back(image.relative_path());
  }
  return paths;
}

nlohmann::json report_of(const AdaptOptions& o, const mae::TrainSummary& s, const mae::PriorAdaptationSummary& prior,
                         std::size_t calibration_count, const std::string& threshold_file) {
  std::ifstream in(threshold_file);
  const auto calibration = nlohmann::json::parse(in);
  return {{"corpus", o.train.corpus},
          {"init_checkpoint", o.train.init_checkpoint},
          {"model", o.train.model},
          {"training",
           {{"epochs", s.epochs_done},
            {"iterations", s.iterations},
            {"last_epoch_loss", s.last_epoch_loss},
            {"train_images", s.train_images},
            {"validation_images", s.validation_images},
            {"weights_digest", s.weights_digest}}},
          {"object_prior",
           {{"base", o.object_prior},
            {"site_steps", prior.steps},
            {"site_images", prior.site_images},
            {"object_layers", prior.object_layers},
            {"first_loss", prior.first_loss},
            {"last_loss", prior.last_loss},
            {"kept_from_an_earlier_run", prior.reused}}},
          {"calibration",
           {{"normal_images", calibration_count},
            {"percentile", o.calibration_percentile},
            {"score", calibration.value("score", "")},
            {"threshold", calibration.value("threshold", -1.0)}}},
          {"outputs", {{"checkpoint", o.out + "/model.pth"}, {"threshold_file", o.out + "/model.threshold.json"}}}};
}

// The prior the calibration uses, in <out> so that the model, its threshold file and the prior it
// names move together: fine-tuned on the site (mae/prior_adaptation.hpp), or with
// --object-prior-steps 0 a copy; "none" when there is none (the default file missing is a
// warning, the tool runs degraded: a checkout run from elsewhere, or a site that removed it).
// Collective: the fine-tuning is (see its contract); rank 0 copies, a failed copy throws on
// every rank.
std::string adapted_object_prior(const AdaptOptions& o, const io::PatientSplit& split,
                                 mae::PriorAdaptationSummary& summary, const mpi::Communicator& comm) {
  if (o.object_prior == "none" || o.object_prior.empty()) return "none";
  if (!fs::exists(o.object_prior)) {
    if (o.object_prior_given) {
      throw InputError("adapt: --object-prior " + o.object_prior + " does not exist", Scope::all_ranks);
    }
    {
      log::warn("adapt: DEGRADED: no object prior at " + o.object_prior +
                " (run from the checkout, or scripts/train-fo-prior.sh): calibrating the MAE alone (z_peak)");
    }
    return "none";
  }
  const std::string adapted = o.out + "/object_prior.pth";
  if (o.object_prior_steps == 0) {
    comm.run_on_root("adapt: copying the object prior", [&] {
      io::write_atomically(adapted, [&](const std::string& temporary) {
        fs::copy_file(o.object_prior, temporary, fs::copy_options::overwrite_existing);
      });
    });
    return adapted;
  }
  mae::PriorAdaptationOptions p;
  p.base_prior = o.object_prior;
  p.out = adapted;
  p.root = o.train.corpus + "/padchest";
  p.images = training_images(split);
  p.steps = o.object_prior_steps;
  p.all_object_kinds = o.object_prior_kinds == "all";
  p.seed = o.train.seed;
  p.threads = o.train.threads;
  p.device = o.train.device;
  summary = torch_plugin().adapt_object_prior(p, comm);
  if (comm.is_root() && !summary.reused) {
    std::printf(
        "adapt: object prior fine-tuned on the site: %d steps on %zu normal images with %zu synth images' "
        "objects pasted in, loss %.4f, %.0f s\n",
        summary.steps, summary.site_images, summary.object_layers, summary.last_loss, summary.seconds);
    std::fflush(stdout);
  }
  return adapted;
}

int run_adapt(const AdaptOptions& o, const mpi::Communicator& comm) {
  mae::TrainOptions train = o.train;
  if (train.init_checkpoint == "none") train.init_checkpoint.clear();  // fresh weights
  train.out = o.out + "/train";
  train.resume = true;  // a rerun (after a kill, a requeue, a time limit) continues where it stopped
  const auto s = torch_plugin().train(train, comm, [](const std::string& line) { log::info("adapt: train: " + line); });
  if (s.interrupted) {
    if (comm.is_root()) std::printf("adapt: STOPPED during fine-tuning after %lld steps (run again to resume)\n",
                                    static_cast<long long>(s.iterations));
    return to_int(ExitCode::interrupted);
  }

  plugin::InferOptions calibrate;
  calibrate.input = o.train.corpus + "/padchest";
  calibrate.out = o.out + "/calibration";
  const io::PatientSplit split = site_split(o.train);
  calibrate.images = calibration_images(split);
  calibrate.calibrate = o.out + "/model.threshold.json";
  calibrate.calibration_percentile = o.calibration_percentile;
  calibrate.detector.checkpoint = s.exported;
  calibrate.detector.device = o.train.device;
  calibrate.detector.threads = o.train.threads;
  calibrate.detector.intensity = o.train.intensity;  // the mapping the model was fine-tuned with
  calibrate.detector.trials = o.trials;
  calibrate.detector.seed = o.train.seed;
  mae::PriorAdaptationSummary prior;
  calibrate.detector.object_prior = adapted_object_prior(o, split, prior, comm);
  if (calibrate.images.size() < 4) {
    throw InputError("adapt: the held-apart patients have " + std::to_string(calibrate.images.size()) +
                         " normal images; calibration needs at least 4 (lower --train-fraction or add images)",
                     Scope::all_ranks);
  }
  if (comm.is_root()) {
    log::info("adapt: calibrating on " + std::to_string(calibrate.images.size()) +
              " normal images of patients held apart from the fine-tuning");
  }
  const int code = torch_plugin().infer(calibrate, comm);
  if (code != to_int(ExitCode::ok)) return code;

  comm.run_on_root("adapt: writing the adapted model", [&] {
    io::write_atomically(o.out + "/model.pth", [&](const std::string& temporary) {
      fs::copy_file(s.exported, temporary, fs::copy_options::overwrite_existing);
    });
    io::write_text_atomically(o.out + "/adapt-report.json",
                              report_of(o, s, prior, calibrate.images.size(), calibrate.calibrate).dump(2) + "\n");
  });
  if (comm.is_root()) {
    std::printf("adapt: complete: %s and %s (fine-tuned %d epochs, loss %.5f; calibrated on %zu normal images); "
                "report %s/adapt-report.json\n",
                (o.out + "/model.pth").c_str(), calibrate.calibrate.c_str(), s.epochs_done, s.last_epoch_loss,
                calibrate.images.size(), o.out.c_str());
    std::fflush(stdout);
  }
  return to_int(ExitCode::ok);
}

}  // namespace

Command setup_adapt(CLI::App& parent) {
  auto o = std::make_shared<AdaptOptions>();
  CLI::App* command = parent.add_subcommand(
      "adapt", "fine-tune the MAE on a site's normal images and calibrate it on held-apart patients (one job)");
  add_config_option(*command, "configs/adapt.toml");
  mae::TrainOptions& t = o->train;
  command->add_option("--corpus", t.corpus, "the site's folder holding padchest/padchest_labels.csv and the images")
      ->required();
  command->add_option("--out", o->out, "output folder (model.pth, model.threshold.json, adapt-report.json)")->required();
  t.init_checkpoint = "models/mae_small_synth.pth";
  command->add_option("--init-checkpoint", t.init_checkpoint, "weights to start from (shipped or brats_pretrained.pth; none: fresh weights)")
      ->capture_default_str();
  command->add_option("--model", t.model, "architecture of the weights")->capture_default_str();
  command->add_option("--device", t.device, "cpu, cuda or auto")->check(CLI::IsMember({"cpu", "cuda", "auto"}))->capture_default_str();
  command->add_option("--threads", t.threads, "torch threads per rank")->check(CLI::Range(1, 256))->capture_default_str();
  command->add_option("--epochs", t.epochs, "fine-tuning epochs")->check(CLI::Range(1, 100000))->capture_default_str();
  command->add_option("--warmup-epochs", t.warmup_epochs, "linear warmup epochs")->check(CLI::Range(0, 100000))->capture_default_str();
  command->add_option("--batch-size", t.batch_size, "images per step per rank")->check(CLI::Range(1, 4096))->capture_default_str();
  command->add_option("--blr", t.blr, "base learning rate: lr = blr * global batch / 256")->capture_default_str();
  command->add_option("--mask-ratio", t.mask_ratio, "share of patches removed")->check(CLI::Range(0.0, 0.99))->capture_default_str();
  command->add_option("--seed", t.seed, "weights' noise, patient split, data order, masks")->capture_default_str();
  command->add_option("--intensity", t.intensity, "16-bit to 8-bit mapping: min-max or percentile")
      ->check(CLI::IsMember({"min-max", "percentile"}))
      ->capture_default_str();
  command->add_option("--train-fraction", t.train_fraction, "share of patients for fine-tuning")
      ->check(CLI::Range(0.05, 0.95))
      ->capture_default_str();
  command->add_option("--validation-fraction", t.validation_fraction, "share of patients for validation")
      ->check(CLI::Range(0.0, 0.9))
      ->capture_default_str();
  command->add_option("--calibration-percentile", o->calibration_percentile, "z_peak percentile of normal images")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  command->add_option("--object-prior", o->object_prior,
                      "foreign-object prior calibrated with the MAE (object_peak), copied to --out; none: the MAE alone")
      ->capture_default_str();
  command->add_option("--object-prior-steps", o->object_prior_steps,
                      "steps fine-tuning the prior on the site's normals with synth's objects pasted in (0: the prior as given)")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  command->add_option("--object-prior-kinds", o->object_prior_kinds,
                      "synth's object kinds pasted in: classic (its ten) or all (eighteen)")
      ->check(CLI::IsMember({"classic", "all"}))
      ->capture_default_str();
  command->add_option("--trials", o->trials, "grid-masking trials of the calibration")->check(CLI::Range(1, 64))->capture_default_str();
  command->add_option("--max-minutes", t.max_minutes, "checkpoint and stop (exit 6) after the step that passes this")
      ->capture_default_str();
  command->add_option("--checkpoint-every", t.checkpoint_every, "steps between checkpoints besides epoch ends")
      ->capture_default_str();
  command->add_option("--log-every", t.log_every, "steps between progress lines")->capture_default_str();
  auto run = [o, command](const mpi::Communicator& comm) -> int {
    o->object_prior_given = command->count("--object-prior") > 0;
    if (o->train.warmup_epochs > o->train.epochs) throw UsageError("--warmup-epochs exceeds --epochs", Scope::all_ranks);
    if (o->train.train_fraction + o->train.validation_fraction >= 1.0) {
      throw UsageError("--train-fraction + --validation-fraction must leave patients for the calibration",
                       Scope::all_ranks);
    }
    return run_plugin_command([&] { return run_adapt(*o, comm); });
  };
  return {command, run};
}

}  // namespace medanon::app
