#pragma once
// Fake but realistic identities: names, hospital record numbers, dates, physicians and
// institutions. They are what the pipeline must find and remove, so they are varied.

#include "synth/random.hpp"
#include "synth/records.hpp"

namespace medanon::synth {

// `ordinal` makes record numbers unique within a corpus.
PatientIdentity make_patient(int ordinal, Rng& rng);

// A study of `patient` at a date after the patient's 18th birthday.
StudyIdentity make_study(int patient_index, const PatientIdentity& patient, int ordinal, Rng& rng);

}  // namespace medanon::synth
