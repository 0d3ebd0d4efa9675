#pragma once
// Where training checkpoints live in --out, which one is the latest, and the rotation that keeps
// the last N. No torch types. Names sort by step: checkpoint-00000120.pth is the state after 120
// optimisation steps. A file is only ever seen whole (written to a temp name, then renamed).

#include <cstdint>
#include <string>

namespace medanon::mae {

std::string checkpoint_path(const std::string& out, std::int64_t iteration);
// The checkpoint with the most steps in `out`; empty when there is none.
std::string latest_checkpoint(const std::string& out);
// Deletes all but the `keep` newest checkpoints (keep >= 1).
void remove_old_checkpoints(const std::string& out, int keep);

}  // namespace medanon::mae
