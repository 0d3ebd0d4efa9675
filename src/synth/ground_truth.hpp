#pragma once
// The corpus's ground truth, one JSON file per corpus (<out>/ground_truth.json); its schema is
// documented in the README ("Synthetic corpus"). Per image records are built where the image is
// rendered and travel to rank 0 as JSON text, so nlohmann/json stays out of this header.

#include <map>
#include <string>
#include <vector>

#include "synth/corpus_plan.hpp"
#include "synth/records.hpp"

namespace medanon::synth {

inline constexpr int kGroundTruthVersion = 1;

struct BadFile {
  std::string path;    // relative to the corpus root
  std::string defect;  // what is wrong with it
  std::string expect;  // what a pipeline must do: "reject" (input error) or "gate" (not medical)
};

// Where an image's hard-negative mask goes (relative to the corpus root), when the corpus has them.
std::string hard_negative_mask_path(int index);

// One image's record (a JSON object, serialised). With hard negatives in the corpus
// (hard_negative_fraction > 0) it also has `hard_negatives` [{kind, bbox}] and
// `hard_negative_mask`, the layout of tests/fo_render's corpus, which `evaluate fo` reads.
std::string image_record_json(const CorpusPlan& plan, const ImagePlan& image, const RenderedImage& rendered,
                              const std::map<std::string, std::string>& header_phi, const std::string& mask_path);

// The whole file: corpus options, patients (keys only), the image records ordered by index, the
// bad files. `image_records` are image_record_json outputs in any order.
std::string corpus_ground_truth_json(const CorpusPlan& plan, const std::vector<std::string>& image_records,
                                     const std::vector<BadFile>& bad_files);

}  // namespace medanon::synth
