#include "synth/bad_files.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <opencv2/imgproc.hpp>

#include <cstring>
#include <filesystem>
#include <memory>

#include "core/errors.hpp"
#include "io/atomic_file.hpp"
#include "io/image_codecs.hpp"
#include "synth/dicom_writer.hpp"
#include "synth/radiograph.hpp"

namespace medanon::synth {
namespace {

// A small valid radiograph DICOM to break in different ways.
std::vector<std::uint8_t> small_valid_dicom(const std::string& scratch, const CorpusPlan& plan) {
  CorpusPlan tiny = plan;
  ImagePlan image;
  image.index = 0;
  image.layout = Layout::dicom;
  image.patient = 0;
  image.study = 0;
  image.width = 160;
  image.height = 192;
  image.bits_stored = 12;
  image.projection = "PA";
  image.transfer_syntax = kExplicitLittle;
  Rng rng = Rng::stream(plan.options.seed, 0, Stream::bad_files);
  image.sop_instance_uid = random_uid(rng);
  SeriesIdentity series;
  series.study = 0;
  series.series_instance_uid = random_uid(rng);
  series.frame_of_reference_uid = random_uid(rng);
  series.projection = "PA";
  const RenderedImage rendered = render_radiograph(tiny, image);
  DicomContext context{image, tiny.patients.at(0), tiny.studies.at(0), series, {}};
  write_dicom(scratch, context, rendered, rng);
  auto bytes = io::read_bytes(scratch);
  std::remove(scratch.c_str());
  return bytes;
}

// Sky, sun, hills and saturated objects: a colour photograph's statistics, not a radiograph's.
cv::Mat photo_like_image(Rng& rng) {
  cv::Mat photo(384, 512, CV_8UC3);
  for (int y = 0; y < photo.rows; ++y) {
    const double t = static_cast<double>(y) / photo.rows;
    photo.row(y).setTo(cv::Scalar(235 - 60 * t, 180 - 40 * t, 90 + 40 * t));  // BGR sky
  }
  cv::circle(photo, cv::Point(rng.uniform_int(60, 450), rng.uniform_int(40, 120)), 35, cv::Scalar(60, 220, 255),
             cv::FILLED, cv::LINE_AA);
  std::vector<cv::Point> hills{{0, 384}, {0, 260}};
  for (int x = 0; x <= 512; x += 32) hills.emplace_back(x, 250 + static_cast<int>(30 * std::sin(x / 60.0 + rng.uniform(0, 6))));
  hills.emplace_back(512, 384);
  cv::fillPoly(photo, std::vector<std::vector<cv::Point>>{hills}, cv::Scalar(40, 160, 60), cv::LINE_AA);
  for (int i = 0; i < 6; ++i) {
    const cv::Scalar colour(rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255));
    cv::rectangle(photo, cv::Rect(rng.uniform_int(0, 450), rng.uniform_int(260, 340), 40, 30), colour, cv::FILLED);
  }
  // Sensor noise from our own stream (cv::randn would draw from OpenCV's global state).
  for (int y = 0; y < photo.rows; ++y) {
    auto* row = photo.ptr<cv::Vec3b>(y);
    for (int x = 0; x < photo.cols; ++x) {
      for (int c = 0; c < 3; ++c) row[x][c] = cv::saturate_cast<uchar>(row[x][c] + rng.normal(0.0, 6.0));
    }
  }
  return photo;
}

std::vector<std::uint8_t> encode(const std::string& extension, const cv::Mat& image) {
  std::vector<std::uint8_t> bytes;
  if (!io::image_encode(extension, image, bytes)) throw InternalError("cannot encode " + extension);
  return bytes;
}

// Flips one byte inside the first IDAT chunk's data so its CRC no longer matches.
std::vector<std::uint8_t> corrupt_png_crc(std::vector<std::uint8_t> png) {
  for (size_t i = 8; i + 8 < png.size();) {
    const std::uint32_t length = (std::uint32_t(png[i]) << 24) | (std::uint32_t(png[i + 1]) << 16) |
                                 (std::uint32_t(png[i + 2]) << 8) | std::uint32_t(png[i + 3]);
    if (std::memcmp(&png[i + 4], "IDAT", 4) == 0 && length > 4) {
      png[i + 8 + length / 2] ^= 0x5A;
      return png;
    }
    i += 12 + length;
  }
  throw InternalError("PNG without IDAT chunk");
}

}  // namespace

std::vector<BadFile> write_bad_files(const std::string& root, const CorpusPlan& plan) {
  std::vector<BadFile> files;
  auto put = [&](const std::string& name, const std::vector<std::uint8_t>& bytes, const std::string& defect,
                 const std::string& expect) {
    io::write_bytes_atomically(root + "/bad/" + name, bytes);
    files.push_back({"bad/" + name, defect, expect});
  };

  std::filesystem::create_directories(root + "/bad");
  const auto dicom = small_valid_dicom(root + "/bad/.scratch.dcm", plan);
  put("truncated_pixels.dcm", std::vector<std::uint8_t>(dicom.begin(), dicom.begin() + static_cast<long>(dicom.size() * 6 / 10)),
      "DICOM file cut off inside the pixel data", "reject");
  put("truncated_header.dcm", std::vector<std::uint8_t>(dicom.begin(), dicom.begin() + 300),
      "DICOM file cut off inside the meta header", "reject");
  put("empty.dcm", {}, "zero-byte file", "reject");
  const std::string text = "Patient list export\nThis is a text file with a .dcm name, not DICOM.\n";
  put("not_dicom.dcm", std::vector<std::uint8_t>(text.begin(), text.end()), "text file named .dcm", "reject");

  {  // A valid DICOM whose pixel data element was removed.
    DcmFileFormat file;
    const std::string scratch = root + "/bad/.scratch2.dcm";
    io::write_bytes_atomically(scratch, dicom);
    if (file.loadFile(scratch.c_str()).bad()) throw InternalError("cannot reload scratch DICOM");
    std::unique_ptr<DcmElement> removed(file.getDataset()->remove(DCM_PixelData));  // remove() hands over ownership
    if (file.saveFile(scratch.c_str(), EXS_LittleEndianExplicit).bad()) throw InternalError("cannot save scratch DICOM");
    const auto bytes = io::read_bytes(scratch);
    std::remove(scratch.c_str());
    put("no_pixel_data.dcm", bytes, "DICOM image without pixel data", "reject");
  }

  Rng rng = Rng::stream(plan.options.seed, 1, Stream::bad_files);
  cv::Mat grey(128, 128, CV_16UC1);
  for (int y = 0; y < grey.rows; ++y)
    for (int x = 0; x < grey.cols; ++x) grey.at<std::uint16_t>(y, x) = static_cast<std::uint16_t>((x + y) * 16);
  put("bad_crc.png", corrupt_png_crc(encode(".png", grey)), "PNG whose IDAT chunk fails its CRC", "reject");
  const cv::Mat photo = photo_like_image(rng);
  put("photo.jpg", encode(".jpg", photo), "colour photograph, not a medical image", "gate");
  put("photo.png", encode(".png", photo), "colour photograph, not a medical image", "gate");
  return files;
}

}  // namespace medanon::synth
