#include "synth/corpus.hpp"

#include <mpi.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "input/codecs.hpp"
#include "io/atomic_file.hpp"
#include "io/image_codecs.hpp"
#include "synth/archive_objects.hpp"
#include "synth/bad_files.hpp"
#include "synth/dicom_writer.hpp"
#include "synth/ground_truth.hpp"
#include "synth/padchest_csv.hpp"
#include "synth/radiograph.hpp"

namespace medanon::synth {
namespace {

namespace fs = std::filesystem;

// What a corpus folder holds; --overwrite removes exactly these and nothing else.
const std::vector<std::string> kCorpusEntries = {"padchest", "archive", "archive_objects", "bad", "ground_truth",
                                                 "ground_truth.json"};

// Rank 0 checks and prepares the output folder; the verdict is broadcast so every rank throws
// the same error (collective).
void prepare_output(const SynthJobOptions& options, const mpi::Communicator& comm) {
  comm.run_on_root("", [&] {
    const fs::path out(options.out);
    try {
      if (fs::exists(out) && !fs::is_directory(out)) throw InputError("--out " + options.out + " exists and is not a folder");
      if (fs::exists(out / "ground_truth.json") && !options.overwrite) {
        throw InputError("--out " + options.out + " already holds a corpus; pass --overwrite to replace it");
      }
      if (options.overwrite) {
        for (const auto& entry : kCorpusEntries) fs::remove_all(out / entry);
      }
      fs::create_directories(out / "ground_truth" / "masks");
    } catch (const fs::filesystem_error& e) {
      throw InputError(std::string("cannot prepare --out: ") + e.what());
    }
  });
}

std::vector<std::uint8_t> encode_png(const cv::Mat& image) {
  std::vector<std::uint8_t> bytes;
  if (!io::image_encode(".png", image, bytes)) throw InternalError("PNG encoding failed");
  return bytes;
}

std::vector<std::string> other_images_of_study(const CorpusPlan& plan, const ImagePlan& image) {
  std::vector<std::string> uids;
  for (const auto& other : plan.images) {
    if (other.layout == Layout::dicom && other.study == image.study && other.index != image.index) {
      uids.push_back(other.sop_instance_uid);
    }
  }
  return uids;
}

std::string render_and_write(const CorpusPlan& plan, const ImagePlan& image, const std::string& root,
                             bool archive_objects) {
  const RenderedImage rendered = render_radiograph(plan, image);
  std::map<std::string, std::string> header_phi;
  const std::string path = root + "/" + image.relative_path;
  if (image.layout == Layout::padchest) {
    io::write_bytes_atomically(path, encode_png(rendered.pixels));
  } else {
    Rng dicom_rng = Rng::stream(plan.options.seed, static_cast<std::uint64_t>(image.index), Stream::dicom);
    const DicomContext context{image, plan.patients.at(static_cast<size_t>(image.patient)),
                               plan.studies.at(static_cast<size_t>(image.study)),
                               plan.series.at(static_cast<size_t>(image.series)), other_images_of_study(plan, image)};
    io::write_atomically(path, [&](const std::string& temp) { header_phi = write_dicom(temp, context, rendered, dicom_rng); });
  }
  char mask_name[64];
  std::snprintf(mask_name, sizeof mask_name, "ground_truth/masks/%06d.png", image.index);
  io::write_bytes_atomically(root + "/" + mask_name, encode_png(rendered.object_mask));
  if (plan.options.hard_negative_fraction > 0) {
    io::write_bytes_atomically(root + "/" + hard_negative_mask_path(image.index), encode_png(rendered.hard_negative_mask));
  }
  const std::string record = image_record_json(plan, image, rendered, header_phi, mask_name);
  if (!archive_objects || image.layout != Layout::dicom) return record;
  nlohmann::json with_object = nlohmann::json::parse(record);
  with_object["archive_object"] = nlohmann::json::parse(write_archive_object(plan, image, rendered, root));
  return with_object.dump();
}

// Rank 0: the CSV, the ground truth and the bad files, from every rank's image records.
SynthSummary write_corpus_files(const CorpusPlan& plan, const SynthJobOptions& options,
                                const std::vector<std::string>& gathered) {
  SynthSummary summary;
  std::vector<std::string> records;
  std::vector<std::vector<std::string>> labels(plan.images.size());
  for (const auto& rank_text : gathered) {
    for (const auto& record : nlohmann::json::parse(rank_text)) {
      const auto index = record.at("index").get<size_t>();
      labels.at(index) = record.at("labels").get<std::vector<std::string>>();
      summary.with_foreign_objects += record.at("has_foreign_object").get<bool>() ? 1 : 0;
      for (const auto& box : record.at("text")) {
        ++summary.text_boxes;
        summary.phi_text_boxes += box.at("phi").get<bool>() ? 1 : 0;
      }
      records.push_back(record.dump());
    }
  }
  io::write_text_atomically(options.out + "/padchest/padchest_labels.csv", padchest_csv(plan, labels));
  const std::vector<BadFile> bad = options.bad_files ? write_bad_files(options.out, plan) : std::vector<BadFile>{};
  io::write_text_atomically(options.out + "/ground_truth.json", corpus_ground_truth_json(plan, records, bad));
  summary.bad_files = static_cast<int>(bad.size());
  return summary;
}

}  // namespace

SynthSummary generate_corpus(const SynthJobOptions& options, const mpi::Communicator& comm) {
  const double start = MPI_Wtime();
  validate(options.corpus);
  prepare_output(options, comm);
  input::register_codecs();
  const CorpusPlan plan = make_corpus_plan(options.corpus);

  // Records of this rank's images as one JSON array text; failures travel the same way.
  nlohmann::json mine = nlohmann::json::array();
  long long failures = 0;
  for (const auto& image : plan.images) {
    if (image.index % comm.size() != comm.rank()) continue;
    try {
      mine.push_back(nlohmann::json::parse(render_and_write(plan, image, options.out, options.archive_objects)));
    } catch (const std::exception& e) {
      ++failures;
      log::rank_error("image " + std::to_string(image.index) + " failed: " + e.what());
    }
  }
  if (comm.allreduce_sum(failures) > 0) {
    throw InternalError("synth: some images could not be rendered or written (see the rank errors above)",
                        Scope::all_ranks);
  }

  const std::vector<std::string> gathered = comm.gather_strings(mine.dump());
  // Rank 0 writes the corpus-level files; a failure there ends every rank with the same error
  // instead of leaving them waiting.
  SynthSummary summary;
  comm.run_on_root("synth: writing the corpus files failed",
                   [&] { summary = write_corpus_files(plan, options, gathered); });
  summary.images = static_cast<int>(plan.images.size());
  for (const auto& image : plan.images) {
    (image.layout == Layout::padchest ? summary.padchest_images : summary.dicom_files) += 1;
  }
  summary.seconds = MPI_Wtime() - start;
  return summary;
}

}  // namespace medanon::synth
