#include "audit/flush_marker.hpp"

#include <fstream>

#include "io/atomic_file.hpp"

namespace medanon::audit {
namespace {

std::string marker_path(const std::string& out) { return out + "/.medanon/flushes"; }

}  // namespace

FlushMarker read_flush_marker(const std::string& out) {
  std::ifstream in(marker_path(out));
  FlushMarker marker;
  if (!(in >> marker.flushes >> marker.rows)) return {};
  return marker;
}

void write_flush_marker(const std::string& out, const FlushMarker& marker) {
  io::write_text_atomically(marker_path(out), std::to_string(marker.flushes) + " " + std::to_string(marker.rows) + "\n");
}

}  // namespace medanon::audit
