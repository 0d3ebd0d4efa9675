// medanon: one binary, one subcommand per job kind, run alone, under mpirun or under srun.

#include <cstdio>
#include <exception>
#include <vector>

#include "app/command.hpp"
#include "core/errors.hpp"
#include "core/exit_codes.hpp"
#include "core/log.hpp"
#include "dist/mpi_session.hpp"

namespace {

using namespace medanon;

// The edge where exceptions become exit codes. Errors every rank raised together end the job
// cleanly with rank 0 reporting; an error only this rank knows about aborts the whole job,
// because the other ranks may be blocked in a collective waiting for it.
int end_with(const std::exception& error, ExitCode code, Scope scope, const dist::MpiSession& mpi) {
  if (scope == Scope::all_ranks) {
    if (mpi.rank() == 0) log::rank_error(error.what());
    return to_int(code);
  }
  log::rank_error(error.what());
  if (mpi.size() > 1) dist::MpiSession::abort(to_int(code));
  return to_int(code);
}

int run(int argc, char** argv, const dist::MpiSession& mpi) {
  CLI::App cli{"medanon: de-identify whole medical-image datasets on HPC clusters (MPI + parallel HDF5)"};
  cli.set_version_flag("--version", app::version_text());
  std::string log_level = "info";
  cli.add_option("--log-level", log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  cli.require_subcommand(1);
  const std::vector<app::Command> commands = {app::setup_synth(cli),    app::setup_anonymize(cli),
                                              app::setup_train(cli),    app::setup_infer(cli),
                                              app::setup_evaluate(cli), app::setup_inspect(cli)};
  // Every rank parses the same argv, so a parse error is raised on all ranks (collective).
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (mpi.rank() == 0) {
      const int cli_code = cli.exit(e);
      return cli_code == 0 ? to_int(ExitCode::ok) : to_int(ExitCode::usage_error);
    }
    return e.get_exit_code() == 0 ? to_int(ExitCode::ok) : to_int(ExitCode::usage_error);
  }
  log::set_level(log::parse_level(log_level));

  for (const auto& command : commands) {
    if (!command.app->parsed()) continue;
    if (mpi.rank() == 0) {
      // The effective configuration, re-readable with --config, is part of every job's record.
      std::printf("# medanon %s: effective configuration (world size %d)\n%s\n", command.app->get_name().c_str(),
                  mpi.size(), command.app->config_to_str(true, false).c_str());
      std::fflush(stdout);
    }
    return command.run(dist::Communicator(MPI_COMM_WORLD));
  }
  return to_int(ExitCode::usage_error);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    dist::MpiSession mpi(argc, argv);
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
