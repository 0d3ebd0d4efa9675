#include "deid/profile_table.hpp"

#include <array>
#include <fstream>
#include <sstream>

#include "core/errors.hpp"

namespace medanon::deid {
namespace {

// The table's columns after the tag, in order: basic profile, then one per ProfileOption.
constexpr int kActionColumns = 1 + kProfileOptionCount;

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream stream(line);
  std::string cell;
  while (std::getline(stream, cell, '\t')) cells.push_back(cell);
  return cells;
}

[[noreturn]] void bad_row(const std::string& path, int line, const std::string& why) {
  throw UsageError(path + ":" + std::to_string(line) + ": " + why, Scope::all_ranks);
}

struct TagPattern {
  std::uint32_t mask = 0xffffffff;
  std::uint32_t value = 0;
};

// "(0010,0010)" or with 'x' digits that match any hex digit: "(60xx,3000)".
std::optional<TagPattern> parse_tag(const std::string& text) {
  if (text.size() != 11 || text[0] != '(' || text[5] != ',' || text[10] != ')') return std::nullopt;
  TagPattern pattern;
  pattern.mask = 0;
  const std::string digits = text.substr(1, 4) + text.substr(6, 4);
  for (char c : digits) {
    pattern.mask <<= 4;
    pattern.value <<= 4;
    if (c == 'x' || c == 'X') continue;
    int nibble = 0;
    if (c >= '0' && c <= '9') {
      nibble = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      nibble = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      nibble = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    pattern.mask |= 0xf;
    pattern.value |= static_cast<std::uint32_t>(nibble);
  }
  return pattern;
}

std::optional<Action> parse_action(const std::string& code) {
  if (code == "X") return Action::remove;
  if (code == "Z") return Action::zero_length;
  if (code == "D") return Action::dummy;
  if (code == "K") return Action::keep;
  if (code == "C") return Action::clean;
  if (code == "U" || code == "U*") return Action::replace_uid;  // U*: PS3.15 E.1.1 note on sequences of references
  return std::nullopt;
}

// "X/Z/D" -> {X, Z, D}.
std::optional<std::vector<Action>> parse_code(const std::string& code) {
  std::vector<Action> actions;
  std::stringstream stream(code);
  std::string part;
  while (std::getline(stream, part, '/')) {
    const std::optional<Action> action = parse_action(part);
    if (!action) return std::nullopt;
    actions.push_back(*action);
  }
  if (actions.empty()) return std::nullopt;
  return actions;
}

// The basic profile's code unless an enabled option gives its own; when several do, a
// retaining option (K) wins over a cleaning one (C): the user asked to keep that attribute.
std::string effective_code(const std::vector<std::string>& cells, const ProfileOptions& options) {
  std::string code = cells[1];
  bool retained = false;
  for (int i = 0; i < kProfileOptionCount; ++i) {
    const std::string& option_code = cells[2 + i];
    if (option_code == "-" || !options.enabled(static_cast<ProfileOption>(i)) || retained) continue;
    code = option_code;
    retained = option_code == "K";
  }
  return code;
}

// How much of a value an alternative keeps present: X < Z < D, U.
int strictness(Action action) {
  switch (action) {
    case Action::remove: return 0;
    case Action::zero_length: return 1;
    default: return 2;
  }
}

}  // namespace

char action_code(Action action) {
  switch (action) {
    case Action::remove: return 'X';
    case Action::zero_length: return 'Z';
    case Action::dummy: return 'D';
    case Action::keep: return 'K';
    case Action::clean: return 'C';
    case Action::replace_uid: return 'U';
  }
  return '?';
}

ProfileTable ProfileTable::load(const std::string& table_path, const std::string& iod_types_path,
                                const ProfileOptions& options) {
  validate(options);
  ProfileTable table;
  std::ifstream in(table_path);
  if (!in) throw UsageError("cannot read the de-identification profile table " + table_path, Scope::all_ranks);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    // The first line names the edition: "# DICOM PS3.15 Table E.1-1, ..., edition 2024b."
    if (const auto at = line.find("edition "); number == 1 && at != std::string::npos) {
      table.edition_ = line.substr(at + 8, line.find_first_of(". ", at + 8) - (at + 8));
    }
    if (line.empty() || line[0] == '#' || line.rfind("tag\t", 0) == 0) continue;
    const std::vector<std::string> cells = split_tabs(line);
    if (cells.size() < 1 + kActionColumns) bad_row(table_path, number, "expected at least 10 tab-separated columns");
    const std::string code = effective_code(cells, options);
    const std::optional<std::vector<Action>> actions = parse_code(code);
    if (!actions) bad_row(table_path, number, "unknown action code '" + code + "'");
    if (cells[0] == "(gggg,eeee)odd") {
      table.private_action_ = actions->back();
    } else if (const std::optional<TagPattern> tag = parse_tag(cells[0])) {
      if (tag->mask == 0xffffffff) {
        table.exact_[tag->value] = {*actions};
      } else {
        table.patterns_.push_back({tag->mask, tag->value, {*actions}});
      }
    } else {
      bad_row(table_path, number, "bad tag '" + cells[0] + "'");
    }
    ++table.rows_;
  }

  std::ifstream types(iod_types_path);
  if (!types) throw UsageError("cannot read the IOD attribute types " + iod_types_path, Scope::all_ranks);
  number = 0;
  while (std::getline(types, line)) {
    ++number;
    if (line.empty() || line[0] == '#' || line.rfind("sop_class\t", 0) == 0) continue;
    const std::vector<std::string> cells = split_tabs(line);
    const std::optional<TagPattern> tag = cells.size() >= 3 ? parse_tag(cells[1]) : std::nullopt;
    if (!tag || tag->mask != 0xffffffff) bad_row(iod_types_path, number, "expected: SOP class UID, (gggg,eeee), type");
    if (cells[2] != "1" && cells[2] != "2" && cells[2] != "3") bad_row(iod_types_path, number, "type must be 1, 2 or 3");
    table.types_[{cells[0], tag->value}] = cells[2][0] - '0';
  }
  return table;
}

// PS3.15 E.1.1: X/Z is X for a Type 3 attribute and Z for Type 2; X/D and Z/D and X/Z/D give
// D for Type 1; X/Z/U* gives U for a Type 1 sequence of references. An attribute whose Type is
// unknown for this IOD takes the last (strictest) alternative, which conforms to every IOD.
Action ProfileTable::resolve(const Alternatives& alternatives, std::uint32_t tag, const std::string& sop_class_uid) const {
  const std::vector<Action>& actions = alternatives.actions;
  if (actions.size() == 1) return actions.front();
  const auto type = types_.find({sop_class_uid, tag});
  if (type == types_.end()) return actions.back();
  // The first alternative at least as strict as the Type asks for: the code lists X, Z, D/U
  // in that order, so a Type 2 attribute under X/D gets D.
  const int wanted = 3 - type->second;  // Type 3 -> 0 (X), 2 -> 1 (Z), 1 -> 2 (D or U)
  for (Action action : actions) {
    if (strictness(action) >= wanted) return action;
  }
  return actions.back();
}

std::optional<Action> ProfileTable::action_for(std::uint16_t group, std::uint16_t element,
                                               const std::string& sop_class_uid) const {
  const std::uint32_t tag = (std::uint32_t(group) << 16) | element;
  if (const auto exact = exact_.find(tag); exact != exact_.end()) return resolve(exact->second, tag, sop_class_uid);
  for (const Pattern& pattern : patterns_) {
    if ((tag & pattern.mask) == pattern.value) return resolve(pattern.alternatives, tag, sop_class_uid);
  }
  return std::nullopt;
}

std::optional<int> ProfileTable::attribute_type(std::uint16_t group, std::uint16_t element,
                                               const std::string& sop_class_uid) const {
  const auto type = types_.find({sop_class_uid, (std::uint32_t(group) << 16) | element});
  if (type == types_.end()) return std::nullopt;
  return type->second;
}

}  // namespace medanon::deid
