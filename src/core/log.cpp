#include "core/log.hpp"

#include <cstdio>
#include <stdexcept>

namespace medanon::log {
namespace {

int g_rank = 0;
int g_world_size = 1;
Level g_level = Level::info;

void emit(Level level, bool rank0_only, const std::string& message) {
  if (level < g_level) return;
  if (rank0_only && g_rank != 0) return;
  static const char* const names[] = {"debug", "info", "warn", "error"};
  // Diagnostics go to stderr so stdout stays clean for data (config dumps, inspect output).
  if (rank0_only || g_world_size == 1) {
    std::fprintf(stderr, "medanon %s: %s\n", names[static_cast<int>(level)], message.c_str());
  } else {
    std::fprintf(stderr, "medanon[rank %d] %s: %s\n", g_rank, names[static_cast<int>(level)],
                 message.c_str());
  }
  std::fflush(stderr);
}

}  // namespace

void init(int rank, int world_size, Level level) {
  g_rank = rank;
  g_world_size = world_size;
  g_level = level;
}

void set_level(Level level) { g_level = level; }

Level parse_level(const std::string& name) {
  if (name == "debug") return Level::debug;
  if (name == "info") return Level::info;
  if (name == "warn") return Level::warn;
  if (name == "error") return Level::error;
  throw std::invalid_argument("unknown log level '" + name + "' (debug, info, warn, error)");
}

void debug(const std::string& message) { emit(Level::debug, true, message); }
void info(const std::string& message) { emit(Level::info, true, message); }
void warn(const std::string& message) { emit(Level::warn, true, message); }
void rank_debug(const std::string& message) { emit(Level::debug, false, message); }
void rank_warn(const std::string& message) { emit(Level::warn, false, message); }
void rank_error(const std::string& message) { emit(Level::error, false, message); }

}  // namespace medanon::log
