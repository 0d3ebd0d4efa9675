#include "deid/marks.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <string>

#include "deid/dcmtk_check.hpp"

namespace medanon::deid {
namespace {

// LO holds at most 64 characters per value (PS3.5 6.2).
std::string lo_value(const std::string& text) { return text.substr(0, 64); }

}  // namespace

void put_deidentification_marks(DcmItem& dataset, const ProfileOptions& options, AppliedCleaning applied,
                                const std::string& table_edition) {
  check(dataset.putAndInsertString(DCM_PatientIdentityRemoved, "YES"), "put PatientIdentityRemoved");

  const std::vector<MethodCode> codes = method_codes(options, applied);
  std::string method = lo_value(std::string("medanon ") + MEDANON_VERSION + " DICOM PS3.15 " + table_edition);
  for (const MethodCode& code : codes) method += "\\" + lo_value(code.meaning);
  if (options.public_demo_key) method += "\\PUBLIC DEMO KEY: PSEUDONYMS REVERSIBLE BY ANYONE";
  check(dataset.putAndInsertString(DCM_DeidentificationMethod, method.c_str()), "put DeidentificationMethod");

  // Replaced rather than appended: the codes describe what this output went through.
  dataset.findAndDeleteElement(DCM_DeidentificationMethodCodeSequence);
  for (const MethodCode& code : codes) {
    DcmItem* item = nullptr;
    check(dataset.findOrCreateSequenceItem(DCM_DeidentificationMethodCodeSequence, item, -2),
          "add DeidentificationMethodCodeSequence item");
    check(item->putAndInsertString(DCM_CodeValue, code.value), "put CodeValue");
    check(item->putAndInsertString(DCM_CodingSchemeDesignator, "DCM"), "put CodingSchemeDesignator");
    check(item->putAndInsertString(DCM_CodeMeaning, code.meaning), "put CodeMeaning");
  }

  // PS3.15 E.3.6: whether dates were shifted, kept, or removed by the basic profile.
  const char* temporal = options.retain_modified_dates ? "MODIFIED"
                         : options.retain_full_dates   ? "UNMODIFIED"
                                                       : "REMOVED";
  check(dataset.putAndInsertString(DCM_LongitudinalTemporalInformationModified, temporal),
        "put LongitudinalTemporalInformationModified");

  if (applied.pixels) check(dataset.putAndInsertString(DCM_BurnedInAnnotation, "NO"), "put BurnedInAnnotation");
}

}  // namespace medanon::deid
