#pragma once
// One item's way through the stages, on whichever rank claimed it:
//   read -> validate -> (DICOM) header de-identification -> burned-in text -> MAE -> write
// It never throws for a bad item: every failure becomes the item's status and reason in its
// record, and the job goes on. Outputs are written atomically under PHI-free names.

#include <opencv2/core.hpp>

#include <cstdint>
#include <string>

#include "audit/item_record.hpp"
#include "io/manifest.hpp"

namespace medanon::deid {
class FileDeidentifier;
}
namespace medanon::pixel {
class PixelPipeline;
}

namespace medanon::pipeline {

struct PipelineOptions {
  bool deid = true;   // DICOM header de-identification (issue #3)
  bool text = true;   // burned-in text detection and redaction (issue #4)
  bool mae = true;    // foreign-object maps (issue #5)
};

struct PipelineContext {
  std::string out;                   // output root
  const io::Manifest* manifest = nullptr;
  std::string path_hash_key;         // secret: keys the input-path hashes
  const deid::FileDeidentifier* deid = nullptr;  // DICOM header de-identification
  pixel::PixelPipeline* pixel = nullptr;         // one per rank (owns a Tesseract engine)
  PipelineOptions options;
  int rank = 0;
  int attempt = 0;
};

// With `model_input`, an item that ends ok also hands back its (redacted) grey pixels in
// MONOCHROME2 sense for the foreign-object stage, which the runner batches across items.
audit::ItemRecord process_item(std::int64_t index, const PipelineContext& context, cv::Mat* model_input = nullptr);

}  // namespace medanon::pipeline
