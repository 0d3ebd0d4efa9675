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

std::vector<std::string> with_config_file_arguments(const CLI::App& root, std::vector<std::string> args) {
  // Found before any parse, because a required option (--out) may come from the file alone.
  // The file belongs to the innermost subcommand named on the line (`evaluate text`), and its
  // entries go right after that name, before the user's own options.
  const CLI::App* level = &root;
  size_t insert_at = args.size();
  std::string file;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--config" && i + 1 < args.size()) {
      file = args[++i];
    } else if (arg.rfind("--config=", 0) == 0) {
      file = arg.substr(9);
    } else {
      const auto subcommands = level->get_subcommands([&](const CLI::App* sub) { return sub->get_name() == arg; });
      if (!subcommands.empty()) {
        level = subcommands.front();
        insert_at = i + 1;
      }
    }
  }
  if (file.empty()) return args;
  std::vector<std::string> from_file;
  for (const CLI::ConfigItem& item : CLI::ConfigTOML().from_file(file)) {
    if (!item.parents.empty()) {
      throw CLI::ConversionError("config file: sections are not used (found [" + item.parents.front() + "])");
    }
    if (item.inputs.empty()) {
      from_file.push_back("--" + item.name);
      continue;
    }
    for (const auto& value : item.inputs) from_file.push_back("--" + item.name + "=" + value);
  }
  args.insert(args.begin() + static_cast<std::ptrdiff_t>(insert_at), from_file.begin(), from_file.end());
  return args;
}

const CLI::App& innermost_chosen(const CLI::App& command) {
  const CLI::App* leaf = &command;
  while (!leaf->get_subcommands().empty()) leaf = leaf->get_subcommands().front();
  return *leaf;
}

}  // namespace medanon::app
