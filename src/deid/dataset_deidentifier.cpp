#include "deid/dataset_deidentifier.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcvr.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "deid/dates.hpp"
#include "deid/dcmtk_check.hpp"
#include "deid/identity_values.hpp"

namespace medanon::deid {
namespace {

bool is_sequence(const DcmElement& element) { return element.ident() == EVR_SQ; }

// The item's elements in order, in one walk of its list: getElement(i) seeks from the head each
// time, which made every loop over an item quadratic (5 % of deid's time on small files).
std::vector<DcmElement*> elements_of(DcmItem& item) {
  std::vector<DcmElement*> elements;
  elements.reserve(item.card());
  for (DcmObject* object = item.nextInContainer(nullptr); object != nullptr; object = item.nextInContainer(object)) {
    elements.push_back(static_cast<DcmElement*>(object));
  }
  return elements;
}

// Deletes the item's elements whose tags are doomed (each tag once); returns how many. One walk
// instead of findAndDeleteElement per tag, which walks the item with a heap-allocated stack.
int delete_elements(DcmItem& item, std::vector<DcmTagKey> doomed) {
  std::sort(doomed.begin(), doomed.end());
  doomed.erase(std::unique(doomed.begin(), doomed.end()), doomed.end());
  std::vector<DcmElement*> victims;
  for (DcmElement* element : elements_of(item)) {
    if (std::binary_search(doomed.begin(), doomed.end(), DcmTagKey(element->getTag()))) victims.push_back(element);
  }
  int deleted = 0;
  for (DcmElement* victim : victims) {
    DcmElement* removed = item.remove(victim);
    deleted += removed != nullptr;
    delete removed;
  }
  return deleted;
}

// Overlays (PS3.3 C.9.2, groups 6000-601E) and curves (retired, 5000-501E) can hold drawn
// annotations with names in them; the table lists only some of their attributes, the groups go
// whole (the Clean Graphics Option is not offered).
bool is_overlay_or_curve(std::uint16_t group) {
  return (group & 0xff00) == 0x6000 || (group & 0xff00) == 0x5000;
}

bool is_text_vr(DcmEVR vr) {
  switch (vr) {
    case EVR_AE: case EVR_CS: case EVR_LO: case EVR_LT: case EVR_PN: case EVR_SH:
    case EVR_ST: case EVR_UC: case EVR_UT: return true;
    default: return false;
  }
}

std::string string_value(DcmElement& element) {
  OFString value;
  element.getOFStringArray(value);
  return value.c_str();
}

void put_string(DcmElement& element, const std::string& value) {
  check(element.putString(value.c_str()), "put " + std::string(element.getTag().toString().c_str()));
}

// Attributes whose UIDs name SOP classes (PS3.3 C.12.1, C.17.2, PS3.3 10.3), not instances.
bool names_a_class(const DcmTagKey& key) {
  return key == DCM_SOPClassUID || key == DCM_ReferencedSOPClassUID || key == DCM_RelatedGeneralSOPClassUID ||
         key == DCM_OriginalSpecializedSOPClassUID || key == DCM_SOPClassesInStudy ||
         key == DCM_ReferencedSOPClassUIDInFile;
}

bool is_string_vr(DcmEVR vr) {
  switch (vr) {
    case EVR_AE: case EVR_AS: case EVR_CS: case EVR_DA: case EVR_DS: case EVR_DT: case EVR_IS: case EVR_LO:
    case EVR_LT: case EVR_PN: case EVR_SH: case EVR_ST: case EVR_TM: case EVR_UC: case EVR_UI: case EVR_UR:
    case EVR_UT: return true;
    default: return false;
  }
}

}  // namespace

// A public attribute written with VR UN (PS3.5 6.2.2: by a system whose dictionary lacked it)
// holds its value as implicit little endian bytes. The table's actions depend on the VR (a
// date is shifted, a UID hashed), so a string value is re-made with the dictionary's VR; an
// attribute whose value cannot be interpreted (a sequence, an unknown attribute, binary numbers
// the table wants changed) is removed: what cannot be cleaned is never kept.
// (DCMTK normally converts UN while reading, see dcmtk_settings.hpp; this covers the rest.)
void DatasetDeidentifier::use_dictionary_vrs(DcmItem& item, std::vector<DcmTagKey>& doomed) const {
  std::vector<DcmElement*> unknown;
  for (DcmElement* element : elements_of(item)) {
    if (element->ident() == EVR_UN && element->getTag().getGroup() % 2 == 0) {
      unknown.push_back(element);
    }
  }
  for (DcmElement* element : unknown) {
    const DcmTagKey key = element->getTag();
    const DcmTag dictionary(key);
    const DcmEVR vr = dictionary.getEVR();
    if (!is_string_vr(vr)) {
      const std::optional<Action> action = table_.action_for(key.getGroup(), key.getElement(), "");
      if (vr == EVR_UN || vr == EVR_SQ || (action && *action != Action::keep)) doomed.push_back(key);
      continue;
    }
    Uint8* bytes = nullptr;
    std::string value;
    if (element->getUint8Array(bytes).good() && bytes != nullptr) {
      value.assign(reinterpret_cast<const char*>(bytes), element->getLength());
    }
    while (!value.empty() && (value.back() == ' ' || value.back() == '\0')) value.pop_back();
    DcmElement* typed = nullptr;
    if (DcmItem::newDicomElement(typed, dictionary).bad() || typed == nullptr) {
      doomed.push_back(key);
      continue;
    }
    if (typed->putString(value.c_str()).bad() || item.insert(typed, /*replaceOld=*/OFTrue).bad()) {
      delete typed;
      doomed.push_back(key);
    }
  }
}

void put_dummy_value(DcmElement& element) {
  switch (element.ident()) {
    case EVR_AE: case EVR_CS: case EVR_LO: case EVR_LT: case EVR_PN: case EVR_SH: case EVR_ST: case EVR_UC:
    case EVR_UT: put_string(element, "ANONYMOUS"); break;
    case EVR_AS: put_string(element, "000Y"); break;
    case EVR_DA: put_string(element, "19000101"); break;
    case EVR_DT: put_string(element, "19000101000000"); break;
    case EVR_TM: put_string(element, "000000"); break;
    case EVR_DS: case EVR_IS: case EVR_FL: case EVR_FD: case EVR_SL: case EVR_SS: case EVR_UL: case EVR_US:
    case EVR_SV: case EVR_UV: put_string(element, "0"); break;
    case EVR_UR: put_string(element, "urn:x-medanon:removed"); break;
    case EVR_OB: case EVR_UN: {
      const Uint8 zeros[2] = {0, 0};
      check(element.putUint8Array(zeros, 2), "put dummy bytes");
      break;
    }
    case EVR_OW: {
      const Uint16 zero = 0;
      check(element.putUint16Array(&zero, 1), "put dummy word");
      break;
    }
    default: check(element.clear(), "clear value"); break;
  }
}

void DatasetDeidentifier::clean(DcmItem& item, const InstanceContext& context, PseudonymRecord& record) const {
  std::vector<DcmTagKey> doomed;  // removed after the walk: removing during it would skip elements
  use_dictionary_vrs(item, doomed);  // replaces elements: the walks below start after it
  clean_private(item, context, record, doomed);
  for (DcmElement* element : elements_of(item)) {
    if (element->getTag().getGroup() % 2 == 0) clean_element(*element, context, record, doomed);
  }
  record.attributes_changed += delete_elements(item, std::move(doomed));
}

void DatasetDeidentifier::clean_element(DcmElement& element, const InstanceContext& context,
                                        PseudonymRecord& record, std::vector<DcmTagKey>& doomed) const {
  const DcmTagKey key = element.getTag();
  // Group lengths (retired, PS3.5 7.2) would be wrong after the edits; DCMTK recomputes them.
  if (key.getElement() == 0x0000 || is_overlay_or_curve(key.getGroup())) {
    doomed.push_back(key);
    return;
  }
  const std::optional<Action> action = table_.action_for(key.getGroup(), key.getElement(), context.sop_class_uid);
  if (!action) {
    clean_unlisted(element, context, record, doomed);
    return;
  }
  // The Patient ID is replaced by its pseudonym wherever it is not removed: a consistent dummy
  // (PS3.15 E.1.1 "D") that keeps one patient's instances together across files and ranks.
  if (key == DCM_PatientID && *action != Action::remove) {
    const std::string original = string_value(element);
    const std::string pseudonym = pseudonyms_.patient_id(original);
    record.patient_ids[original] = pseudonym;
    put_string(element, pseudonym);
    record.attributes_changed += pseudonym != original;
    return;
  }
  apply(element, *action, context, record, doomed);
}

void DatasetDeidentifier::apply(DcmElement& element, Action action, const InstanceContext& context,
                                PseudonymRecord& record, std::vector<DcmTagKey>& doomed) const {
  switch (action) {
    case Action::remove: doomed.push_back(element.getTag()); return;
    case Action::zero_length:
      if (is_sequence(element)) {
        auto& sequence = static_cast<DcmSequenceOfItems&>(element);
        record.attributes_changed += sequence.card() > 0;
        while (sequence.card() > 0) delete sequence.remove(0UL);
      } else {
        record.attributes_changed += element.getLength() > 0;
        check(element.clear(), "clear value");
      }
      return;
    case Action::dummy:
      if (is_sequence(element)) {
        clean_sequence(element, context, record);
      } else if (element.ident() == EVR_UI) {
        replace_uids(element, record);
      } else {
        put_dummy_value(element);
        ++record.attributes_changed;
      }
      return;
    case Action::keep:
      if (is_sequence(element)) clean_sequence(element, context, record);
      return;
    case Action::clean:
      if (is_sequence(element)) {
        clean_sequence(element, context, record);
      } else {
        record.attributes_changed += clean_value(element, context);
      }
      return;
    case Action::replace_uid:
      if (is_sequence(element)) {
        clean_sequence(element, context, record);  // U* (PS3.15 E.1.1): the references inside get U
      } else if (element.ident() == EVR_UI) {
        replace_uids(element, record);
      } else {
        put_dummy_value(element);
        ++record.attributes_changed;
      }
      return;
  }
}

// Attributes the table does not list are kept (PS3.15 E.1.1), except values that can carry
// identity whatever the attribute: free text and person names (TextValue (0040,A160) in a
// ContentSequence, UnformattedTextValue (0070,0006) in a GraphicAnnotationSequence, ...) get a
// dummy value, every UID is replaced by its keyed hash unless well known, URLs are removed. The
// same holds inside the sequences a "D" or "K" keeps.
void DatasetDeidentifier::clean_unlisted(DcmElement& element, const InstanceContext& context, PseudonymRecord& record,
                                         std::vector<DcmTagKey>& doomed) const {
  switch (element.ident()) {
    case EVR_SQ: clean_sequence(element, context, record); return;
    case EVR_UI: replace_uids(element, record, names_a_class(element.getTag())); return;
    case EVR_UR: doomed.push_back(element.getTag()); return;
    case EVR_LT: case EVR_ST: case EVR_UT: case EVR_UC: case EVR_PN:
      if (element.getLength() > 0) {
        put_dummy_value(element);
        ++record.attributes_changed;
      }
      return;
    default: return;
  }
}

void DatasetDeidentifier::clean_sequence(DcmElement& element, const InstanceContext& context,
                                         PseudonymRecord& record) const {
  auto& sequence = static_cast<DcmSequenceOfItems&>(element);
  for (unsigned long i = 0; i < sequence.card(); ++i) clean(*sequence.getItem(i), context, record);
}

// Each value of a (possibly multi-valued) UI element mapped through the keyed hash.
void DatasetDeidentifier::replace_uids(DcmElement& element, PseudonymRecord& record, bool class_uid) const {
  if (options_.retain_uids) return;
  std::stringstream values(string_value(element));
  std::string original;
  std::string replaced;
  for (bool first = true; std::getline(values, original, '\\'); first = false) {
    // A class UID of the standard's own namespace names a kind of object, never a patient:
    // kept even when newer than DCMTK's dictionary, so that the output keeps its meaning.
    const bool standard_class = class_uid && is_valid_uid(original) && original.rfind("1.2.840.10008.", 0) == 0;
    const std::string uid = original.empty() || standard_class ? original : pseudonyms_.uid(original);
    if (uid != original) record.uids[original] = uid;
    replaced += (first ? "" : "\\") + uid;
  }
  if (replaced != string_value(element)) ++record.attributes_changed;
  put_string(element, replaced);
}

// "C": dates move by the patient's shift (E.3.6), free text loses the instance's identifying
// values (E.3.5, E.3.7); times of day, numbers and codes are kept.
bool DatasetDeidentifier::clean_value(DcmElement& element, const InstanceContext& context) const {
  const DcmEVR vr = element.ident();
  if (vr == EVR_DA || vr == EVR_DT) {
    const std::string value = string_value(element);
    if (value.empty() || options_.retain_full_dates) return false;
    const std::optional<std::string> shifted =
        vr == EVR_DA ? shift_date(value, context.date_shift_days) : shift_date_time(value, context.date_shift_days);
    if (shifted) {
      put_string(element, *shifted);
    } else {
      put_dummy_value(element);  // a malformed date cannot be shifted, and must not be kept
    }
    return !shifted || *shifted != value;
  }
  if (is_text_vr(vr)) {
    const std::string value = string_value(element);
    const std::string scrubbed = scrub_text(value, context.scrub_needles);
    if (scrubbed != value) put_string(element, scrubbed);
    return scrubbed != value;
  }
  return false;
}

// Private blocks (PS3.5 7.8.1): (gggg,00xx) names the creator of elements (gggg,xx00-xxFF).
// An element stays only when its creator, group and offset are on the safe list; a creator
// stays while one of its elements does.
void DatasetDeidentifier::clean_private(DcmItem& item, const InstanceContext& context, PseudonymRecord& record,
                                        std::vector<DcmTagKey>& doomed) const {
  const bool retain_safe = table_.private_action() == Action::clean && options_.retain_safe_private;
  std::map<std::pair<std::uint16_t, std::uint8_t>, std::string> creators;
  std::map<std::pair<std::uint16_t, std::uint8_t>, bool> block_used;
  const std::vector<DcmElement*> elements = elements_of(item);
  for (DcmElement* element : elements) {
    const DcmTagKey key = element->getTag();
    if (key.getGroup() % 2 == 1 && key.getElement() >= 0x0010 && key.getElement() <= 0x00ff) {
      creators[{key.getGroup(), static_cast<std::uint8_t>(key.getElement())}] = string_value(*element);
    }
  }
  for (DcmElement* element : elements) {
    const DcmTagKey key = element->getTag();
    const std::uint16_t group = key.getGroup();
    if (group % 2 == 0) continue;
    if (key.getElement() >= 0x0010 && key.getElement() <= 0x00ff) continue;  // creators: decided below
    if (key.getElement() < 0x1000) {
      // (gggg,0001-000F) are illegal, (gggg,0100-0FFF) belong to no block (PS3.5 7.8.1): no
      // creator vouches for them, so nothing can declare them safe.
      doomed.push_back(key);
      continue;
    }
    const std::pair<std::uint16_t, std::uint8_t> block{group, static_cast<std::uint8_t>(key.getElement() >> 8)};
    const auto creator = creators.find(block);
    const bool safe = retain_safe && group > 0x0007 && creator != creators.end() &&
                      safe_private_.allows(creator->second, group, static_cast<std::uint8_t>(key.getElement() & 0xff));
    if (safe) {
      block_used[block] = true;
      if (is_sequence(*element)) clean_sequence(*element, context, record);
    } else {
      doomed.push_back(key);
    }
  }
  for (const auto& creator : creators) {
    if (!block_used[creator.first]) doomed.push_back(DcmTagKey(creator.first.first, creator.first.second));
  }
}

}  // namespace medanon::deid
