#pragma once
// What the anonymize job records for one item (one input file): the row of the audit table in
// the shared HDF5 file, its text boxes and its model-resolution maps. Nothing here may hold PHI:
// paths are hashed, values are counts, scores and PHI-free output names.

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace medanon::audit {

enum class ItemStatus : std::int8_t {
  ok = 0,        // processed; outputs written
  failed = 1,    // an input or stage error; `error` says why; no output
  rejected = 2,  // the medical-image gate said it is not a medical image; no output
  // Journal only, never an audit row: a rank began processing the item (written before it
  // starts, so an item that kills its rank is known: audit/journal.hpp).
  claimed = 3,
};

// Stages timed per item, in pipeline order.
enum class Stage : int { read = 0, validate, deid, text, mae, write, count };
inline constexpr int kStageCount = static_cast<int>(Stage::count);
const char* stage_name(Stage stage);

struct TextBoxRecord {
  std::int32_t x = 0, y = 0, width = 0, height = 0;
  std::int8_t detector = 0;   // bit 1: OCR (Tesseract), bit 2: stroke detector
  std::int8_t phi = 0;        // 1 when classified as PHI
  std::int8_t action = 0;     // 0 kept, 1 redacted, 2 flagged for review
  float confidence = 0;
};

inline constexpr int kMapSize = 224;  // model resolution of masks and anomaly maps

struct ItemRecord {
  std::int64_t item = -1;       // index in the manifest
  std::string input_hash;       // keyed hash of the input path (hex), never the path
  std::string output;           // output path relative to --out; empty when none
  ItemStatus status = ItemStatus::failed;
  std::string error;            // reason for failed / rejected
  // Journal only (not an audit column): a failure that may not recur (an I/O or resource error,
  // a model failure), retried once by the next attempt; input errors are deterministic.
  bool retryable = false;
  std::int32_t rank = -1;
  std::int32_t attempt = 0;     // which run (0 first, +1 per resume) processed it
  std::array<float, kStageCount> seconds{};
  std::int32_t tags_changed = 0;
  std::int32_t text_found = 0, text_redacted = 0, text_flagged = 0;
  float mask_score = -1;        // fraction of flagged pixels; -1 when the MAE did not run
  float z_peak = std::numeric_limits<float>::quiet_NaN();  // calibrated image score (anomaly/anomaly_calibration.hpp); NaN uncalibrated
  std::int8_t anomaly = -1;     // 1 foreign object suspected, 0 not, -1 not evaluated
  std::string gate;             // anatomy class ("chest", ...), or "" when the gate did not run
  std::vector<TextBoxRecord> boxes;
  std::vector<std::uint8_t> mask;  // kMapSize x kMapSize, or empty
  std::vector<float> anomaly_map;  // kMapSize x kMapSize, or empty
};

}  // namespace medanon::audit
