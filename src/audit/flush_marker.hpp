#pragma once
// "<flushes> <rows>" of the last collective HDF5 flush that completed, in <out>/.medanon/flushes,
// written after the flush. An HDF5 file that disagrees with it was cut by a kill during a
// flush, and is rebuilt from the journals.

#include <string>

namespace medanon::audit {

struct FlushMarker {
  long long flushes = -1, rows = -1;  // -1: no flush completed
};

FlushMarker read_flush_marker(const std::string& out);
void write_flush_marker(const std::string& out, const FlushMarker& marker);  // atomically

}  // namespace medanon::audit
