// `medanon deid`: header-only de-identification (DICOM PS3.15 Annex E) of a DICOM tree or file
// list, in one process. The distributed runner (`anonymize`) calls the same per-file stage.

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "app/command.hpp"
#include "core/errors.hpp"
#include "core/exit_codes.hpp"
#include "core/log.hpp"
#include "deid/file_deidentifier.hpp"
#include "deid/mapping_file.hpp"
#include "audit/out_lock.hpp"

namespace medanon::app {
namespace {

namespace fs = std::filesystem;

struct DeidOptions {
  std::vector<std::string> inputs;
  std::string out;
  std::string key;
  bool insecure_key = false;
  bool log_input_names = false;
  std::string write_mapping;
  std::string dates = "modified";
  int threads = 1;  // 0: one per CPU this process may run on
  deid::DeidConfig config;
};

// A shipped data file named relative to the repository ("configs/deid/..."): used as given when
// it exists, else looked up next to the binary's build tree (build/medanon -> build/../configs).
std::string shipped_file(const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute() || fs::exists(path)) return path;
  std::error_code error;
  const fs::path binary = fs::read_symlink("/proc/self/exe", error);
  if (error) return path;
  for (fs::path dir = binary.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
    if (fs::exists(dir / path)) return (dir / path).string();
  }
  return path;
}

// Every regular file under the inputs (folders recursively), sorted: names need not end in .dcm.
std::vector<std::string> input_files(const std::vector<std::string>& inputs) {
  std::vector<std::string> files;
  for (const std::string& input : inputs) {
    if (fs::is_directory(input)) {
      for (const auto& entry : fs::recursive_directory_iterator(input)) {
        if (entry.is_regular_file()) files.push_back(entry.path().string());
      }
    } else if (fs::is_regular_file(input)) {
      files.push_back(input);
    } else {
      throw InputError("input " + input + " is neither a file nor a folder", Scope::all_ranks);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The CPUs this process may run on (its affinity mask: taskset, a Slurm allocation's cpuset),
// not every CPU of the node.
int usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return std::max(1, CPU_COUNT(&set));
}

// results[k] = the result of files[begin + k], on `threads` threads (this one included).
void deidentify_batch(const deid::FileDeidentifier& deidentifier, const std::vector<std::string>& files, size_t begin,
                      const std::string& out, int threads, std::vector<deid::FileResult>& results) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t k = next++; k < results.size(); k = next++) {
      results[k] = deidentifier.deidentify({files[begin + k], out, /*pixels_cleaned=*/false, nullptr});
    }
  };
  std::vector<std::thread> workers;
  for (int t = 1; t < threads && static_cast<size_t>(t) < results.size(); ++t) workers.emplace_back(work);
  work();
  for (std::thread& worker : workers) worker.join();
}

int run_deid(const DeidOptions& given) {
  DeidOptions options = given;
  if (options.threads == 0) options.threads = usable_cpus();
  deid::DeidConfig config = options.config;
  config.options.retain_modified_dates = options.dates == "modified";
  config.options.retain_full_dates = options.dates == "full";
  config.profile_table = shipped_file(config.profile_table);
  config.iod_types = shipped_file(config.iod_types);
  const deid::FileDeidentifier deidentifier(config, deid::ProjectKey::from_file(options.key, options.insecure_key));
  log::info("deid: profile " + deidentifier.table().edition() + ", " + std::to_string(deidentifier.table().size()) +
            " rules; key fingerprint " + deidentifier.key_fingerprint());

  const std::vector<std::string> files = input_files(options.inputs);
  const audit::OutLock out_lock(options.out);  // one job per output folder (exit 8 otherwise)
  deid::MappingFile mapping;
  int ok = 0;
  int failed = 0;
  int duplicates = 0;  // of those failed: another input of the same SOP Instance was written first
  const auto start = std::chrono::steady_clock::now();
  // Files in batches: the workers de-identify a batch (FileDeidentifier is const and
  // thread-safe), then this thread reports it in input order, so logs, the mapping and the
  // summary read the same whatever the thread count. Which of two inputs of one SOP Instance
  // UID is written first can differ between runs with several threads (as between ranks).
  const size_t batch = 64 * static_cast<size_t>(options.threads);
  std::vector<deid::FileResult> results;
  for (size_t begin = 0; begin < files.size(); begin += batch) {
    const size_t count = std::min(batch, files.size() - begin);
    results.assign(count, deid::FileResult{});
    deidentify_batch(deidentifier, files, begin, options.out, options.threads, results);
    for (size_t k = 0; k < count; ++k) {
      const size_t i = begin + k;
      const deid::FileResult& result = results[k];
      // Input paths often hold patient names: the log names a file by its place in the sorted
      // list unless the custodian asks for names (--log-input-names).
      const std::string name = options.log_input_names ? files[i] : "input #" + std::to_string(i + 1);
      if (result.ok) {
        ++ok;
        mapping.add(result.pseudonyms);
        for (const std::string& warning : result.warnings) log::warn("deid: " + name + ": " + warning);
      } else {
        ++failed;
        duplicates += result.duplicate;
        log::rank_error("deid: " + name + ": " + result.error);
      }
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!options.write_mapping.empty()) mapping.write(options.write_mapping);
  std::printf("deid: %d of %zu files de-identified into %s, %d rejected (%d duplicates of an instance already "
              "written), in %.2f s (%.1f files/s); key %s\n",
              ok, files.size(), options.out.c_str(), failed, duplicates, seconds, seconds > 0 ? files.size() / seconds : 0.0,
              deidentifier.key_fingerprint().c_str());
  std::fflush(stdout);
  return to_int(batch_outcome(static_cast<long long>(files.size()), failed));
}

}  // namespace

Command setup_deid(CLI::App& parent) {
  auto options = std::make_shared<DeidOptions>();
  deid::ProfileOptions& profile = options->config.options;
  CLI::App* command = parent.add_subcommand(
      "deid", "de-identify DICOM headers (PS3.15 Basic Profile + options) of a tree or files, single process");
  add_config_option(*command, "configs/deid.toml");
  command->add_option("--in", options->inputs, "DICOM files or folders (searched recursively)")->required();
  command->add_option("--out", options->out, "output root: <out>/<patient>/<study>/<series>/<instance>.dcm")
      ->required();
  command->add_option("--key", options->key, "project key file (mode 0600, at least 16 bytes)")->required();
  command->add_flag("--insecure-key", options->insecure_key, "accept a group/world-readable key file (demos only)")
      ->capture_default_str();
  command->add_flag("--log-input-names", options->log_input_names,
                    "name rejected inputs by path on stderr (paths may hold PHI; default: by their number in the "
                    "sorted input list)")
      ->capture_default_str();
  command->add_option("--threads", options->threads,
                      "files de-identified at once (one process; the same outputs whatever the count, except which of two "
                      "inputs of one SOP Instance UID is written); "
                      "0: one per CPU this process may run on")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  command->add_option("--write-mapping", options->write_mapping,
                      "write original -> pseudonym (patient IDs, UIDs) to this file, mode 0600 (custodian only)");
  command->add_option("--dates", options->dates,
                      "modified: shift per patient (Retain Longitudinal ... Modified Dates); full: keep; "
                      "removed: the basic profile")
      ->check(CLI::IsMember({"modified", "full", "removed"}))
      ->capture_default_str();
  command->add_flag("--retain-patient-characteristics", profile.retain_patient_characteristics,
                    "PS3.15 E.3.7: keep sex, age, size, weight, ...")
      ->capture_default_str();
  command->add_flag("--retain-device-identity", profile.retain_device_identity, "PS3.15 E.3.8")->capture_default_str();
  command->add_flag("--retain-institution-identity", profile.retain_institution_identity, "PS3.15 E.3.12")
      ->capture_default_str();
  command->add_flag("--retain-uids", profile.retain_uids, "PS3.15 E.3.9: keep the original UIDs")
      ->capture_default_str();
  command->add_flag("--clean-descriptors", profile.clean_descriptors,
                    "PS3.15 E.3.5: keep descriptions and comments with identifying values scrubbed")
      ->capture_default_str();
  command->add_flag("--retain-safe-private", profile.retain_safe_private,
                    "PS3.15 E.3.10: keep the private attributes listed in --safe-private-list")
      ->capture_default_str();
  command->add_option("--safe-private-list", options->config.safe_private_list, "allow-list of safe private attributes")
      ->capture_default_str();
  command->add_flag("--header-only-undecodable", options->config.header_only_for_undecodable,
                    "de-identify the header of files whose pixels cannot be decoded (JPEG 2000, ...) instead of "
                    "rejecting them")
      ->capture_default_str();
  command->add_flag("--clean-structured-content", options->config.clean_structured_content,
                    "PS3.15 E.3.4: keep SR/KO content trees, cleaned; without it their Content Sequence is removed")
      ->capture_default_str();
  command->add_flag("--keep-documents-header-only", options->config.keep_documents_header_only,
                    "de-identify the header of encapsulated PDF/CDA/3D documents and keep their payload unchecked "
                    "instead of refusing them")
      ->capture_default_str();
  command->add_option("--profile-table", options->config.profile_table, "PS3.15 Table E.1-1 as TSV")
      ->capture_default_str();
  command->add_option("--iod-types", options->config.iod_types, "attribute Types per IOD for combined action codes")
      ->capture_default_str();

  auto run = [options](const mpi::Communicator& comm) {
    if (comm.size() > 1) {
      throw UsageError("medanon deid runs in one process; use medanon anonymize under mpirun", Scope::all_ranks);
    }
    return run_deid(*options);
  };
  return {command, run};
}

}  // namespace medanon::app
