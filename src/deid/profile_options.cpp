#include "deid/profile_options.hpp"

#include "core/errors.hpp"

namespace medanon::deid {

bool ProfileOptions::enabled(ProfileOption option) const {
  switch (option) {
    case ProfileOption::retain_safe_private: return retain_safe_private;
    case ProfileOption::retain_uids: return retain_uids;
    case ProfileOption::retain_device_identity: return retain_device_identity;
    case ProfileOption::retain_institution_identity: return retain_institution_identity;
    case ProfileOption::retain_patient_characteristics: return retain_patient_characteristics;
    case ProfileOption::retain_full_dates: return retain_full_dates;
    case ProfileOption::retain_modified_dates: return retain_modified_dates;
    case ProfileOption::clean_descriptors: return clean_descriptors;
  }
  return false;
}

void validate(const ProfileOptions& options) {
  // PS3.15 E.3.6 offers the two date options as alternatives: dates are kept or shifted.
  if (options.retain_full_dates && options.retain_modified_dates) {
    throw UsageError("the Retain Longitudinal Temporal Information options exclude each other: choose full dates "
                     "or modified dates",
                     Scope::all_ranks);
  }
}

std::vector<MethodCode> method_codes(const ProfileOptions& options, AppliedCleaning applied) {
  std::vector<MethodCode> codes = {{"113100", "Basic Application Confidentiality Profile"}};
  if (options.clean_pixel_data && applied.pixels) codes.push_back({"113101", "Clean Pixel Data Option"});
  if (applied.structured_content) codes.push_back({"113104", "Clean Structured Content Option"});
  if (options.clean_descriptors) codes.push_back({"113105", "Clean Descriptors Option"});
  if (options.retain_full_dates) {
    codes.push_back({"113106", "Retain Longitudinal Temporal Information Full Dates Option"});
  }
  if (options.retain_modified_dates) {
    codes.push_back({"113107", "Retain Longitudinal Temporal Information Modified Dates Option"});
  }
  if (options.retain_patient_characteristics) codes.push_back({"113108", "Retain Patient Characteristics Option"});
  if (options.retain_device_identity) codes.push_back({"113109", "Retain Device Identity Option"});
  if (options.retain_uids) codes.push_back({"113110", "Retain UIDs Option"});
  if (options.retain_safe_private) codes.push_back({"113111", "Retain Safe Private Option"});
  if (options.retain_institution_identity) codes.push_back({"113112", "Retain Institution Identity Option"});
  return codes;
}

}  // namespace medanon::deid
