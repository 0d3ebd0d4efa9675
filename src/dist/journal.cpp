#include "dist/journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/errors.hpp"

namespace medanon::dist {
namespace {

constexpr char kMagic[4] = {'M', 'D', 'J', '1'};

void put_u32(std::string& out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

std::uint32_t get_u32(const std::string& in, size_t& offset) {
  if (offset + 4 > in.size()) throw InternalError("journal record: truncated field");
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[offset + i])) << (8 * i);
  offset += 4;
  return value;
}

std::string get_bytes(const std::string& in, size_t& offset, size_t length) {
  if (offset + length > in.size()) throw InternalError("journal record: truncated blob");
  std::string bytes = in.substr(offset, length);
  offset += length;
  return bytes;
}

}  // namespace

std::uint32_t crc32(const void* data, size_t size) {
  // CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as zlib and PNG use it.
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xFFFFFFFFu;
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) c = table[(c ^ bytes[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::string journal_folder(const std::string& out) { return out + "/.medanon/journal"; }

std::string journal_path(const std::string& out, int attempt, int rank) {
  return journal_folder(out) + "/attempt-" + std::to_string(attempt) + ".rank-" + std::to_string(rank) + ".bin";
}

std::string encode_record(const ItemRecord& r) {
  nlohmann::json j;
  j["item"] = r.item;
  j["input_hash"] = r.input_hash;
  j["output"] = r.output;
  j["status"] = static_cast<int>(r.status);
  j["error"] = r.error;
  if (r.retryable) j["retryable"] = true;  // absent in journals of older versions: false
  j["rank"] = r.rank;
  j["attempt"] = r.attempt;
  j["seconds"] = r.seconds;
  j["tags_changed"] = r.tags_changed;
  j["text"] = {r.text_found, r.text_redacted, r.text_flagged};
  j["mask_score"] = r.mask_score;
  if (!std::isnan(r.z_peak)) j["z_peak"] = r.z_peak;  // JSON has no NaN
  j["anomaly"] = r.anomaly;
  j["gate"] = r.gate;
  nlohmann::json boxes = nlohmann::json::array();
  for (const auto& b : r.boxes) boxes.push_back({b.x, b.y, b.width, b.height, b.detector, b.phi, b.action, b.confidence});
  j["boxes"] = boxes;
  // Library messages may carry bytes that are not UTF-8 (a file name's): replaced, never a throw.
  const std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string payload;
  put_u32(payload, static_cast<std::uint32_t>(text.size()));
  payload += text;
  put_u32(payload, static_cast<std::uint32_t>(r.mask.size()));
  payload.append(reinterpret_cast<const char*>(r.mask.data()), r.mask.size());
  put_u32(payload, static_cast<std::uint32_t>(r.anomaly_map.size()));
  payload.append(reinterpret_cast<const char*>(r.anomaly_map.data()), r.anomaly_map.size() * sizeof(float));
  return payload;
}

ItemRecord decode_record(const std::string& payload) {
  size_t offset = 0;
  const auto j = nlohmann::json::parse(get_bytes(payload, offset, get_u32(payload, offset)));
  ItemRecord r;
  r.item = j.at("item").get<std::int64_t>();
  r.input_hash = j.at("input_hash").get<std::string>();
  r.output = j.at("output").get<std::string>();
  r.status = static_cast<ItemStatus>(j.at("status").get<int>());
  r.error = j.at("error").get<std::string>();
  r.retryable = j.value("retryable", false);
  r.rank = j.at("rank").get<std::int32_t>();
  r.attempt = j.at("attempt").get<std::int32_t>();
  r.seconds = j.at("seconds").get<std::array<float, kStageCount>>();
  r.tags_changed = j.at("tags_changed").get<std::int32_t>();
  r.text_found = j.at("text").at(0).get<std::int32_t>();
  r.text_redacted = j.at("text").at(1).get<std::int32_t>();
  r.text_flagged = j.at("text").at(2).get<std::int32_t>();
  r.mask_score = j.at("mask_score").get<float>();
  if (j.contains("z_peak")) r.z_peak = j.at("z_peak").get<float>();
  r.anomaly = j.at("anomaly").get<std::int8_t>();
  r.gate = j.at("gate").get<std::string>();
  for (const auto& b : j.at("boxes")) {
    r.boxes.push_back({b.at(0).get<std::int32_t>(), b.at(1).get<std::int32_t>(), b.at(2).get<std::int32_t>(),
                       b.at(3).get<std::int32_t>(), b.at(4).get<std::int8_t>(), b.at(5).get<std::int8_t>(),
                       b.at(6).get<std::int8_t>(), b.at(7).get<float>()});
  }
  const std::string mask = get_bytes(payload, offset, get_u32(payload, offset));
  r.mask.assign(mask.begin(), mask.end());
  const std::uint32_t map_count = get_u32(payload, offset);
  const std::string map = get_bytes(payload, offset, map_count * sizeof(float));
  r.anomaly_map.resize(map_count);
  std::memcpy(r.anomaly_map.data(), map.data(), map.size());
  return r;
}

JournalWriter::JournalWriter(const std::string& path) : path_(path) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) throw InputError("cannot open journal " + path + ": " + std::strerror(errno));
}

JournalWriter::~JournalWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void JournalWriter::append(const ItemRecord& record) {
  const std::string payload = encode_record(record);
  std::string frame(kMagic, sizeof kMagic);
  put_u32(frame, static_cast<std::uint32_t>(payload.size()));
  put_u32(frame, crc32(payload.data(), payload.size()));
  frame += payload;
  // One write() of the whole frame: O_APPEND makes it land contiguously at the end.
  size_t written = 0;
  while (written < frame.size()) {
    const ssize_t n = ::write(fd_, frame.data() + written, frame.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw InternalError("cannot append to journal " + path_ + ": " + std::strerror(errno));
    written += static_cast<size_t>(n);
  }
  if (::fdatasync(fd_) != 0) throw InternalError("cannot sync journal " + path_ + ": " + std::strerror(errno));
}

JournalContents read_journals(const std::string& out) {
  JournalContents contents;
  const std::filesystem::path folder(journal_folder(out));
  if (!std::filesystem::is_directory(folder)) return contents;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.is_regular_file() && entry.path().extension() == ".bin") files.push_back(entry.path());
  }
  // Attempt order (attempt-10 after attempt-9), then rank: later attempts' records come later.
  const auto order = [](const std::filesystem::path& file) {
    const std::string name = file.filename().string();
    return std::make_pair(std::atoi(name.c_str() + std::strlen("attempt-")), name);
  };
  std::sort(files.begin(), files.end(), [&](const auto& a, const auto& b) { return order(a) < order(b); });
  for (const auto& file : files) {
    const std::string name = file.filename().string();  // attempt-<a>.rank-<r>.bin
    const int attempt = std::atoi(name.c_str() + std::strlen("attempt-"));
    contents.highest_attempt = std::max(contents.highest_attempt, attempt);
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t offset = 0;
    while (offset < bytes.size()) {
      // Anything that does not frame cleanly is the torn tail of a killed append.
      if (bytes.size() - offset < 12 || std::memcmp(bytes.data() + offset, kMagic, 4) != 0) {
        ++contents.torn_records;
        break;
      }
      size_t cursor = offset + 4;
      const std::uint32_t length = get_u32(bytes, cursor);
      const std::uint32_t crc = get_u32(bytes, cursor);
      if (bytes.size() - cursor < length || crc32(bytes.data() + cursor, length) != crc) {
        ++contents.torn_records;
        break;
      }
      contents.records.push_back(decode_record(bytes.substr(cursor, length)));
      offset = cursor + length;
    }
  }
  return contents;
}

}  // namespace medanon::dist
