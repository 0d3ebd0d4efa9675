#pragma once
// Files appear whole or not at all: written to a temporary name in the same folder, then
// renamed (rename(2) is atomic within a file system). A killed job leaves no half file under
// the final name, only a "<name>.medanon-tmp.<pid><n>" that a rerun deletes (is_temporary_path).
// With durable writes on (the anonymize job turns them on), the file and its folder are synced
// before the call returns: a journal record written after it ("this item is done") never
// outlives the file after a node crash. Off by default: deid and synth have no journal, and an
// fsync per file tripled deid's time on small files.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace medanon::io {

// Process-wide; set before any write.
void set_durable_writes(bool durable);

// A temporary name for `path`, unique within this process ("<path>.medanon-tmp.<pid><6 digits>").
std::string temporary_path_for(const std::string& path);
// True only for names temporary_path_for makes ("<name>.medanon-tmp.<digits>"): a PadChest ID
// that merely contains ".tmp." is an output, never deleted.
bool is_temporary_path(const std::string& path);

// Calls `write(temp_path)` to produce the file, then renames it to `path`. Creates parent
// folders. On any failure the temporary file is removed and the exception propagates.
void write_atomically(const std::string& path, const std::function<void(const std::string&)>& write);

void write_bytes_atomically(const std::string& path, const std::vector<std::uint8_t>& bytes);
void write_text_atomically(const std::string& path, const std::string& text);

std::vector<std::uint8_t> read_bytes(const std::string& path);

// As write_atomically, but a file already at `path` is never replaced: the new file is linked
// in only where none exists (link(2) fails atomically when the name is taken, also between
// ranks). When one exists, the two are compared and the new one discarded.
enum class Placement { written, identical_exists, different_exists };
Placement write_new_atomically(const std::string& path, const std::function<void(const std::string&)>& write);

}  // namespace medanon::io
