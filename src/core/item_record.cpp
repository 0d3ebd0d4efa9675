#include "core/item_record.hpp"

namespace medanon {

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

}  // namespace medanon
