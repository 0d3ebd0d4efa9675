#include "deid/output_writer.hpp"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcostrmb.h>
#include <libdeflate.h>

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "deid/dcmtk_check.hpp"
#include "io/file_descriptor.hpp"

namespace medanon::deid {
namespace {

// Level 1: a de-identified copy gains a few per cent in size from higher levels at 1.5-3x the time.
constexpr int kDeflateLevel = 1;

struct CompressorFree {
  void operator()(libdeflate_compressor* compressor) const noexcept { libdeflate_free_compressor(compressor); }
};

// DCMTK encodes into a fixed buffer and asks to be called again (EC_StreamNotifyClient) each
// time it is full; the pieces are appended to `bytes`. `write(stream)` is one call of the
// object's write. `syntax` only sizes the result.
template <typename Object, typename Write>
void encode_into(std::vector<unsigned char>& bytes, Object& object, E_TransferSyntax syntax, const Write& write,
                 const std::string& what) {
  bytes.reserve(bytes.size() + object.getLength(syntax, EET_ExplicitLength) + 1024);
  static thread_local std::vector<unsigned char> chunk(1 << 20);  // not zeroed again per file
  DcmOutputBufferStream stream(chunk.data(), static_cast<offile_off_t>(chunk.size()));
  object.transferInit();
  OFCondition status = EC_StreamNotifyClient;
  while (status == EC_StreamNotifyClient) {
    status = write(stream);
    void* written = nullptr;
    offile_off_t length = 0;
    stream.flushBuffer(written, length);
    const auto* begin = static_cast<const unsigned char*>(written);
    bytes.insert(bytes.end(), begin, begin + length);
  }
  object.transferEnd();
  check(status, std::string("encode ") + what);
}

// Appends the deflated `raw` to `out`.
void deflate_into(std::vector<unsigned char>& out, const std::vector<unsigned char>& raw) {
  static thread_local std::unique_ptr<libdeflate_compressor, CompressorFree> compressor(
      libdeflate_alloc_compressor(kDeflateLevel));
  if (!compressor) throw InternalError("de-identification: cannot allocate a deflate compressor");
  const std::size_t start = out.size();
  const std::size_t bound = libdeflate_deflate_compress_bound(compressor.get(), raw.size()) + 1;
  out.resize(start + bound);
  const std::size_t length = libdeflate_deflate_compress(compressor.get(), raw.data(), raw.size(), out.data() + start, bound);
  if (length == 0) throw InternalError("de-identification: deflate failed");
  // As DCMTK does: one zero byte after the stream's end makes the file's length even; inflaters
  // stop at the end of the stream and never read it.
  out.resize(start + length + (length % 2));
  if (length % 2) out.back() = 0;
}

}  // namespace

void save_output(DcmFileFormat& file, E_TransferSyntax syntax, const std::string& path) {
  check(file.validateMetaInfo(syntax, EWM_updateMeta), "update the meta header");
  // The meta header is always explicit VR little endian (PS3.10 7.1); it begins with the preamble.
  DcmMetaInfo& meta_info = *file.getMetaInfo();
  // The whole file in one buffer, written with one call.
  std::vector<unsigned char> bytes;
  encode_into(
      bytes, meta_info, EXS_LittleEndianExplicit,
      [&](DcmOutputStream& stream) {
        return meta_info.write(stream, EXS_LittleEndianExplicit, EET_ExplicitLength, nullptr);
      },
      "the meta header");
  if (bytes.size() >= 132 && std::memcmp(bytes.data() + 128, "DICM", 4) == 0) std::fill_n(bytes.begin(), 128, 0);
  // A deflated dataset is explicit VR little endian, then deflated as one stream.
  const bool deflated = syntax == EXS_DeflatedLittleEndianExplicit;
  DcmDataset& dataset_object = *file.getDataset();
  const E_TransferSyntax encoding = deflated ? EXS_LittleEndianExplicit : syntax;
  std::vector<unsigned char> raw;
  encode_into(
      deflated ? raw : bytes, dataset_object, encoding,
      [&](DcmOutputStream& stream) {
        return dataset_object.write(stream, encoding, EET_ExplicitLength, nullptr, EGL_withoutGL, EPD_noChange);
      },
      std::string("the dataset as ") + DcmXfer(syntax).getXferName());
  if (deflated) deflate_into(bytes, raw);
  io::FileDescriptor out(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
  if (out.get() < 0) throw InternalError("de-identification: cannot create " + path + ": " + std::strerror(errno));
  if (!io::write_all(out.get(), bytes.data(), bytes.size()) || !out.close()) {
    throw InternalError("de-identification: cannot write " + path + ": " + std::strerror(errno));
  }
}

}  // namespace medanon::deid
