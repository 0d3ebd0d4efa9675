#include "app/inspect_audit.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "core/errors.hpp"
#include "core/exit_codes.hpp"
#include "audit/audit_file.hpp"

namespace medanon::app {
namespace {

const char* status_name(audit::ItemStatus status) {
  switch (status) {
    case audit::ItemStatus::ok: return "ok";
    case audit::ItemStatus::failed: return "failed";
    case audit::ItemStatus::rejected: return "rejected";
    case audit::ItemStatus::claimed: return "claimed";
  }
  return "?";
}

}  // namespace

int print_audit(const std::string& path, const mpi::Communicator& comm) {
  if (!std::filesystem::is_regular_file(path)) throw InputError("no audit file " + path, Scope::all_ranks);
  std::vector<audit::ItemRecord> records;
  std::int64_t world_size = 0, attempt = 0, flushes = 0, cause = 0, total = 0;
  {
    const audit::AuditFile audit = audit::AuditFile::open_read_only(path, comm.handle());
    records = audit.records();
    world_size = audit.int_attribute("world_size");
    attempt = audit.int_attribute("attempt");
    flushes = audit.int_attribute("flushes");
    cause = audit.int_attribute("no_collective_cause");
    total = audit.int_attribute("items_total");
  }
  std::sort(records.begin(), records.end(), [](const audit::ItemRecord& a, const audit::ItemRecord& b) { return a.item < b.item; });
  long long counts[3] = {0, 0, 0}, anomalies = 0, redacted = 0, flagged = 0, tags = 0;
  std::array<double, audit::kStageCount> seconds{};
  if (comm.is_root()) {
    std::printf("%6s  %-8s  %-8s  %5s %5s %5s  %5s  %10s %7s  %s\n", "item", "status", "gate", "text", "redac", "review",
                "tags", "mask_score", "anomaly", "output / reason");
  }
  for (const audit::ItemRecord& r : records) {
    ++counts[static_cast<int>(r.status)];
    anomalies += r.anomaly == 1;
    redacted += r.text_redacted;
    flagged += r.text_flagged;
    tags += r.tags_changed;
    for (int s = 0; s < audit::kStageCount; ++s) seconds[s] += r.seconds[s];
    if (!comm.is_root()) continue;
    const std::string score = r.mask_score < 0 ? "-" : std::to_string(r.mask_score).substr(0, 6);
    const char* anomaly = r.anomaly < 0 ? "-" : r.anomaly ? "YES" : "no";
    std::printf("%6lld  %-8s  %-8s  %5d %5d %5d  %5d  %10s %7s  %s\n", static_cast<long long>(r.item), status_name(r.status),
                r.gate.empty() ? "-" : r.gate.c_str(), r.text_found, r.text_redacted, r.text_flagged, r.tags_changed,
                score.c_str(), anomaly, r.status == audit::ItemStatus::ok ? r.output.c_str() : r.error.c_str());
  }
  if (comm.is_root()) {
    std::printf("\n%zu of %lld items: %lld ok, %lld failed, %lld rejected; %lld text boxes redacted, %lld flagged for review; "
                "%lld DICOM attributes changed; %lld foreign-object suspects\n",
                records.size(), static_cast<long long>(total), counts[0], counts[1], counts[2], redacted, flagged, tags, anomalies);
    std::printf("mean seconds per item:");
    for (int s = 0; s < audit::kStageCount; ++s) {
      std::printf(" %s %.3f", audit::stage_name(static_cast<audit::Stage>(s)), records.empty() ? 0.0 : seconds[s] / records.size());
    }
    std::printf("\nlast attempt %lld on %lld rank(s), %lld flushes, no_collective_cause %lld\n", static_cast<long long>(attempt),
                static_cast<long long>(world_size), static_cast<long long>(flushes), static_cast<long long>(cause));
    std::fflush(stdout);
  }
  return to_int(counts[1] + counts[2] > 0 ? ExitCode::some_items_failed : ExitCode::ok);
}

}  // namespace medanon::app
