#include "audit/journal.hpp"

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
#include <type_traits>

#include "audit/record_fields.hpp"
#include "core/errors.hpp"

namespace medanon::audit {
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

// A record's fields as JSON members named like the audit columns. JSON has no NaN: a NaN float
// is left out and reads back as the field's default (NaN).
struct JsonWriter {
  nlohmann::json& j;
  template <class T>
  void operator()(const char* name, const T& value) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(value)) return;
    }
    if constexpr (std::is_enum_v<T>) {
      j[name] = static_cast<int>(value);
    } else {
      j[name] = value;
    }
  }
  template <class T, class Tag>
  void operator()(const char* name, const T& value, Tag) { (*this)(name, value); }
};

// Members that are absent keep the record's defaults.
struct JsonReader {
  const nlohmann::json& j;
  template <class T>
  void operator()(const char* name, T& value) {
    const auto member = j.find(name);
    if (member == j.end()) return;
    if constexpr (std::is_enum_v<T>) {
      value = static_cast<T>(member->get<int>());
    } else {
      value = member->get<T>();
    }
  }
  template <class T, class Tag>
  void operator()(const char* name, T& value, Tag) { (*this)(name, value); }
};

// Text boxes are many and small: positional arrays in field order.
struct JsonArrayWriter {
  nlohmann::json& a;
  template <class T>
  void operator()(const char*, const T& value) { a.push_back(value); }
};
struct JsonArrayReader {
  const nlohmann::json& a;
  size_t index = 0;
  template <class T>
  void operator()(const char*, T& value) { value = a.at(index++).get<T>(); }
};

// Journals of the first version held the per-stage seconds and the text counts as arrays; a run
// resumed by a newer medanon reads them as their named members.
void upgrade_from_first_version(nlohmann::json& j) {
  if (const auto seconds = j.find("seconds"); seconds != j.end() && seconds->is_array()) {
    for (int s = 0; s < kStageCount && s < static_cast<int>(seconds->size()); ++s) j[seconds_column(s)] = (*seconds)[s];
    j.erase("seconds");
  }
  if (const auto text = j.find("text"); text != j.end() && text->is_array() && text->size() == 3) {
    j["text_found"] = (*text)[0];
    j["text_redacted"] = (*text)[1];
    j["text_flagged"] = (*text)[2];
    j.erase("text");
  }
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
  for_each_field(r, JsonWriter{j});
  nlohmann::json boxes = nlohmann::json::array();
  for (const auto& b : r.boxes) {
    nlohmann::json box = nlohmann::json::array();
    for_each_box_field(b, JsonArrayWriter{box});
    boxes.push_back(std::move(box));
  }
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
  auto j = nlohmann::json::parse(get_bytes(payload, offset, get_u32(payload, offset)));
  upgrade_from_first_version(j);
  ItemRecord r;
  for_each_field(r, JsonReader{j});
  for (const auto& b : j.at("boxes")) {
    TextBoxRecord box;
    for_each_box_field(box, JsonArrayReader{b});
    r.boxes.push_back(box);
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

}  // namespace medanon::audit
