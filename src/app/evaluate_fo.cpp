// `medanon evaluate fo`: foreign-object anomaly maps and masks against the ground truth (AUROC, Dice).
// Not implemented yet: it lands with issue #5.

#include "app/evaluate_commands.hpp"
#include "core/errors.hpp"

namespace medanon::app {

Command setup_evaluate_fo(CLI::App& evaluate) {
  CLI::App* command = evaluate.add_subcommand("fo", "foreign-object anomaly maps and masks against the ground truth (AUROC, Dice) (not implemented yet: issue #5)");
  auto run = [](const dist::Communicator&) -> int {
    throw NotImplementedError("medanon evaluate fo is not implemented yet (issue #5)", Scope::all_ranks);
  };
  return {command, run};
}

}  // namespace medanon::app
