// `medanon evaluate text`: burned-in text redaction against the ground truth.
// Not implemented yet: it lands with issue #4.

#include "app/evaluate_commands.hpp"
#include "core/errors.hpp"

namespace medanon::app {

Command setup_evaluate_text(CLI::App& evaluate) {
  CLI::App* command = evaluate.add_subcommand("text", "burned-in text redaction against the ground truth (not implemented yet: issue #4)");
  auto run = [](const dist::Communicator&) -> int {
    throw NotImplementedError("medanon evaluate text is not implemented yet (issue #4)", Scope::all_ranks);
  };
  return {command, run};
}

}  // namespace medanon::app
