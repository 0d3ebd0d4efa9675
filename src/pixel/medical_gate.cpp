#include "pixel/medical_gate.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <optional>

namespace medanon::pixel {
namespace {

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

std::string header_value(const PixelImage& image, const std::string& keyword) {
  const auto found = image.header.find(keyword);
  return found == image.header.end() ? std::string() : upper(found->second);
}

bool contains_any(const std::string& text, const std::vector<const char*>& words) {
  return std::any_of(words.begin(), words.end(), [&](const char* w) { return text.find(w) != std::string::npos; });
}

// Body part from DICOM's own words: BodyPartExamined (PS3.16 CID 4031 code meanings) first,
// then the free-text descriptions, which hospitals fill in their own language (PadChest's
// are Spanish: "RX TORAX").
std::optional<Anatomy> anatomy_from_header(const PixelImage& image, std::string& why) {
  const std::string modality = header_value(image, "Modality");
  if (modality == "IO" || modality == "PX") {
    why = "Modality " + modality + " (intra-oral / panoramic dental)";
    return Anatomy::dental;
  }
  for (const char* keyword : {"BodyPartExamined", "StudyDescription", "SeriesDescription", "ProtocolName"}) {
    const std::string text = header_value(image, keyword);
    if (text.empty()) continue;
    why = std::string(keyword) + " '" + text + "'";
    if (contains_any(text, {"CHEST", "THORAX", "TORAX", "LUNG", "PULMON"})) return Anatomy::chest;
    if (contains_any(text, {"SKULL", "HEAD", "BRAIN", "CRANEO", "CRANI", "SINUS", "FACE"})) return Anatomy::skull;
    if (contains_any(text, {"TEETH", "TOOTH", "DENTAL", "JAW", "MANDIBLE", "MAXILLA", "ORTHOPANT"}))
      return Anatomy::dental;
    if (contains_any(text, {"PELVIS", "PELVIC", "HIP", "SACRUM", "CADERA"})) return Anatomy::pelvic;
  }
  return std::nullopt;
}

// Modalities that name an acquisition device (PS3.3 C.7.3.1.1.1): such a file is a medical
// image by its header, however its pixels look. A CT slice's padding and air, or an MR phantom's
// constant frames, fill most of the picture with one grey level; the blank-page rule is for
// secondary captures and picture files, and rejecting a CT there loses it from the output.
bool acquisition_modality(const std::string& modality) {
  static const std::vector<const char*> kAcquisition = {
      "CR", "CT", "MR", "NM", "US", "PT", "DX", "MG", "XA", "RF", "RG", "IO", "PX", "OP", "OPT", "OCT", "IVUS",
      "IVOCT", "BMD", "DG", "LS", "TG", "HC", "BI", "RTIMAGE", "SM", "OPM", "OAM", "OSS"};
  return std::any_of(kAcquisition.begin(), kAcquisition.end(), [&](const char* m) { return modality == m; });
}

double saturated_fraction(const cv::Mat& bgr, int threshold) {
  cv::Mat high, low;
  std::vector<cv::Mat> channels;
  cv::split(bgr, channels);
  cv::max(channels[0], channels[1], high);
  cv::max(high, channels[2], high);
  cv::min(channels[0], channels[1], low);
  cv::min(low, channels[2], low);
  cv::Mat chroma = high - low;
  return static_cast<double>(cv::countNonZero(chroma > threshold)) / static_cast<double>(chroma.total());
}

// 8-bit, MONOCHROME2 sense, stretched between the 0.5th and 99.5th percentiles.
cv::Mat grey_overview(const PixelImage& image, const cv::Mat& grey) {
  cv::Mat small;
  const double scale = std::min(1.0, 256.0 / std::max(grey.cols, grey.rows));
  cv::resize(grey, small, cv::Size(), scale, scale, cv::INTER_AREA);
  double low = 0, high = 0;
  cv::minMaxLoc(small, &low, &high);
  cv::Mat out;
  small.convertTo(out, CV_8U, high > low ? 255.0 / (high - low) : 1.0, high > low ? -low * 255.0 / (high - low) : 0);
  if (image.monochrome1) out = 255 - out;
  return out;
}

double largest_level_fraction(const cv::Mat& grey8) {
  int histogram[256] = {};
  for (int y = 0; y < grey8.rows; ++y) {
    const auto* row = grey8.ptr<std::uint8_t>(y);
    for (int x = 0; x < grey8.cols; ++x) ++histogram[row[x]];
  }
  return static_cast<double>(*std::max_element(histogram, histogram + 256)) / static_cast<double>(grey8.total());
}

// Share of overview pixels whose gradient (Sobel, 8-bit levels) is strong: fine texture.
double edge_density(const cv::Mat& grey8) {
  cv::Mat gx, gy, magnitude;
  cv::Sobel(grey8, gx, CV_32F, 1, 0);
  cv::Sobel(grey8, gy, CV_32F, 0, 1);
  cv::magnitude(gx, gy, magnitude);
  // Sobel's 3x3 kernel weighs a step 4x: 160 is a step of about 40 levels between neighbours.
  return static_cast<double>(cv::countNonZero(magnitude > 160)) / static_cast<double>(grey8.total());
}

double share_above(const cv::Mat& grey8, int level) {
  return static_cast<double>(cv::countNonZero(grey8 > level)) / static_cast<double>(grey8.total());
}

}  // namespace

std::string colour_medical_kind(const cv::Mat& bgr) {
  cv::Mat small, hsv, grey;
  const double scale = std::min(1.0, 256.0 / std::max(bgr.cols, bgr.rows));
  cv::resize(bgr, small, cv::Size(), scale, scale, cv::INTER_AREA);
  cv::cvtColor(small, hsv, cv::COLOR_BGR2HSV);  // hue 0..180
  cv::cvtColor(small, grey, cv::COLOR_BGR2GRAY);
  long long saturated = 0, red_orange = 0, stain = 0, green = 0;
  for (int y = 0; y < hsv.rows; ++y) {
    for (int x = 0; x < hsv.cols; ++x) {
      const cv::Vec3b p = hsv.at<cv::Vec3b>(y, x);
      if (p[1] < 60 || p[2] < 40) continue;
      ++saturated;
      red_orange += p[0] <= 25 || p[0] >= 165;
      stain += p[0] <= 25 || p[0] >= 100;  // eosin pink, haematoxylin purple/blue, DAB brown
      green += p[0] >= 35 && p[0] <= 85;
    }
  }
  if (saturated < 0.05 * static_cast<double>(grey.total())) return "";
  const double share = 1.0 / static_cast<double>(saturated);
  // Fundus cameras image through a circular aperture: all four corners black, the disc lit.
  const int cw = std::max(1, grey.cols / 10), ch = std::max(1, grey.rows / 10);
  bool dark_corners = true;
  for (const cv::Point corner : {cv::Point(0, 0), cv::Point(grey.cols - cw, 0), cv::Point(0, grey.rows - ch),
                                 cv::Point(grey.cols - cw, grey.rows - ch)}) {
    dark_corners = dark_corners && cv::mean(grey(cv::Rect(corner, cv::Size(cw, ch))))[0] < 25;
  }
  const double centre = cv::mean(grey(cv::Rect(grey.cols / 4, grey.rows / 4, grey.cols / 2, grey.rows / 2)))[0];
  if (dark_corners && centre > 50 && red_orange * share >= 0.7) return "fundus photograph (lit disc in a black aperture)";
  if (share_above(grey, 200) >= 0.2 && stain * share >= 0.8 && green * share < 0.05)
    return "stained tissue (histology: stain hues on a bright slide)";
  return "";
}

const char* to_string(Anatomy anatomy) {
  switch (anatomy) {
    case Anatomy::chest: return "chest";
    case Anatomy::skull: return "skull";
    case Anatomy::dental: return "dental";
    case Anatomy::pelvic: return "pelvic";
    case Anatomy::other: return "other";
  }
  return "other";
}

cv::Mat grey_if_achromatic(const cv::Mat& pixels, int saturation_threshold) {
  if (pixels.channels() != 3 || saturated_fraction(pixels, saturation_threshold / 3) > 0) return pixels;
  cv::Mat grey;
  cv::cvtColor(pixels, grey, cv::COLOR_BGR2GRAY);
  return grey;
}

bool looks_like_chest_radiograph(const cv::Mat& grey8) {
  cv::Mat small;
  cv::resize(grey8, small, cv::Size(64, 64), 0, 0, cv::INTER_AREA);
  // Lung fields sit in the middle rows, either side of the midline; the image may be slightly
  // rotated or off-centre, so the windows are generous.
  auto window = [&](double x0, double x1) {
    return cv::mean(small(cv::Rect(cvRound(x0 * 64), cvRound(0.3 * 64), cvRound((x1 - x0) * 64), cvRound(0.3 * 64))))[0];
  };
  const double right_lung = window(0.18, 0.38), mediastinum = window(0.44, 0.56), left_lung = window(0.62, 0.82);
  const double darker = std::max(right_lung, left_lung);
  return mediastinum - darker > 12 && std::abs(right_lung - left_lung) < 0.5 * (mediastinum - std::min(right_lung, left_lung));
}

GateDecision gate_image(const PixelImage& image, const GateOptions& options) {
  GateDecision decision;
  const std::string modality = header_value(image, "Modality");
  const bool dicom = image.format == SourceFormat::dicom;
  if (dicom) decision.evidence.push_back("DICOM, Modality '" + modality + "'");

  cv::Mat grey = image.pixels;
  if (image.is_colour()) {
    decision.saturated_fraction = saturated_fraction(image.pixels, options.saturation_threshold);
    decision.evidence.push_back("colour samples, " + std::to_string(cvRound(100 * decision.saturated_fraction)) +
                                " % saturated");
    // Visible-light photography (XC, GM, ES) is in DICOM too, and is no radiograph.
    const bool photo_modality = modality == "XC" || modality == "GM" || modality == "ES";
    const std::string colour_medical = photo_modality || dicom ? "" : colour_medical_kind(image.pixels);
    if (!colour_medical.empty() && decision.saturated_fraction > options.max_saturated_fraction) {
      decision.medical = true;
      decision.reason = "colour medical image: " + colour_medical;
      decision.evidence.push_back(decision.reason);
      return decision;
    }
    if (photo_modality || (!dicom && decision.saturated_fraction > options.max_saturated_fraction)) {
      decision.reason = photo_modality ? "photographic DICOM modality " + modality
                                       : "colour photograph-like: " +
                                             std::to_string(cvRound(100 * decision.saturated_fraction)) +
                                             " % of pixels carry saturated colour";
      return decision;
    }
    cv::cvtColor(image.pixels, grey, cv::COLOR_BGR2GRAY);
  }
  const std::string photometric = header_value(image, "PhotometricInterpretation");
  if (!photometric.empty()) decision.evidence.push_back("PhotometricInterpretation " + photometric);

  const cv::Mat overview = grey_overview(image, grey);
  const double single_level = largest_level_fraction(overview);
  if (single_level > options.max_single_level_fraction) {
    const std::string share = std::to_string(cvRound(100 * single_level)) + " % of the pixels";
    if (!(dicom && acquisition_modality(modality))) {
      decision.reason = "nearly blank or document-like: one grey level holds " + share;
      return decision;
    }
    decision.evidence.push_back("one grey level holds " + share + " (background or constant frames; kept: Modality " +
                                modality + " is an acquisition)");
  }
  if (!dicom && image.bits_stored <= 8 && !image.is_colour()) {
    // Where greyscale photographs and scanned pages come in: 8-bit picture files.
    const double edges = edge_density(overview), bright = share_above(overview, 200);
    decision.evidence.push_back("edge density " + std::to_string(cvRound(1000 * edges) / 10.0).substr(0, 4) + " %, bright share " +
                                std::to_string(cvRound(100 * bright)) + " %");
    // Texture alone turned away a third of the 8-bit radiographs of an independent corpus
    // (docs/pixel-text.md, "Medical-image gate"): small, noisy films with grid lines and a hard
    // tone curve reach 10-17 % edge density (coins and gravel do too), collimated ones a page's
    // bright share. The chest's layout is the evidence texture cannot give: no photograph or
    // page of Debian's set has it.
    const bool document = bright >= options.document_bright_share && edges >= options.document_edge_density;
    const bool textured = edges > options.max_edge_density;
    if ((document || textured) && looks_like_chest_radiograph(overview)) {
      decision.evidence.push_back("edges or bright share of a photograph or page, but the layout of a chest radiograph");
    } else if (document) {
      decision.reason = "document-like: a bright page (" + std::to_string(cvRound(100 * bright)) +
                        " % near white) with dense fine strokes";
      return decision;
    } else if (textured) {
      decision.reason = "photograph-like: fine texture everywhere (" + std::to_string(cvRound(100 * edges)) +
                        " % of pixels on a strong edge; radiographs are smooth)";
      return decision;
    }
  }
  decision.medical = true;
  if (dicom) {
    decision.reason = "DICOM image, Modality '" + modality + "'";
  } else if (image.bits_stored > 8 && !image.is_colour()) {
    decision.reason = "16-bit greyscale samples (cameras and office scanners do not write these)";
  } else {
    decision.reason = "continuous-tone greyscale image";
  }

  std::string why;
  if (const auto from_header = anatomy_from_header(image, why)) {
    decision.anatomy = *from_header;
    decision.evidence.push_back("anatomy from " + why);
  } else if (looks_like_chest_radiograph(overview)) {
    decision.anatomy = Anatomy::chest;
    decision.evidence.push_back("anatomy from image: two dark lung fields beside a bright mediastinum");
  } else {
    decision.evidence.push_back("anatomy: no header or image evidence");
  }
  return decision;
}

}  // namespace medanon::pixel
