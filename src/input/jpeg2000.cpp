#include "input/jpeg2000.hpp"

#include <openjpeg.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace medanon::input {
namespace {

struct CodecCloser {
  void operator()(opj_codec_t* codec) const { opj_destroy_codec(codec); }
};
struct StreamCloser {
  void operator()(opj_stream_t* stream) const { opj_stream_destroy(stream); }
};
struct ImageCloser {
  void operator()(opj_image_t* image) const { opj_image_destroy(image); }
};
using Codec = std::unique_ptr<opj_codec_t, CodecCloser>;
using Stream = std::unique_ptr<opj_stream_t, StreamCloser>;
using Image = std::unique_ptr<opj_image_t, ImageCloser>;

// OpenJPEG reads and writes through callbacks; these serve a byte vector.
struct MemoryBuffer {
  std::vector<std::uint8_t>* bytes = nullptr;
  const std::vector<std::uint8_t>* input = nullptr;
  std::size_t at = 0;
};

OPJ_SIZE_T read_memory(void* buffer, OPJ_SIZE_T size, void* user) {
  auto& memory = *static_cast<MemoryBuffer*>(user);
  const std::size_t left = memory.input->size() - memory.at;
  if (left == 0) return static_cast<OPJ_SIZE_T>(-1);
  const std::size_t n = std::min<std::size_t>(size, left);
  std::memcpy(buffer, memory.input->data() + memory.at, n);
  memory.at += n;
  return n;
}

OPJ_SIZE_T write_memory(void* buffer, OPJ_SIZE_T size, void* user) {
  auto& memory = *static_cast<MemoryBuffer*>(user);
  if (memory.at + size > memory.bytes->size()) memory.bytes->resize(memory.at + size);
  std::memcpy(memory.bytes->data() + memory.at, buffer, size);
  memory.at += size;
  return size;
}

OPJ_OFF_T skip_memory(OPJ_OFF_T count, void* user) {
  auto& memory = *static_cast<MemoryBuffer*>(user);
  const std::size_t limit = memory.input != nullptr ? memory.input->size() : memory.bytes->size();
  const auto target = std::clamp<OPJ_OFF_T>(static_cast<OPJ_OFF_T>(memory.at) + count, 0, static_cast<OPJ_OFF_T>(limit));
  const OPJ_OFF_T moved = target - static_cast<OPJ_OFF_T>(memory.at);
  memory.at = static_cast<std::size_t>(target);
  return moved;
}

OPJ_BOOL seek_memory(OPJ_OFF_T position, void* user) {
  auto& memory = *static_cast<MemoryBuffer*>(user);
  const std::size_t limit = memory.input != nullptr ? memory.input->size() : memory.bytes->size();
  if (position < 0 || static_cast<std::size_t>(position) > limit) return OPJ_FALSE;
  memory.at = static_cast<std::size_t>(position);
  return OPJ_TRUE;
}

void ignore_message(const char*, void*) {}
void keep_error(const char* message, void* user) {
  auto* error = static_cast<std::string*>(user);
  if (error->empty()) error->assign(message);
  while (!error->empty() && (error->back() == '\n' || error->back() == ' ')) error->pop_back();
}

Stream memory_stream(MemoryBuffer& memory, bool input) {
  Stream stream(opj_stream_create(1 << 16, input ? OPJ_TRUE : OPJ_FALSE));
  if (!stream) throw std::runtime_error("OpenJPEG: cannot create a stream");
  if (input) {
    opj_stream_set_read_function(stream.get(), read_memory);
    opj_stream_set_user_data_length(stream.get(), memory.input->size());
  } else {
    opj_stream_set_write_function(stream.get(), write_memory);
  }
  opj_stream_set_skip_function(stream.get(), skip_memory);
  opj_stream_set_seek_function(stream.get(), seek_memory);
  opj_stream_set_user_data(stream.get(), &memory, nullptr);
  return stream;
}

// JP2 files start with the signature box; raw codestreams with SOC (FF 4F) and SIZ (FF 51).
bool is_jp2_file(const std::vector<std::uint8_t>& bytes) {
  static const std::uint8_t signature[] = {0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20};
  return bytes.size() >= sizeof signature && std::memcmp(bytes.data(), signature, sizeof signature) == 0;
}

template <class T>
void copy_component(const opj_image_comp_t& component, cv::Mat& out, int channel, int bits_stored, bool is_signed) {
  const int channels = out.channels();
  const OPJ_INT32* in = component.data;
  const int width = out.cols;
  for (int y = 0; y < out.rows; ++y) {
    T* row = out.ptr<T>(y);
    for (int x = 0; x < width; ++x) {
      std::int32_t value = in[static_cast<std::size_t>(y) * width + x];
      if (is_signed && !component.sgnd && bits_stored < 32 && (value >> (bits_stored - 1) & 1)) {
        value -= 1 << bits_stored;  // the dataset says signed, the codestream said unsigned
      } else if (!is_signed && component.sgnd && value < 0) {
        value += 1 << bits_stored;  // and the other way round (pydicom's J2K_pixelrep_mismatch)
      }
      row[x * channels + channel] = static_cast<T>(value);
    }
  }
}

}  // namespace

cv::Mat decode_j2k_frame(const std::vector<std::uint8_t>& codestream, bool is_signed, int bits_stored) {
  if (codestream.size() < 4) throw std::runtime_error("JPEG 2000 frame is empty");
  Codec codec(opj_create_decompress(is_jp2_file(codestream) ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K));
  if (!codec) throw std::runtime_error("OpenJPEG: cannot create a decoder");
  std::string error;
  opj_set_info_handler(codec.get(), ignore_message, nullptr);
  opj_set_warning_handler(codec.get(), ignore_message, nullptr);
  opj_set_error_handler(codec.get(), keep_error, &error);
  opj_dparameters_t parameters;
  opj_set_default_decoder_parameters(&parameters);
  if (!opj_setup_decoder(codec.get(), &parameters)) throw std::runtime_error("OpenJPEG: decoder setup failed");
  MemoryBuffer memory;
  memory.input = &codestream;
  Stream stream = memory_stream(memory, true);
  opj_image_t* raw = nullptr;
  if (!opj_read_header(stream.get(), codec.get(), &raw)) {
    throw std::runtime_error("JPEG 2000 header unreadable: " + (error.empty() ? std::string("corrupt codestream") : error));
  }
  Image image(raw);
  if (!opj_decode(codec.get(), stream.get(), image.get()) || !opj_end_decompress(codec.get(), stream.get())) {
    throw std::runtime_error("JPEG 2000 decoding failed: " + (error.empty() ? std::string("corrupt codestream") : error));
  }
  const int components = static_cast<int>(image->numcomps);
  if (components != 1 && components != 3) {
    throw std::runtime_error("JPEG 2000 frame with " + std::to_string(components) + " components (1 or 3 expected)");
  }
  const opj_image_comp_t& first = image->comps[0];
  for (int c = 0; c < components; ++c) {
    const opj_image_comp_t& component = image->comps[c];
    if (component.w != first.w || component.h != first.h || component.dx != 1 || component.dy != 1 ||
        component.data == nullptr) {
      throw std::runtime_error("JPEG 2000 frame with subsampled or missing components is not supported");
    }
  }
  const int precision = static_cast<int>(first.prec);
  if (precision > 16) throw std::runtime_error("JPEG 2000 samples of " + std::to_string(precision) + " bits (16 at most)");
  const int bits = bits_stored > 0 ? bits_stored : precision;
  const bool eight = precision <= 8 && !is_signed;
  const int depth = eight ? CV_8U : is_signed ? CV_16S : CV_16U;
  cv::Mat out(static_cast<int>(first.h), static_cast<int>(first.w), CV_MAKETYPE(depth, components));
  for (int c = 0; c < components; ++c) {
    if (depth == CV_8U) copy_component<std::uint8_t>(image->comps[c], out, c, bits, is_signed);
    else if (depth == CV_16S) copy_component<std::int16_t>(image->comps[c], out, c, bits, is_signed);
    else copy_component<std::uint16_t>(image->comps[c], out, c, bits, is_signed);
  }
  return out;
}

std::vector<std::uint8_t> encode_j2k_lossless(const cv::Mat& frame, int bits_stored) {
  const int components = frame.channels();
  const int depth = frame.depth();
  if ((components != 1 && components != 3) || (depth != CV_8U && depth != CV_16U && depth != CV_16S)) {
    throw std::runtime_error("JPEG 2000 encoding: unsupported sample layout");
  }
  const bool is_signed = depth == CV_16S;
  const int precision = std::clamp(bits_stored, 1, depth == CV_8U ? 8 : 16);
  std::vector<opj_image_cmptparm_t> parameters(static_cast<std::size_t>(components));
  for (opj_image_cmptparm_t& p : parameters) {
    std::memset(&p, 0, sizeof p);
    p.dx = p.dy = 1;
    p.w = static_cast<OPJ_UINT32>(frame.cols);
    p.h = static_cast<OPJ_UINT32>(frame.rows);
    p.prec = static_cast<OPJ_UINT32>(precision);
    p.sgnd = is_signed ? 1 : 0;
  }
  Image image(opj_image_create(static_cast<OPJ_UINT32>(components), parameters.data(),
                               components == 3 ? OPJ_CLRSPC_SRGB : OPJ_CLRSPC_GRAY));
  if (!image) throw std::runtime_error("OpenJPEG: cannot create an image");
  image->x0 = image->y0 = 0;
  image->x1 = static_cast<OPJ_UINT32>(frame.cols);
  image->y1 = static_cast<OPJ_UINT32>(frame.rows);
  for (int y = 0; y < frame.rows; ++y) {
    for (int x = 0; x < frame.cols; ++x) {
      for (int c = 0; c < components; ++c) {
        const std::size_t at = static_cast<std::size_t>(y) * frame.cols + x;
        OPJ_INT32 value = 0;
        if (depth == CV_8U) value = frame.ptr<std::uint8_t>(y)[x * components + c];
        else if (depth == CV_16U) value = frame.ptr<std::uint16_t>(y)[x * components + c];
        else value = frame.ptr<std::int16_t>(y)[x * components + c];
        image->comps[c].data[at] = value;
      }
    }
  }
  Codec codec(opj_create_compress(OPJ_CODEC_J2K));
  if (!codec) throw std::runtime_error("OpenJPEG: cannot create an encoder");
  std::string error;
  opj_set_info_handler(codec.get(), ignore_message, nullptr);
  opj_set_warning_handler(codec.get(), ignore_message, nullptr);
  opj_set_error_handler(codec.get(), keep_error, &error);
  opj_cparameters_t settings;
  opj_set_default_encoder_parameters(&settings);
  // Reversible 5/3 wavelet, one layer at rate 0 (= lossless), no colour transform: the
  // photometric interpretation stays what it was (RGB or MONOCHROME*).
  settings.irreversible = 0;
  settings.tcp_numlayers = 1;
  settings.tcp_rates[0] = 0;
  settings.cp_disto_alloc = 1;
  settings.tcp_mct = 0;
  settings.numresolution = std::max(1, std::min(6, static_cast<int>(std::log2(std::max(1, std::min(frame.cols, frame.rows)))) - 1));
  if (!opj_setup_encoder(codec.get(), &settings, image.get())) throw std::runtime_error("OpenJPEG: encoder setup failed");
  std::vector<std::uint8_t> bytes;
  MemoryBuffer memory;
  memory.bytes = &bytes;
  Stream stream = memory_stream(memory, false);
  if (!opj_start_compress(codec.get(), image.get(), stream.get()) || !opj_encode(codec.get(), stream.get()) ||
      !opj_end_compress(codec.get(), stream.get())) {
    throw std::runtime_error("JPEG 2000 encoding failed: " + error);
  }
  bytes.resize(memory.at);
  return bytes;
}

}  // namespace medanon::input
