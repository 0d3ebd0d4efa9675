#pragma once
// One subcommand = one options struct + setup_x (registers it with CLI11) + run_x, each in its
// own file. main() parses, prints the effective configuration and runs the chosen command.

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "dist/mpi_session.hpp"

namespace medanon::app {

struct Command {
  CLI::App* app = nullptr;
  std::function<int(const dist::Communicator&)> run;
};

// Every subcommand takes `--config FILE` (TOML, the format of configs/*.toml).
void add_config_option(CLI::App& command, const std::string& default_file_hint);

Command setup_synth(CLI::App& parent);
Command setup_anonymize(CLI::App& parent);
Command setup_train(CLI::App& parent);
Command setup_infer(CLI::App& parent);
Command setup_evaluate(CLI::App& parent);
Command setup_inspect(CLI::App& parent);

// "medanon 0.1.0" plus the versions of the libraries linked in.
std::string version_text();

}  // namespace medanon::app
