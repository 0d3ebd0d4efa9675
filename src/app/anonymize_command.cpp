// `medanon anonymize`: de-identify a dataset (headers, burned-in text, foreign objects) into one shared HDF5 audit
// Not implemented yet: it lands with issue #6. Until then it exits with the documented
// "not implemented" code instead of pretending to succeed.

#include "app/command.hpp"
#include "core/errors.hpp"

namespace medanon::app {

Command setup_anonymize(CLI::App& parent) {
  CLI::App* command = parent.add_subcommand("anonymize", "de-identify a dataset (headers, burned-in text, foreign objects) into one shared HDF5 audit (not implemented yet: issue #6)");
  add_config_option(*command, "configs/anonymize.toml");
  auto run = [](const dist::Communicator&) -> int {
    throw NotImplementedError("medanon anonymize is not implemented yet (issue #6)", Scope::all_ranks);
  };
  return {command, run};
}

}  // namespace medanon::app
