// `medanon train`: fine-tune the MAE foreign-object model data-parallel across ranks
// Not implemented yet: it lands with issue #7. Until then it exits with the documented
// "not implemented" code instead of pretending to succeed.

#include "app/command.hpp"
#include "core/errors.hpp"

namespace medanon::app {

Command setup_train(CLI::App& parent) {
  CLI::App* command = parent.add_subcommand("train", "fine-tune the MAE foreign-object model data-parallel across ranks (not implemented yet: issue #7)");
  add_config_option(*command, "configs/train.toml");
  auto run = [](const dist::Communicator&) -> int {
    throw NotImplementedError("medanon train is not implemented yet (issue #7)", Scope::all_ranks);
  };
  return {command, run};
}

}  // namespace medanon::app
