#include "input/pixel_views.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <string_view>
#include <unordered_map>

namespace medanon::input {
namespace {

bool is_ybr(const std::string& photometric) { return photometric.rfind("YBR_", 0) == 0; }

// The PALETTE COLOR lookup tables (PS3.3 C.7.6.3.1.5) as one 8-bit BGR table per stored index.
std::vector<cv::Vec3b> palette_table(DcmItem& dataset, int max_index) {
  const DcmTagKey descriptors[] = {DCM_RedPaletteColorLookupTableDescriptor, DCM_GreenPaletteColorLookupTableDescriptor,
                                   DCM_BluePaletteColorLookupTableDescriptor};
  const DcmTagKey data[] = {DCM_RedPaletteColorLookupTableData, DCM_GreenPaletteColorLookupTableData,
                            DCM_BluePaletteColorLookupTableData};
  std::vector<cv::Vec3b> table(static_cast<std::size_t>(max_index) + 1, cv::Vec3b(0, 0, 0));
  for (int c = 0; c < 3; ++c) {
    Uint16 entries = 0, first = 0, bits = 16;
    dataset.findAndGetUint16(descriptors[c], entries, 0);
    dataset.findAndGetUint16(descriptors[c], first, 1);
    dataset.findAndGetUint16(descriptors[c], bits, 2);
    const long count = entries == 0 ? 65536 : entries;
    const Uint16* values = nullptr;
    unsigned long length = 0;
    if (dataset.findAndGetUint16Array(data[c], values, &length).bad() || values == nullptr || length == 0) continue;
    const bool packed_bytes = bits == 8 && static_cast<long>(length) * 2 >= count && static_cast<long>(length) < count;
    for (int index = 0; index <= max_index; ++index) {
      const long at = std::clamp<long>(index - first, 0, count - 1);
      int value = 0;
      if (packed_bytes) {
        value = reinterpret_cast<const Uint8*>(values)[std::min<long>(at, static_cast<long>(length) * 2 - 1)];
      } else {
        const Uint16 raw = values[std::min<long>(at, static_cast<long>(length) - 1)];
        value = bits == 8 ? (raw & 0xFF) : raw >> 8;
      }
      table[static_cast<std::size_t>(index)][2 - c] = static_cast<Uint8>(value);
    }
  }
  return table;
}

double first_value(DcmItem& dataset, const DcmTagKey& key, double fallback) {
  Float64 value = 0;
  return dataset.findAndGetFloat64(key, value, 0).good() ? value : fallback;
}

cv::Mat windowed(const cv::Mat& frame, DcmItem& dataset) {
  double low = 0, high = 0;
  cv::minMaxLoc(frame, &low, &high);
  Float64 center = 0, width = 0;
  if (dataset.findAndGetFloat64(DCM_WindowCenter, center, 0).good() &&
      dataset.findAndGetFloat64(DCM_WindowWidth, width, 0).good() && width >= 1) {
    const double slope = first_value(dataset, DCM_RescaleSlope, 1.0);
    const double intercept = first_value(dataset, DCM_RescaleIntercept, 0.0);
    if (slope != 0) {
      const double a = (center - width / 2 - intercept) / slope, b = (center + width / 2 - intercept) / slope;
      low = std::min(a, b);
      high = std::max(a, b);
    }
  }
  const double scale = high > low ? 255.0 / (high - low) : 1.0;
  cv::Mat out;
  frame.convertTo(out, CV_8U, scale, -low * scale);  // saturates outside the window
  return out;
}

cv::Mat eight_bit(const cv::Mat& colour) {
  if (colour.depth() == CV_8U) return colour;
  cv::Mat out;
  colour.convertTo(out, CV_8U, 1.0 / 257);
  return out;
}

}  // namespace

pixel::PixelImage frame_view(const DecodedPixels& pixels, const cv::Mat& frame, DcmItem& dataset, bool& view_is_stored) {
  const PixelDescription& d = pixels.description;
  pixel::PixelImage view;
  view.format = pixel::SourceFormat::dicom;
  view.monochrome1 = pixels.photometric == "MONOCHROME1";
  view_is_stored = false;
  if (d.palette()) {
    double high = 0;
    cv::minMaxLoc(frame, nullptr, &high);
    const std::vector<cv::Vec3b> table = palette_table(dataset, std::max(static_cast<int>(high), (1 << d.bits_stored) - 1));
    view.pixels.create(frame.size(), CV_8UC3);
    for (int y = 0; y < frame.rows; ++y) {
      cv::Vec3b* out = view.pixels.ptr<cv::Vec3b>(y);
      for (int x = 0; x < frame.cols; ++x) {
        const int index = frame.depth() == CV_8U ? frame.ptr<Uint8>(y)[x] : frame.ptr<Uint16>(y)[x];
        out[x] = table[static_cast<std::size_t>(index)];
      }
    }
    return view;
  }
  if (frame.channels() == 3) {
    const cv::Mat eight = eight_bit(frame);
    if (is_ybr(pixels.photometric)) {
      std::vector<cv::Mat> planes;
      cv::split(eight, planes);  // Y, Cb, Cr -> OpenCV's Y, Cr, Cb (full range, BT.601 as YBR_FULL)
      cv::Mat ycrcb;
      cv::merge(std::vector<cv::Mat>{planes[0], planes[2], planes[1]}, ycrcb);
      cv::cvtColor(ycrcb, view.pixels, cv::COLOR_YCrCb2BGR);
    } else {
      cv::cvtColor(eight, view.pixels, cv::COLOR_RGB2BGR);
    }
    return view;
  }
  if (frame.depth() == CV_16S) {
    view.pixels = windowed(frame, dataset);
    view.bits_stored = 8;
    return view;
  }
  view.pixels = frame;
  view.bits_stored = frame.depth() == CV_8U ? std::min(d.bits_stored, 8) : d.bits_stored;
  view_is_stored = true;
  return view;
}

void fill_black(cv::Mat& frame, const cv::Mat& mask, const DecodedPixels& pixels, DcmItem& dataset) {
  if (mask.empty() || cv::countNonZero(mask) == 0) return;
  const PixelDescription& d = pixels.description;
  const bool monochrome1 = pixels.photometric == "MONOCHROME1";
  if (d.palette()) {
    double high = 0;
    cv::minMaxLoc(frame, nullptr, &high);
    const std::vector<cv::Vec3b> table = palette_table(dataset, std::max(static_cast<int>(high), (1 << d.bits_stored) - 1));
    std::size_t darkest = 0;
    for (std::size_t i = 1; i < table.size(); ++i) {
      if (cv::sum(table[i])[0] < cv::sum(table[darkest])[0]) darkest = i;
    }
    frame.setTo(cv::Scalar::all(static_cast<double>(darkest)), mask);
    return;
  }
  if (frame.channels() == 3) {
    const double middle = frame.depth() == CV_8U ? 128 : 32768;
    frame.setTo(is_ybr(pixels.photometric) ? cv::Scalar(0, middle, middle) : cv::Scalar(0, 0, 0), mask);
    return;
  }
  double low = 0, high = 0;
  cv::minMaxLoc(frame, &low, &high);
  double black = 0;
  if (frame.depth() == CV_16S) {
    black = monochrome1 ? high : low;  // the frame's own darkest value (CT padding, air)
  } else {
    black = monochrome1 ? (1 << d.bits_stored) - 1 : 0;
  }
  frame.setTo(cv::Scalar::all(black), mask);
}

std::vector<std::uint8_t> native_bytes(const std::vector<cv::Mat>& frames, const DecodedPixels& pixels) {
  const PixelDescription& d = pixels.description;
  std::vector<std::uint8_t> bytes;
  const bool subsampled = pixels.photometric == "YBR_FULL_422" || pixels.photometric == "YBR_PARTIAL_422";
  for (const cv::Mat& stored : frames) {
    const cv::Mat frame = stored.isContinuous() ? stored : stored.clone();
    const std::size_t size = frame.total() * frame.elemSize();
    if (frame.channels() == 3 && subsampled) {
      for (int y = 0; y < frame.rows; ++y) {
        const cv::Vec3b* row = frame.ptr<cv::Vec3b>(y);
        for (int x = 0; x < frame.cols; x += 2) {
          const cv::Vec3b& a = row[x];
          const cv::Vec3b& b = x + 1 < frame.cols ? row[x + 1] : row[x];
          bytes.insert(bytes.end(), {a[0], b[0], a[1], a[2]});
        }
      }
    } else if (frame.channels() == 3 && d.planar_configuration == 1) {
      std::vector<cv::Mat> planes;
      cv::split(frame, planes);
      for (const cv::Mat& plane : planes) {
        const auto* start = plane.ptr<std::uint8_t>(0);
        bytes.insert(bytes.end(), start, start + plane.total() * plane.elemSize());
      }
    } else {
      const auto* start = frame.ptr<std::uint8_t>(0);
      bytes.insert(bytes.end(), start, start + size);
    }
  }
  if (bytes.size() % 2 == 1) bytes.push_back(0);  // PS3.5 7.1: even value length
  return bytes;
}

std::vector<int> first_equal_frame(const std::vector<cv::Mat>& frames) {
  std::vector<int> first(frames.size());
  std::unordered_map<std::size_t, std::vector<int>> by_hash;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const cv::Mat frame = frames[i].isContinuous() ? frames[i] : frames[i].clone();
    const std::string_view bytes(reinterpret_cast<const char*>(frame.data), frame.total() * frame.elemSize());
    const std::size_t hash = std::hash<std::string_view>{}(bytes);
    first[i] = static_cast<int>(i);
    for (int candidate : by_hash[hash]) {
      if (cv::norm(frames[static_cast<std::size_t>(candidate)], frames[i], cv::NORM_INF) == 0) {
        first[i] = candidate;
        break;
      }
    }
    if (first[i] == static_cast<int>(i)) by_hash[hash].push_back(first[i]);
  }
  return first;
}

}  // namespace medanon::input
