#pragma once
// Reading an attribute back in the DICOM tests: its value(s) as one string ("a\b" when
// multi-valued), empty when absent.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <string>

namespace medanon::testing {

inline std::string value_of(DcmItem& item, const DcmTagKey& key) {
  OFString value;
  item.findAndGetOFStringArray(key, value);
  return value.c_str();
}

}  // namespace medanon::testing
