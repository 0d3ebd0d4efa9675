#include "pipeline/item_pipeline.hpp"

#include <opencv2/imgproc.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <vector>

#include "audit/input_hash.hpp"
#include "core/errors.hpp"
#include "deid/file_deidentifier.hpp"
#include "deid/object_policy.hpp"
#include "input/dicom_item.hpp"
#include "input/file_kind.hpp"
#include "input/pixel_views.hpp"
#include "io/image_codecs.hpp"
#include "pixel/image_validation.hpp"
#include "pixel/pixel_pipeline.hpp"
#include "io/atomic_file.hpp"
#include "io/contained_path.hpp"
#include "io/image_header.hpp"
#include "io/png_encoding.hpp"

namespace medanon::pipeline {
namespace {

class StageClock {
 public:
  explicit StageClock(audit::ItemRecord& record) : record_(record), start_(std::chrono::steady_clock::now()) {}
  void lap(audit::Stage stage) {
    const auto now = std::chrono::steady_clock::now();
    record_.seconds[static_cast<int>(stage)] += std::chrono::duration<float>(now - start_).count();
    start_ = now;
  }

 private:
  audit::ItemRecord& record_;
  std::chrono::steady_clock::time_point start_;
};

// Output names carry no PHI: PadChest's own ImageDir/ImageID were chosen by PadChest to be
// anonymous; any other input is named by its keyed path hash, since hospital paths and file
// names often hold patient names.
std::string image_output_name(const io::ManifestItem& item, const std::string& hash, const std::string& extension) {
  if (!item.padchest_id.empty()) return "images/" + item.padchest_dir + "/" + item.padchest_id;
  return "images/" + hash.substr(0, 2) + "/" + hash + extension;
}

// Library messages may quote the file they failed on; the audit must not carry its path.
std::string without_path(std::string message, const std::string& path) {
  const std::string name = std::filesystem::path(path).filename().string();
  for (const std::string& secret : {path, name}) {
    if (secret.empty()) continue;
    for (size_t at = message.find(secret); at != std::string::npos; at = message.find(secret, at)) {
      message.replace(at, secret.size(), "<input>");
    }
  }
  return message;
}

// An input that cannot be processed, as its record: failed, with the reason, and not retried
// (it fails the same way on every attempt). Thrown exceptions are left for what is unexpected.
void mark_failed(audit::ItemRecord& record, const std::string& reason, const std::string& path) {
  record.status = audit::ItemStatus::failed;
  record.error = without_path(reason, path);
  record.retryable = false;
  record.output.clear();
}

// What the MAE sees: grey, MONOCHROME2 (bright bone), as written to --out (text redacted).
cv::Mat model_view(const pixel::PixelImage& image) {
  cv::Mat grey = image.pixels;
  if (grey.channels() == 3) cv::cvtColor(image.pixels, grey, cv::COLOR_BGR2GRAY);
  if (grey.channels() == 4) cv::cvtColor(image.pixels, grey, cv::COLOR_BGRA2GRAY);
  if (image.monochrome1) {
    cv::Mat inverted;
    cv::subtract(cv::Scalar::all(image.max_value()), grey, inverted);
    return inverted;
  }
  return grey;  // shares the pixels: nothing writes to them after this point
}

// The words one pixel-stage pass found, appended to the record (frames of one item add up).
void record_text(const pixel::PixelResult& result, audit::ItemRecord& record) {
  for (const auto& word : result.text) {
    audit::TextBoxRecord box;
    box.x = word.box.x;
    box.y = word.box.y;
    box.width = word.box.width;
    box.height = word.box.height;
    box.detector = word.found_by == pixel::Detector::tesseract ? 1
                   : word.found_by == pixel::Detector::stroke  ? 2
                   : word.found_by == pixel::Detector::learned ? 4
                   : word.found_by == pixel::Detector::stored  ? 5
                                                               : 3;
    box.phi = word.phi ? 1 : 0;
    box.action = word.action == pixel::TextAction::redacted ? 1 : word.action == pixel::TextAction::review ? 2 : 0;
    box.confidence = word.confidence;
    record.boxes.push_back(box);
  }
  record.text_found += static_cast<std::int32_t>(result.text.size());
  record.text_redacted += result.redacted;
  record.text_flagged += result.review;
}

// Stages 1-6 of the pixel pipeline (validate, gate, border enhancement, text detection, PHI
// matching, redaction), copied into the record. Returns the result for the writer.
pixel::PixelResult run_pixel_stages(const io::ManifestItem& item, audit::ItemRecord& record, StageClock& clock,
                                    const PipelineContext& context) {
  // PadChest rows name the patient and study: burned-in text matching them is PHI.
  pixel::PixelResult result = context.pixel->process_file(item.path, item.identifying);
  record.seconds[static_cast<int>(audit::Stage::read)] += static_cast<float>(result.seconds_read);
  clock.lap(audit::Stage::text);
  record.seconds[static_cast<int>(audit::Stage::text)] -= static_cast<float>(result.seconds_read);
  if (result.status == pixel::ImageStatus::invalid) return result;  // the caller records why
  record.gate = result.status == pixel::ImageStatus::not_medical ? "rejected" : pixel::to_string(result.gate.anatomy);
  record_text(result, record);
  return result;
}

void process_image(const io::ManifestItem& item, audit::ItemRecord& record, StageClock& clock, const PipelineContext& context,
                   cv::Mat* model_input) {
  cv::Mat pixels;
  if (context.pixel != nullptr && context.options.text) {
    pixel::PixelResult result = run_pixel_stages(item, record, clock, context);
    if (result.status == pixel::ImageStatus::invalid) return mark_failed(record, result.reason, item.path);
    if (result.status == pixel::ImageStatus::not_medical) {
      record.status = audit::ItemStatus::rejected;
      record.error = without_path(result.reason, item.path);
      return;
    }
    pixels = result.image.pixels;
    if (model_input != nullptr) *model_input = model_view(result.image);
  } else {
    pixels = io::decode_image_bytes(io::read_bytes(item.path), cv::IMREAD_UNCHANGED);  // by bytes, header checked
    clock.lap(audit::Stage::read);
    if (pixels.empty()) return mark_failed(record, "not a decodable image", item.path);
    if (model_input != nullptr) {
      pixel::PixelImage image;
      image.pixels = pixels;
      image.bits_stored = pixels.depth() == CV_16U ? 16 : 8;
      *model_input = model_view(image);
    }
  }
  if (pixels.depth() != CV_8U && pixels.depth() != CV_16U) return mark_failed(record, "unsupported pixel depth", item.path);
  clock.lap(audit::Stage::validate);
  // Re-encoding from decoded pixels drops every metadata chunk (PNG tEXt/iTXt, EXIF), where
  // exporting software leaves names and dates. JPEG stays JPEG (quality 95, as the seed).
  const std::string extension = std::filesystem::path(item.path).extension().string();
  const bool jpeg = extension == ".jpg" || extension == ".jpeg" || extension == ".JPG" || extension == ".JPEG";
  std::vector<std::uint8_t> bytes;
  if (jpeg || !io::png_encodable(pixels)) {
    // Alpha or other layouts our encoder leaves alone (only without the text stage) go through OpenCV.
    const std::vector<int> params = jpeg ? std::vector<int>{cv::IMWRITE_JPEG_QUALITY, 95} : std::vector<int>{};
    if (!io::image_encode(jpeg ? ".jpg" : ".png", pixels, bytes, params)) throw InternalError("image encoding failed");
  } else {
    const int level = context.pixel != nullptr ? context.pixel->options().png_compression : pixel::PixelOptions{}.png_compression;
    bytes = io::encode_png(pixels, level);
  }
  record.output = image_output_name(item, record.input_hash, jpeg ? ".jpg" : ".png");
  io::require_under(context.out, context.out + "/" + record.output, "an image output");
  io::write_bytes_atomically(context.out + "/" + record.output, bytes);
  clock.lap(audit::Stage::write);
  record.status = audit::ItemStatus::ok;
}

// The pixel stages over every frame of a decoded DICOM image. Each distinct frame is scanned
// once through the view the stages handle (input/pixel_views.hpp); a box redacted in any frame
// is filled in every frame (a cine's burned-in label sits in the same place throughout).
struct FrameStages {
  bool failed = false;        // a frame the stages cannot take (too large)
  bool rejected = false;      // the gate said the (first) frame is not a medical image
  std::string reason;         // why failed or rejected
  bool cleaned = false;       // nothing flagged for review in any frame
  std::vector<cv::Mat> new_frames;  // empty when nothing was redacted
  cv::Mat model_input;
};

FrameStages run_frame_stages(input::DicomItem& dicom, const input::DecodedPixels& decoded, const io::ManifestItem& item,
                             audit::ItemRecord& record, const PipelineContext& context, bool want_model_input) {
  FrameStages outcome;
  // The gate reads Modality and the body part from the header (pixel/medical_gate.hpp).
  const std::map<std::string, std::string> header = input::header_strings(dicom.dataset());
  pixel::IdentifyingValues values = header;
  values.insert(item.identifying.begin(), item.identifying.end());
  const std::vector<int> first = input::first_equal_frame(decoded.frames);
  cv::Mat union_mask;
  cv::Mat stored_redacted;  // the single-frame unsigned grey case: redacted in the stored values
  int review = 0, redacted = 0;
  for (std::size_t f = 0; f < decoded.frames.size(); ++f) {
    if (first[f] != static_cast<int>(f)) continue;
    bool view_is_stored = false;
    pixel::PixelImage view = input::frame_view(decoded, decoded.frames[f], dicom.dataset(), view_is_stored);
    if (const std::string problem = pixel::size_problem(view.pixels, context.pixel->options().limits); !problem.empty()) {
      outcome.failed = true;
      outcome.reason = problem;
      return outcome;
    }
    if (view_is_stored) view.pixels = view.pixels.clone();  // the stages write into it
    view.header = header;
    pixel::PixelResult result = context.pixel->process_image(std::move(view), values);
    if (f == 0) {
      record.gate = result.status == pixel::ImageStatus::not_medical ? "rejected" : pixel::to_string(result.gate.anatomy);
      if (result.status == pixel::ImageStatus::not_medical) {
        outcome.rejected = true;
        outcome.reason = result.reason;
        return outcome;
      }
      if (want_model_input) outcome.model_input = model_view(result.image);
    }
    record_text(result, record);
    review += result.review;
    redacted += result.redacted;
    if (!result.redaction_mask.empty()) {
      if (union_mask.empty()) union_mask = cv::Mat::zeros(result.redaction_mask.size(), CV_8UC1);
      cv::bitwise_or(union_mask, result.redaction_mask, union_mask);
    }
    if (view_is_stored && decoded.frames.size() == 1) stored_redacted = result.image.pixels;
  }
  outcome.cleaned = review == 0;
  if (redacted > 0 && !union_mask.empty()) {
    if (!stored_redacted.empty()) {
      outcome.new_frames = {stored_redacted};
    } else {
      for (const cv::Mat& frame : decoded.frames) {
        cv::Mat copy = frame.clone();
        input::fill_black(copy, union_mask, decoded, dicom.dataset());
        outcome.new_frames.push_back(std::move(copy));
      }
    }
  }
  return outcome;
}

// DICOM: parsed once (input/), pixel stages on every frame of an image, then the header
// de-identification stage writes <out>/dicom/<pseudo-patient>/<study>/<series>/<sop>.dcm
// atomically (PHI-free names from the pseudonymised UIDs). Non-image objects (SR, RT, ...) get
// the header stage only (deid/object_policy.hpp).
void process_dicom(const io::ManifestItem& item, audit::ItemRecord& record, StageClock& clock, const PipelineContext& context,
                   cv::Mat* model_input) {
  if (context.deid == nullptr || !context.options.deid) {
    return mark_failed(record, "DICOM input needs the header de-identification stage, which this job disabled", item.path);
  }
  input::LoadResult loaded = input::load_dicom(item.path);
  if (!loaded.ok) return mark_failed(record, loaded.reason, item.path);
  input::DicomItem& dicom = loaded.item;
  clock.lap(audit::Stage::read);
  const deid::ObjectPolicy policy = deid::object_policy(dicom.sop_class_uid, dicom.has_pixels);

  deid::FileRequest request;
  request.input_path = item.path;
  request.output_root = context.out + "/dicom";
  request.item = &dicom;
  input::DecodedPixels decoded;
  FrameStages frames;
  const bool text_stages = context.pixel != nullptr && context.options.text && policy.pixel_stages;
  if (text_stages || (model_input != nullptr && policy.pixel_stages)) {
    decoded = input::decode_pixels(dicom, context.pixel != nullptr ? context.pixel->options().limits.max_pixels
                                                                   : pixel::ImageLimits{}.max_pixels);
    clock.lap(audit::Stage::validate);
    if (!decoded.ok) return mark_failed(record, decoded.reason, item.path);
  }
  if (text_stages) {
    frames = run_frame_stages(dicom, decoded, item, record, context, model_input != nullptr);
    clock.lap(audit::Stage::text);
    if (frames.failed) return mark_failed(record, frames.reason, item.path);
    if (frames.rejected) {
      record.status = audit::ItemStatus::rejected;
      record.error = without_path(frames.reason, item.path);
      return;
    }
    // Redacted pixels go back through the de-identifier, which re-encodes them losslessly in
    // the source syntax; BurnedInAnnotation becomes NO only when no PHI is known to remain.
    if (!frames.new_frames.empty()) {
      request.new_frames = &frames.new_frames;
      request.decoded = &decoded;
    }
    request.pixels_cleaned = frames.cleaned;
    if (model_input != nullptr) *model_input = frames.model_input;
  } else if (model_input != nullptr && policy.pixel_stages && !decoded.frames.empty()) {
    bool shares = false;
    *model_input = model_view(input::frame_view(decoded, decoded.frames.front(), dicom.dataset(), shares)).clone();
  }
  const deid::FileResult result = context.deid->deidentify(request);
  clock.lap(audit::Stage::deid);
  if (result.duplicate) {
    // Never an overwrite: the first input's output stays, this one is recorded.
    record.status = audit::ItemStatus::rejected;
    record.error = result.error;
    return;
  }
  if (!result.ok) return mark_failed(record, result.error, item.path);
  record.tags_changed = result.pseudonyms.attributes_changed;
  record.output = std::filesystem::path(result.output_path).lexically_relative(context.out).string();
  record.status = audit::ItemStatus::ok;
}

}  // namespace

audit::ItemRecord process_item(std::int64_t index, const PipelineContext& context, cv::Mat* model_input) {
  const io::ManifestItem& item = context.manifest->items.at(static_cast<size_t>(index));
  audit::ItemRecord record;
  record.item = index;
  record.rank = context.rank;
  record.attempt = context.attempt;
  record.input_hash = audit::input_path_hash(context.path_hash_key, item.path);
  StageClock clock(record);
  try {
    switch (item.kind) {
      case io::InputKind::png:
      case io::InputKind::other_image:
        process_image(item, record, clock, context, model_input);
        break;
      case io::InputKind::dicom:
        process_dicom(item, record, clock, context, model_input);
        break;
      case io::InputKind::unknown:
        // A bare DICOM dataset (no preamble, no meta header) has no signature the manifest knows.
        if (input::sniff_file(item.path) == input::FileKind::dicom_bare) {
          process_dicom(item, record, clock, context, model_input);
          break;
        }
        mark_failed(record, "not a DICOM file or a supported image", item.path);
        break;
    }
  } catch (const std::exception& e) {
    // Only the unexpected is thrown (a library, I/O, memory): it may not recur, so the next
    // attempt retries it once. A bad item never stops the job; no output of it survives
    // (writes are atomic).
    mark_failed(record, e.what(), item.path);
    record.retryable = dynamic_cast<const InputError*>(&e) == nullptr;
  }
  if (model_input != nullptr && record.status != audit::ItemStatus::ok) model_input->release();
  return record;
}

}  // namespace medanon::pipeline
