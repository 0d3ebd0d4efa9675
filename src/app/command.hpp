#pragma once
// One subcommand = one options struct + setup_x (registers it with CLI11) + run_x, each in its
// own file. main() parses, prints the effective configuration and runs the chosen command.

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "mpi/mpi_session.hpp"

namespace medanon::app {

struct Command {
  CLI::App* app = nullptr;
  std::function<int(const mpi::Communicator&)> run;
};

// Every subcommand takes `--config FILE` (TOML, the format of configs/*.toml). Call first in
// setup_x: it also makes a repeated option take its last value (so the command line wins).
void add_config_option(CLI::App& command, const std::string& default_file_hint);

// `args` (argv without the program name) with the entries of the --config file inserted right
// after the innermost subcommand named in `args` (under `root`); unchanged when no file is given.
// Throws CLI::FileError / CLI::ConversionError for unreadable or malformed files.
std::vector<std::string> with_config_file_arguments(const CLI::App& root, std::vector<std::string> args);

Command setup_synth(CLI::App& parent);
Command setup_deid(CLI::App& parent);
Command setup_anonymize(CLI::App& parent);
Command setup_train(CLI::App& parent);
Command setup_adapt(CLI::App& parent);
Command setup_infer(CLI::App& parent);
Command setup_evaluate(CLI::App& parent);
Command setup_inspect(CLI::App& parent);

// The innermost subcommand chosen under `command` (itself when it has none).
const CLI::App& innermost_chosen(const CLI::App& command);

// "medanon 0.1.0" plus the versions of the libraries linked in.
std::string version_text();

}  // namespace medanon::app
