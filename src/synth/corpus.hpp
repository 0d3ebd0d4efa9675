#pragma once
// `medanon synth`: renders the corpus across all ranks and writes it under one folder.
//
// Collective contract: generate_corpus is called by every rank. Images are dealt round-robin
// (image i on rank i % size; images cost about the same, so static dealing balances). A
// failure rendering or writing one image is caught on its rank, counted with an allreduce,
// and turned into the same InternalError on every rank, so no rank is left waiting.
// Rank 0 alone writes the CSV, the ground truth and the bad files.

#include <string>

#include "mpi/mpi_session.hpp"
#include "synth/corpus_plan.hpp"

namespace medanon::synth {

struct SynthJobOptions {
  CorpusOptions corpus;
  std::string out;          // corpus root
  bool overwrite = false;   // replace an existing corpus in `out`
  bool bad_files = true;    // also write <out>/bad/
  // Also write <out>/archive_objects/: one CT/MR/US/SR object per DICOM file, with its planted
  // identity in the image's ground-truth record (archive_objects.hpp).
  bool archive_objects = false;
};

struct SynthSummary {
  int images = 0;
  int padchest_images = 0;
  int dicom_files = 0;
  int with_foreign_objects = 0;
  int text_boxes = 0;
  int phi_text_boxes = 0;
  int bad_files = 0;
  double seconds = 0;
};

SynthSummary generate_corpus(const SynthJobOptions& options, const mpi::Communicator& comm);

}  // namespace medanon::synth
