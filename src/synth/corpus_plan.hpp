#pragma once
// The corpus plan: every decision that is not pixels (who the patients are, which images they
// have, in which layout, size, bit depth, transfer syntax, with which objects). It is computed
// from the seed alone, identically on every rank, so ranks can render any subset of images.

#include <cstdint>
#include <string>
#include <vector>

#include "synth/random.hpp"
#include "synth/records.hpp"

namespace medanon::synth {

struct CorpusOptions {
  int count = 40;                   // images in total (PadChest PNGs + DICOM files)
  std::uint64_t seed = 1;
  int size = 1024;                  // nominal image height in pixels; each image varies +-10 %
  double dicom_fraction = 0.3;      // share of images written as the DICOM archive
  double object_fraction = 0.4;     // share of images with foreign objects
  double eight_bit_fraction = 0.15; // share of images stored with 8 bits instead of 12-16
  // share of images (with or without objects) with hard negatives: calcifications, bone islands
  // (hard_negatives.hpp). 0 (default): none, no hard-negative masks, the corpus as before.
  double hard_negative_fraction = 0.0;
  // false: no burned-in text but the L/R markers (objects, calcifications, everything else as
  // with text): the text-free corpus on which every altered pixel is damage (issue #13).
  bool burned_text = true;
  // true (--object-kinds all): eight more object kinds (ports, Swan-Ganz catheters,
  // tracheostomy tubes, shoulder prostheses, vertebral cement, aortic stent grafts, metal
  // fragments, ECG electrodes) beside the ten classic ones. false keeps every existing seed's
  // corpus as it was.
  bool all_object_kinds = false;
};

struct CorpusPlan {
  CorpusOptions options;
  std::vector<PatientIdentity> patients;
  std::vector<StudyIdentity> studies;
  std::vector<SeriesIdentity> series;
  std::vector<ImagePlan> images;    // index order: PadChest images first, then DICOM files
};

// Throws UsageError for options out of range.
void validate(const CorpusOptions& options);

CorpusPlan make_corpus_plan(const CorpusOptions& options);

// "2.25." followed by the decimal value of 128 random bits (a UUID-derived UID, PS3.5 B.2).
std::string random_uid(Rng& rng);

}  // namespace medanon::synth
