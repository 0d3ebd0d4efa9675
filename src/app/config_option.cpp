#include <algorithm>

#include "app/command.hpp"

namespace medanon::app {

// CLI11 2.1 (Debian's) reads `set_config` files only for the top-level app, never for a
// subcommand. So each subcommand's `--config` is a plain option, and main() re-parses with the
// file's entries inserted as `--key=value` arguments in front of the user's own: with the
// take-last policy, the command line overrides the file.
void add_config_option(CLI::App& command, const std::string& default_file_hint) {
  command.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  command.add_option("--config")
      ->description("read options from a TOML file, e.g. " + default_file_hint)
      ->type_name("FILE")
      ->check(CLI::ExistingFile)
      ->configurable(false);
}

std::vector<std::string> with_config_file_arguments(const CLI::App& command, std::vector<std::string> args) {
  // A nested command (`evaluate text`) may take the file at any level; its options belong to the
  // innermost command chosen.
  const CLI::Option* config = nullptr;
  for (const CLI::App* level = &command; level != nullptr && config == nullptr; level = level->get_parent()) {
    const CLI::Option* candidate = level->get_option_no_throw("--config");
    if (candidate != nullptr && candidate->count() > 0) config = candidate;
  }
  if (config == nullptr) return args;
  std::vector<std::string> from_file;
  for (const CLI::ConfigItem& item : CLI::ConfigTOML().from_file(config->as<std::string>())) {
    if (!item.parents.empty()) {
      throw CLI::ConversionError("config file: sections are not used (found [" + item.parents.front() + "])");
    }
    if (item.inputs.empty()) {
      from_file.push_back("--" + item.name);
      continue;
    }
    for (const auto& value : item.inputs) from_file.push_back("--" + item.name + "=" + value);
  }
  // The subcommand's name is the first argument equal to it; its own options follow it.
  auto position = std::find(args.begin(), args.end(), command.get_name());
  if (position == args.end()) return args;
  args.insert(position + 1, from_file.begin(), from_file.end());
  return args;
}

const CLI::App& innermost_chosen(const CLI::App& command) {
  const CLI::App* leaf = &command;
  while (!leaf->get_subcommands().empty()) leaf = leaf->get_subcommands().front();
  return *leaf;
}

}  // namespace medanon::app
