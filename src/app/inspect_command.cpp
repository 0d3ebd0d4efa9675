// `medanon inspect`: print a run's audit and write review overlays
// Not implemented yet: it lands with issue #4. Until then it exits with the documented
// "not implemented" code instead of pretending to succeed.

#include "app/command.hpp"
#include "core/errors.hpp"

namespace medanon::app {

Command setup_inspect(CLI::App& parent) {
  CLI::App* command = parent.add_subcommand("inspect", "print a run's audit and write review overlays (not implemented yet: issue #4)");
  add_config_option(*command, "configs/inspect.toml");
  auto run = [](const dist::Communicator&) -> int {
    throw NotImplementedError("medanon inspect is not implemented yet (issue #4)", Scope::all_ranks);
  };
  return {command, run};
}

}  // namespace medanon::app
