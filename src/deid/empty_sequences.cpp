#include "deid/empty_sequences.hpp"

#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcstack.h>

#include <utility>
#include <vector>

namespace medanon::deid {
namespace {

// Sequences that are Type 2 in the IODs where they occur (PS3.3): kept, empty, even when
// configs/deid/iod-types.tsv does not list the file's class.
const DcmTagKey kType2Sequences[] = {
    DcmTagKey(0x0040, 0x0555),  // Acquisition Context Sequence (Acquisition Context module)
    DcmTagKey(0x0040, 0xA372),  // Performed Procedure Code Sequence (SR Document General)
    DcmTagKey(0x0008, 0x2218),  // Anatomic Region Sequence (DX, MG, IO anatomy)
    DcmTagKey(0x0054, 0x0220),  // View Code Sequence (DX, MG, IO positioning)
    DcmTagKey(0x0040, 0xA370),  // Referenced Request Sequence (SR: 1C, kept when present)
};

bool known_type2(const DcmTagKey& key) {
  for (const DcmTagKey& type2 : kType2Sequences) {
    if (key == type2) return true;
  }
  return false;
}

}  // namespace

std::set<const void*> sequences_with_items(DcmItem& item) {
  std::set<const void*> found;
  DcmStack stack;
  while (item.nextObject(stack, OFTrue).good()) {
    if (auto* sequence = dynamic_cast<DcmSequenceOfItems*>(stack.top()); sequence != nullptr && sequence->card() > 0) {
      found.insert(sequence);
    }
  }
  return found;
}

int remove_emptied_sequences(DcmItem& item, const std::set<const void*>& before, const ProfileTable& table,
                             const std::string& sop_class_uid) {
  std::vector<std::pair<DcmItem*, DcmTagKey>> doomed;
  DcmStack stack;
  while (item.nextObject(stack, OFTrue).good()) {
    auto* sequence = dynamic_cast<DcmSequenceOfItems*>(stack.top());
    if (sequence == nullptr || sequence->card() > 0 || before.count(sequence) == 0) continue;
    const DcmTagKey key = sequence->getTag();
    const std::optional<int> type = table.attribute_type(key.getGroup(), key.getElement(), sop_class_uid);
    // Types are listed per IOD for the top level only; nested sequences are Type 3 unless listed.
    if ((type && *type != 3) || (!type && known_type2(key))) continue;
    auto* parent = stack.card() > 1 ? dynamic_cast<DcmItem*>(stack.elem(1)) : nullptr;
    if (parent != nullptr) doomed.emplace_back(parent, key);
  }
  int removed = 0;
  for (auto it = doomed.rbegin(); it != doomed.rend(); ++it) removed += it->first->findAndDeleteElement(it->second).good();
  return removed;
}

}  // namespace medanon::deid
