#pragma once
// The synthetic corpus's ground truth (ground_truth.json, see README) as the text evaluation
// needs it: per image its file, its burned-in words, and the identifying values a runner
// would know (the DICOM header is read from the file; PadChest images get their CSV row).

#include <string>
#include <vector>

#include "pixel/phi_matching.hpp"
#include "evaluation/text_scoring.hpp"

namespace medanon::evaluation {

struct TruthImage {
  int index = 0;
  std::string path;    // relative to the corpus root
  std::string layout;  // "padchest" | "dicom"
  std::vector<TruthWord> words;
};

struct TruthBadFile {
  std::string path, defect, expect;  // expect: "reject" (validation) | "gate" (not medical)
};

struct CorpusTruth {
  std::vector<TruthImage> images;
  std::vector<TruthBadFile> bad_files;
};

// Throws InputError when the file is missing or not the synth ground truth.
CorpusTruth read_corpus_truth(const std::string& corpus_root);

// PadChest CSV values a runner has for each PNG, keyed by ImageID (file name): StudyDate (from
// StudyDate_DICOM) and PatientID. Empty when the CSV is absent.
std::map<std::string, pixel::IdentifyingValues> read_padchest_values(const std::string& csv_path);

}  // namespace medanon::evaluation
