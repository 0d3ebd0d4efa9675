#pragma once
// `medanon anonymize`: every item of a dataset processed exactly once across all ranks, into
// PHI-free files under --out and one shared HDF5 file, resumable after any kill.
//
// Resume design (README "Resume"): per-rank journals are the truth (audit/journal.hpp); the
// HDF5 file is materialised from them at collective flushes and rebuilt from them whenever a
// kill left it behind its journals. A rerun skips journaled items, redoes items that were in
// flight, and deletes their partial (temporary) outputs; any world size can resume any run.
//
// The job in phases, each in its own file: plan (job_plan.hpp: rank 0 decides, every rank
// gets the plan), the audit writer (audit_writer.hpp: the shared HDF5 file), the stages
// (loaded on every rank), the work loop (work_loop.hpp: claim, process, journal, flush), the
// final counts.
//
// Collective contract: run_anonymize is called by every rank. Job-level errors (bad input, out
// inside the input) are found by rank 0 and raised on every rank (Scope::all_ranks); item
// errors are records; an unexpected failure on one rank aborts the job (main.cpp).

#include <functional>
#include <memory>
#include <string>

#include "mpi/mpi_session.hpp"
#include "pipeline/foreign_object_stage.hpp"
#include "pipeline/item_pipeline.hpp"
#include "pixel/pixel_pipeline.hpp"

namespace medanon::pipeline {

struct AnonymizeOptions {
  std::string input;            // DICOM/image tree, or the PadChest image root with --padchest-csv
  std::string padchest_csv;     // PadChest labels CSV
  std::string file_list;        // alternative input: one path per line
  std::string out;
  std::string hdf5;             // default <out>/medanon.h5
  std::string key_file;         // project key (HMAC): required unless insecure_key
  bool insecure_key = false;    // demos: a fixed, publicly known key
  bool restart = false;         // ignore an earlier run in --out and start over
  double flush_seconds = 30;    // collective HDF5 flush interval
  double progress_seconds = 10;
  int threads = 1;              // OpenCV threads per rank (pixel stages); the usual layout is a rank per core
  int shard_index = 0;          // job arrays: this task takes the items i with i % shard_count == shard_index
  int shard_count = 1;
  std::string configs_dir = MEDANON_CONFIG_DIR;  // profile tables (configs/deid/...)
  PipelineOptions stages;
  // As `medanon deid` (deid::DeidConfig): SR/KO content kept and cleaned instead of removed;
  // encapsulated documents written header-only instead of refused.
  bool clean_structured_content = false;
  bool keep_documents_header_only = false;
  pixel::PixelOptions pixel;    // border, padding, fill, OCR... (configs/pixel.toml keys)
  std::string effective_config;  // the run's options in --config format, kept as an HDF5 attribute
  // Makes this rank's foreign-object stage (loads the model); called on every rank when
  // stages.mae is set. The runner needs no LibTorch: app/ passes the MAE in here.
  std::function<std::unique_ptr<ForeignObjectStage>()> make_foreign_object_stage;
};

struct AnonymizeSummary {
  long long items = 0;          // in this job's scope (its shard)
  long long processed_now = 0, ok = 0, failed = 0, rejected = 0, skipped_done = 0;
  int attempt = 0;
  bool interrupted = false;
  double seconds = 0;
  double hdf5_seconds = 0;  // the slowest rank's time in HDF5 output (open, flushes, attributes)
};

AnonymizeSummary run_anonymize(const AnonymizeOptions& options, const mpi::Communicator& comm);

}  // namespace medanon::pipeline
