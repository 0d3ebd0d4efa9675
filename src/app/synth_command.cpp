// `medanon synth`: the synthetic PadChest + DICOM-archive corpus with exact ground truth.

#include <cstdio>
#include <memory>

#include "app/command.hpp"
#include "core/exit_codes.hpp"
#include "core/log.hpp"
#include "synth/corpus.hpp"

namespace medanon::app {

Command setup_synth(CLI::App& parent) {
  auto options = std::make_shared<synth::SynthJobOptions>();
  CLI::App* command = parent.add_subcommand(
      "synth", "generate a synthetic corpus: PadChest-like PNGs + CSV, a DICOM archive, bad files, ground truth");
  add_config_option(*command, "configs/synth.toml");
  command->add_option("--out", options->out, "corpus root folder")->required();
  command->add_option("--count", options->corpus.count, "number of images (PNG + DICOM)")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  command->add_option("--seed", options->corpus.seed, "random seed; the same seed gives the same bytes")
      ->capture_default_str();
  command->add_option("--size", options->corpus.size, "nominal image height in pixels (each image varies +-10 %)")
      ->check(CLI::Range(128, 4096))
      ->capture_default_str();
  command->add_option("--dicom-fraction", options->corpus.dicom_fraction, "share of images written as DICOM files")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  command->add_option("--hard-negative-fraction", options->corpus.hard_negative_fraction,
                      "share of images with hard negatives (calcified granulomas and nodes, aortic calcification, "
                      "bone islands; ground_truth/hard_negatives/); 0: none")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  command->add_option("--object-fraction", options->corpus.object_fraction, "share of images with foreign objects")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  command
      ->add_option_function<std::string>(
          "--object-kinds", [options](const std::string& kinds) { options->corpus.all_object_kinds = kinds == "all"; },
          "classic: the ten kinds every published figure was measured on; all: eight more (ports, Swan-Ganz "
          "catheters, tracheostomy tubes, shoulder prostheses, vertebral cement, aortic stent grafts, metal "
          "fragments, ECG electrodes)")
      ->check(CLI::IsMember({"classic", "all"}))
      ->default_str("classic");
  command->add_option("--eight-bit-fraction", options->corpus.eight_bit_fraction,
                      "share of images stored with 8 bits instead of 12-16")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  command->add_flag_callback("--no-text", [options] { options->corpus.burned_text = false; },
                             "no burned-in text except L/R markers: a text-free corpus (every altered pixel is damage)");
  command->add_flag_callback("--no-bad-files", [options] { options->bad_files = false; },
                            "do not write the deliberately broken files to <out>/bad");
  command->add_flag("--archive-objects", options->archive_objects,
                    "also write <out>/archive_objects: a signed CT, J2K MR, multi-frame US or SR with free-text PHI "
                    "and charset variants beside each DICOM file (planted values in ground_truth.json)")
      ->capture_default_str();
  command->add_flag("--overwrite", options->overwrite, "replace a corpus already in --out")->capture_default_str();

  auto run = [options](const mpi::Communicator& comm) {
    const synth::SynthSummary s = synth::generate_corpus(*options, comm);
    if (comm.is_root()) {
      std::printf(
          "synth: %d images (%d PadChest PNG, %d DICOM), %d with foreign objects, %d text boxes (%d PHI), "
          "%d bad files in %.1f s on %d rank(s)\n"
          "synth: corpus in %s (ground truth: %s/ground_truth.json)\n",
          s.images, s.padchest_images, s.dicom_files, s.with_foreign_objects, s.text_boxes, s.phi_text_boxes,
          s.bad_files, s.seconds, comm.size(), options->out.c_str(), options->out.c_str());
      std::fflush(stdout);
    }
    return to_int(ExitCode::ok);
  };
  return {command, run};
}

}  // namespace medanon::app
