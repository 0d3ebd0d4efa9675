#pragma once
// PS3.15 Table E.1-1 as data (configs/deid/ps3.15-table-e1-1.tsv) bound to one set of options:
// for every listed attribute, the action this job applies. Combined codes (X/Z, X/D, Z/D,
// X/Z/D, X/Z/U*) are resolved per IOD from the attribute's Type (configs/deid/iod-types.tsv).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "deid/profile_options.hpp"

namespace medanon::deid {

// PS3.15 E.1.1 action codes.
enum class Action {
  remove,       // X
  zero_length,  // Z: present with an empty value (or an empty sequence)
  dummy,        // D: a non-empty value valid for the VR; a sequence keeps its items, cleaned
  keep,         // K: unchanged (sequences still cleaned inside, PS3.15 E.1.1 note on K)
  clean,        // C: identity removed from the value, its meaning kept (dates shifted, text scrubbed)
  replace_uid,  // U: a UID derived from the original (consistent within and across files)
};

char action_code(Action action);

class ProfileTable {
 public:
  // Reads both files; throws UsageError (all ranks) naming the file and line of a bad row.
  static ProfileTable load(const std::string& table_path, const std::string& iod_types_path,
                           const ProfileOptions& options);

  // The action for a public attribute in an instance of `sop_class_uid`; nullopt when the
  // table does not list it (PS3.15 E.1.1: attributes not listed are kept).
  std::optional<Action> action_for(std::uint16_t group, std::uint16_t element, const std::string& sop_class_uid) const;

  // The Type (1, 2 or 3) configs/deid/iod-types.tsv gives the attribute in this IOD; nullopt
  // when it does not list it.
  std::optional<int> attribute_type(std::uint16_t group, std::uint16_t element, const std::string& sop_class_uid) const;

  // The action for private attributes (odd groups): X, or C under Retain Safe Private.
  Action private_action() const { return private_action_; }

  std::size_t size() const { return rows_; }
  const std::string& edition() const { return edition_; }  // of PS3.15, e.g. "2024b"

 private:
  // One row with the options applied: a single action, or the alternatives of a combined
  // code, weakest first (X before Z before D/U), as the table writes them.
  struct Alternatives {
    std::vector<Action> actions;
  };
  struct Pattern {
    std::uint32_t mask;
    std::uint32_t value;
    Alternatives alternatives;
  };

  Action resolve(const Alternatives& alternatives, std::uint32_t tag, const std::string& sop_class_uid) const;

  std::unordered_map<std::uint32_t, Alternatives> exact_;
  std::vector<Pattern> patterns_;  // repeating groups: (50xx,xxxx), (60xx,3000), ...
  Action private_action_ = Action::remove;
  std::map<std::pair<std::string, std::uint32_t>, int> types_;  // (SOP class, tag) -> Type 1, 2 or 3
  std::size_t rows_ = 0;
  std::string edition_;
};

}  // namespace medanon::deid
