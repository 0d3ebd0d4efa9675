#include "audit/item_record.hpp"

#include <array>
#include <string>

#include "audit/record_fields.hpp"

namespace medanon::audit {

const char* stage_name(Stage stage) {
  switch (stage) {
    case Stage::read: return "read";
    case Stage::validate: return "validate";
    case Stage::deid: return "deid";
    case Stage::text: return "text";
    case Stage::mae: return "mae";
    case Stage::write: return "write";
    case Stage::count: break;
  }
  return "unknown";
}

const char* seconds_column(int stage) {
  static const std::array<std::string, kStageCount> names = [] {
    std::array<std::string, kStageCount> n;
    for (int s = 0; s < kStageCount; ++s) n[static_cast<size_t>(s)] = std::string("seconds_") + stage_name(static_cast<Stage>(s));
    return n;
  }();
  return names.at(static_cast<size_t>(stage)).c_str();
}

}  // namespace medanon::audit
