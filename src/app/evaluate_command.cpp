// `medanon evaluate`: scores a run against the synthetic corpus's ground truth.
//   evaluate text  burned-in text redaction (issue #4): src/app/evaluate_text.cpp
//   evaluate fo    foreign-object maps and masks (issue #5): src/app/evaluate_fo.cpp
//   evaluate run   an anonymize run's audit, end to end (issue #6): src/app/evaluate_run.cpp

#include "app/command.hpp"
#include "app/evaluate_commands.hpp"

namespace medanon::app {

Command setup_evaluate(CLI::App& parent) {
  CLI::App* command = parent.add_subcommand("evaluate", "score a run against the synthetic ground truth");
  add_config_option(*command, "configs/evaluate.toml");
  command->require_subcommand(1);
  const Command text = setup_evaluate_text(*command);
  const Command fo = setup_evaluate_fo(*command);
  const Command whole_run = setup_evaluate_run(*command);
  // The effective configuration and the run are those of the chosen evaluation.
  auto run = [text, fo, whole_run](const mpi::Communicator& comm) -> int {
    if (text.app->parsed()) return text.run(comm);
    return fo.app->parsed() ? fo.run(comm) : whole_run.run(comm);
  };
  return {command, run};
}

}  // namespace medanon::app
