#pragma once
// PS3.5 7.5 / PS3.3: a Type 3 sequence is either absent or has items; one that the profile
// emptied (every item removed) must go, or validators count an error the input did not have.
// Type 1 and 2 sequences stay (a Type 2 sequence may be empty; an emptied Type 1 one is the
// profile's business, not this pass's).

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <set>
#include <string>

#include "deid/profile_table.hpp"

namespace medanon::deid {

// The sequences of `item` (any depth) that have items now: taken before cleaning.
std::set<const void*> sequences_with_items(DcmItem& item);

// Removes the sequences that had items (`before`) and have none now, unless the IOD makes
// them Type 1 or 2. Returns how many went.
int remove_emptied_sequences(DcmItem& item, const std::set<const void*>& before, const ProfileTable& table,
                             const std::string& sop_class_uid);

}  // namespace medanon::deid
