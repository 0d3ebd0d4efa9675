#pragma once
// What a de-identified instance says about itself (PS3.15 E.1.1 and E.3):
// Patient Identity Removed, De-identification Method (text and CID 7050 codes), Longitudinal
// Temporal Information Modified, and Burned In Annotation when the pixel stage vouched for it.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <string>

#include "deid/profile_options.hpp"

namespace medanon::deid {

// Only where `applied.pixels` (the pixel stage cleaned or verified this image) does the file
// claim Burned In Annotation NO and the Clean Pixel Data Option.
void put_deidentification_marks(DcmItem& dataset, const ProfileOptions& options, AppliedCleaning applied,
                                const std::string& table_edition);

}  // namespace medanon::deid
