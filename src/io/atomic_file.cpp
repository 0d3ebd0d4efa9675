#include "io/atomic_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/errors.hpp"

namespace medanon::io {

std::string temporary_path_for(const std::string& path) {
  return path + ".tmp." + std::to_string(::getpid());
}

void write_atomically(const std::string& path, const std::function<void(const std::string&)>& write) {
  const std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  const std::string temp = temporary_path_for(path);
  try {
    write(temp);
    if (std::rename(temp.c_str(), path.c_str()) != 0) {
      throw InternalError("cannot rename " + temp + " to " + path + ": " + std::strerror(errno));
    }
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    throw;
  }
}

void write_bytes_atomically(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  write_atomically(path, [&](const std::string& temp) {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw InternalError("cannot write " + temp);
  });
}

void write_text_atomically(const std::string& path, const std::string& text) {
  write_bytes_atomically(path, std::vector<std::uint8_t>(text.begin(), text.end()));
}

std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot open " + path);
  // One read of the whole file: image files are megabytes, a byte-wise copy costs milliseconds.
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size < 0) throw InputError("cannot read " + path);
  std::vector<std::uint8_t> bytes(static_cast<size_t>(size));
  if (!in.read(reinterpret_cast<char*>(bytes.data()), size)) throw InputError("cannot read " + path);
  return bytes;
}

Placement write_new_atomically(const std::string& path, const std::function<void(const std::string&)>& write) {
  const std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  const std::string temp = temporary_path_for(path);
  try {
    write(temp);
    Placement placement = Placement::written;
    if (::link(temp.c_str(), path.c_str()) != 0) {
      if (errno != EEXIST) throw InternalError("cannot link " + temp + " to " + path + ": " + std::strerror(errno));
      placement = read_bytes(temp) == read_bytes(path) ? Placement::identical_exists : Placement::different_exists;
    }
    std::filesystem::remove(temp);
    return placement;
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    throw;
  }
}

}  // namespace medanon::io
