#pragma once
// An attribute's value(s) as one string ("a\b" when multi-valued), empty when absent: how the
// input, header and residual-PHI code read a single attribute.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <string>

namespace medanon::input {

inline std::string string_of(DcmItem& item, const DcmTagKey& key) {
  OFString value;
  item.findAndGetOFStringArray(key, value);
  return value.c_str();
}

}  // namespace medanon::input
