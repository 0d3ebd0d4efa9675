#include "deid/empty_sequences.hpp"

#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcstack.h>

#include <utility>
#include <vector>

namespace medanon::deid {

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
    if (type && *type != 3) continue;
    auto* parent = stack.card() > 1 ? dynamic_cast<DcmItem*>(stack.elem(1)) : nullptr;
    if (parent != nullptr) doomed.emplace_back(parent, key);
  }
  int removed = 0;
  for (auto it = doomed.rbegin(); it != doomed.rend(); ++it) removed += it->first->findAndDeleteElement(it->second).good();
  return removed;
}

}  // namespace medanon::deid
