#include "app/command.hpp"

namespace medanon::app {

void add_config_option(CLI::App& command, const std::string& default_file_hint) {
  // Not required: compiled-in defaults equal configs/<command>.toml (a test keeps them equal).
  command.set_config("--config", "", "read options from a TOML file, e.g. " + default_file_hint);
}

}  // namespace medanon::app
