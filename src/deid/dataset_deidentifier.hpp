#pragma once
// Applies the bound profile to one dataset, recursively: the table's action on every attribute
// of every sequence item at any depth (PS3.15 E.1.1), private attributes removed unless on the
// safe list (E.3.10), overlays (60xx) and curves (50xx) removed whole. Beyond the table
// (docs/security.md): unlisted free text and names get dummies, unlisted UIDs are hashed,
// URLs removed, and values stored as UN are read with their dictionary VR first.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <map>
#include <string>
#include <vector>

#include "deid/profile_table.hpp"
#include "deid/pseudonyms.hpp"
#include "deid/safe_private.hpp"

namespace medanon::deid {

// Everything the walk needs about the instance, fixed before it starts.
struct InstanceContext {
  std::string sop_class_uid;          // picks the IOD's attribute Types for combined codes
  std::string original_patient_id;    // the date shift and the pseudonym derive from it
  int date_shift_days = 0;
  std::vector<std::string> scrub_needles;  // identity_values.hpp
};

// Original -> pseudonym pairs made while cleaning one instance (for the custodian mapping).
// Also counts the attributes the cleaning removed or changed (the audit's tags_changed).
struct PseudonymRecord {
  std::map<std::string, std::string> uids;
  std::map<std::string, std::string> patient_ids;
  int attributes_changed = 0;
};

class DatasetDeidentifier {
 public:
  DatasetDeidentifier(const ProfileTable& table, const Pseudonymizer& pseudonyms, const SafePrivateList& safe_private,
                      const ProfileOptions& options)
      : table_(table), pseudonyms_(pseudonyms), safe_private_(safe_private), options_(options) {}

  // Cleans `item` (a dataset or a sequence item) and everything nested in it.
  void clean(DcmItem& item, const InstanceContext& context, PseudonymRecord& record) const;

 private:
  void clean_element(DcmElement& element, const InstanceContext& context, PseudonymRecord& record,
                     std::vector<DcmTagKey>& doomed) const;
  void apply(DcmElement& element, Action action, const InstanceContext& context,
             PseudonymRecord& record, std::vector<DcmTagKey>& doomed) const;
  void clean_sequence(DcmElement& element, const InstanceContext& context, PseudonymRecord& record) const;
  void clean_unlisted(DcmElement& element, const InstanceContext& context, PseudonymRecord& record,
                      std::vector<DcmTagKey>& doomed) const;
  void use_dictionary_vrs(DcmItem& item, std::vector<DcmTagKey>& doomed) const;
  void clean_private(DcmItem& item, const InstanceContext& context, PseudonymRecord& record,
                     std::vector<DcmTagKey>& doomed) const;
  // `class_uid`: the element names SOP classes (kept under the standard's root when valid).
  void replace_uids(DcmElement& element, PseudonymRecord& record, bool class_uid = false) const;
  // True when the value changed.
  bool clean_value(DcmElement& element, const InstanceContext& context) const;

  const ProfileTable& table_;
  const Pseudonymizer& pseudonyms_;
  const SafePrivateList& safe_private_;
  const ProfileOptions& options_;
};

// A value valid for the VR that identifies nothing (PS3.15 E.1.1 "D"); empty for VRs with no
// meaningful dummy (binary VRs get two zero bytes).
void put_dummy_value(DcmElement& element);

}  // namespace medanon::deid
