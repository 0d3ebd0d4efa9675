// medanon: one binary, one subcommand per job kind, run alone, under mpirun or under srun.

#include <malloc.h>
#include <sys/resource.h>

#include <opencv2/core/utils/logger.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <exception>
#include <vector>

#include "app/command.hpp"
#include "core/errors.hpp"
#include "core/exit_codes.hpp"
#include "core/input_limits.hpp"
#include "core/stop_signal.hpp"
#include "core/log.hpp"
#include "deid/dcmtk_settings.hpp"
#include "mpi/mpi_session.hpp"

namespace {

using namespace medanon;

// The edge where exceptions become exit codes. Errors every rank raised together end the job
// cleanly with rank 0 reporting; an error only this rank knows about aborts the whole job,
// because the other ranks may be blocked in a collective waiting for it.
int end_with(const std::exception& error, ExitCode code, Scope scope, const mpi::MpiSession& mpi) {
  if (scope == Scope::all_ranks) {
    if (mpi.rank() == 0) log::rank_error(error.what());
    return to_int(code);
  }
  log::rank_error(error.what());
  if (mpi.size() > 1) mpi::MpiSession::abort(to_int(code));
  return to_int(code);
}

struct Cli {
  CLI::App app{"medanon: de-identify whole medical-image datasets on HPC clusters (MPI + parallel HDF5)"};
  std::string log_level = "info";
  long long max_image_pixels = core::kDefaultMaxImagePixels;
  std::vector<app::Command> commands;

  Cli() {
    app.set_version_flag("--version", app::version_text());
    app.add_option("--log-level", log_level, "debug, info, warn or error")
        ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
        ->capture_default_str();
    app.add_option("--max-image-pixels", max_image_pixels,
                   "largest image any input may decode to (Rows x Columns x Frames), checked before decoding")
        ->check(CLI::Range(1LL, 1LL << 40))
        ->capture_default_str();
    app.require_subcommand(1);
    commands = {app::setup_synth(app),    app::setup_anonymize(app), app::setup_train(app),
                app::setup_infer(app),    app::setup_evaluate(app),  app::setup_inspect(app),
                app::setup_deid(app),     app::setup_adapt(app)};
  }

  const app::Command* chosen() const {
    for (const auto& command : commands) {
      if (command.app->parsed()) return &command;
    }
    return nullptr;
  }

  void parse(std::vector<std::string> args) {
    std::reverse(args.begin(), args.end());  // CLI11 takes the vector back to front
    app.parse(args);
  }
};

// A core dump holds the project key and whatever PHI the rank had in memory, written wherever
// the site's core pattern says: a crash (a bug, a hostile file) must never leave one.
void disable_core_dumps() {
  const rlimit none{0, 0};
  ::setrlimit(RLIMIT_CORE, &none);
}

// Libraries print to the job log (Slurm's), which is no place for what they quote: OpenCV names
// the file it failed on, DCMTK quotes element values. medanon's own messages say what went wrong.
void silence_library_logs() {
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
  deid::configure_dcmtk_for_untrusted_input();
}

// Decompression bombs: the pre-decode checks (input/dicom_preflight.hpp, io/image_header.hpp)
// read the limit. OpenCV's own OPENCV_IO_MAX_IMAGE_PIXELS is read when the library loads, before
// main(), so it stays OpenCV's (1 G pixels) unless the environment sets it; the header checks
// come first anyway.
void limit_image_sizes(long long max_pixels) { core::set_max_image_pixels(max_pixels); }

int run(int argc, char** argv, const mpi::MpiSession& mpi) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto cli = std::make_unique<Cli>();
  // Every rank parses the same argv, so a parse error is raised on all ranks (collective).
  try {
    // The --config file's values first, the command line last (take-last: the line wins).
    cli->parse(app::with_config_file_arguments(cli->app, args));
  } catch (const CLI::ParseError& e) {
    if (mpi.rank() == 0) {
      const int cli_code = cli->app.exit(e);
      return cli_code == 0 ? to_int(ExitCode::ok) : to_int(ExitCode::usage_error);
    }
    return e.get_exit_code() == 0 ? to_int(ExitCode::ok) : to_int(ExitCode::usage_error);
  }
  log::set_level(log::parse_level(cli->log_level));
  limit_image_sizes(cli->max_image_pixels);

  const app::Command* command = cli->chosen();
  if (command == nullptr) return to_int(ExitCode::usage_error);
  if (mpi.rank() == 0) {
    // The effective configuration, re-readable with --config, is part of every job's record.
    const CLI::App& leaf = app::innermost_chosen(*command->app);
    const std::string name = leaf.get_parent() == command->app ? command->app->get_name() + " " + leaf.get_name()
                                                                : command->app->get_name();
    std::printf("# medanon %s: effective configuration (world size %d)\n%s\n", name.c_str(), mpi.size(),
                leaf.config_to_str(true, false).c_str());
    std::fflush(stdout);
  }
  return command->run(mpi::Communicator(MPI_COMM_WORLD));
}

// Every image allocates and frees buffers of several MB (decoded samples, filtered PNG rows,
// detection maps). glibc serves those with mmap and gives them back to the kernel on free, so
// each image paid thousands of page faults for fresh zeroed pages: 12 % of the pixel stages' CPU
// time in a profile, ~7 % of an image's time once kept. Keeping freed memory in the heap for the
// next image costs no more than the peak a rank reaches anyway. glibc's MALLOC_*_ environment
// variables still take precedence.
void keep_freed_memory() {
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, 256 << 20);
  if (std::getenv("MALLOC_TRIM_THRESHOLD_") == nullptr) mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

// A process started without mpirun or srun is an MPI singleton (`medanon deid`, a one-rank
// `anonymize`): Open MPI 4 then starts its runtime as for a job (an orted, transports probed
// for peers it will never have), 0.4-0.7 s of wall time before the first file; `deid` on a
// thousand small files takes about as long. A singleton needs the self transport only.
// Launchers set their rank variables, and an operator's own OMPI_MCA_* settings win.
void start_singletons_lean() {
  for (const char* launched : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"}) {
    if (std::getenv(launched) != nullptr) return;
  }
  ::setenv("OMPI_MCA_ess_singleton_isolated", "1", /*overwrite=*/0);
  ::setenv("OMPI_MCA_btl", "self", 0);
  ::setenv("OMPI_MCA_pml", "ob1", 0);
}

}  // namespace

int main(int argc, char** argv) {
  disable_core_dumps();
  silence_library_logs();
  keep_freed_memory();
  install_stop_signal_handlers();
  start_singletons_lean();
  try {
    mpi::MpiSession mpi(argc, argv);
    log::init(mpi.rank(), mpi.size(), log::Level::info);
    try {
      return run(argc, argv, mpi);
    } catch (const Error& e) {
      return end_with(e, e.code(), e.scope(), mpi);
    } catch (const std::exception& e) {
      return end_with(e, ExitCode::internal_error, Scope::this_rank, mpi);
    }
  } catch (const std::exception& e) {  // MPI could not start: nothing collective is possible
    std::fprintf(stderr, "medanon error: %s\n", e.what());
    return to_int(ExitCode::internal_error);
  }
}
