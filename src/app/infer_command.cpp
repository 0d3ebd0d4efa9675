// `medanon infer`: run the MAE foreign-object model on images and write anomaly maps and masks
// Not implemented yet: it lands with issue #5. Until then it exits with the documented
// "not implemented" code instead of pretending to succeed.

#include "app/command.hpp"
#include "core/errors.hpp"

namespace medanon::app {

Command setup_infer(CLI::App& parent) {
  CLI::App* command = parent.add_subcommand("infer", "run the MAE foreign-object model on images and write anomaly maps and masks (not implemented yet: issue #5)");
  add_config_option(*command, "configs/infer.toml");
  auto run = [](const dist::Communicator&) -> int {
    throw NotImplementedError("medanon infer is not implemented yet (issue #5)", Scope::all_ranks);
  };
  return {command, run};
}

}  // namespace medanon::app
