// `medanon evaluate`: score a run against the synthetic ground truth (text redaction, foreign objects)
// Not implemented yet: it lands with issue #4. Until then it exits with the documented
// "not implemented" code instead of pretending to succeed.

#include "app/command.hpp"
#include "core/errors.hpp"

namespace medanon::app {

Command setup_evaluate(CLI::App& parent) {
  CLI::App* command = parent.add_subcommand("evaluate", "score a run against the synthetic ground truth (text redaction, foreign objects) (not implemented yet: issue #4)");
  add_config_option(*command, "configs/evaluate.toml");
  auto run = [](const dist::Communicator&) -> int {
    throw NotImplementedError("medanon evaluate is not implemented yet (issue #4)", Scope::all_ranks);
  };
  return {command, run};
}

}  // namespace medanon::app
