#pragma once
// Minimal rank-aware logging. Job-level messages come from rank 0 only (`info`), so a
// 64-rank job prints one line, not 64; `rank_*` messages carry the rank and come from any rank.

#include <string>

namespace medanon::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

void init(int rank, int world_size, Level level);
void set_level(Level level);
Level parse_level(const std::string& name);  // "debug" | "info" | "warn" | "error"

void debug(const std::string& message);       // rank 0 only
void info(const std::string& message);        // rank 0 only
void warn(const std::string& message);        // rank 0 only
void rank_debug(const std::string& message);  // any rank, prefixed with the rank
void rank_warn(const std::string& message);   // any rank, prefixed with the rank
void rank_error(const std::string& message);  // any rank, prefixed with the rank

}  // namespace medanon::log
