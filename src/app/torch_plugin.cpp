#include "app/torch_plugin.hpp"

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

#include "core/shared_library.hpp"
#include "core/errors.hpp"

namespace medanon::app {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPluginFile = "medanon_torch.so";

// Beside the executable, wherever it was started from (PATH, a relative path, a Slurm node):
// the build puts both into one folder.
fs::path plugin_path() {
  std::error_code error;
  const fs::path executable = fs::read_symlink("/proc/self/exe", error);
  if (error) throw InternalError("cannot locate the medanon executable (/proc/self/exe): " + error.message());
  return executable.parent_path() / kPluginFile;
}

plugin::TorchEntryPoints load(const core::SharedLibrary& library) {
  using EntryFunction = const plugin::TorchEntryPoints* (*)();
  const auto entry = reinterpret_cast<EntryFunction>(library.symbol(plugin::kTorchEntryPointsSymbol));
  const plugin::TorchEntryPoints* points = entry != nullptr ? entry() : nullptr;
  if (points == nullptr || points->interface_version != plugin::kTorchInterfaceVersion) {
    throw InternalError(library.path() + " is from another medanon build (interface " +
                        (points ? std::to_string(points->interface_version) : std::string("unknown")) + ", expected " +
                        std::to_string(plugin::kTorchInterfaceVersion) + "): rebuild medanon");
  }
  return *points;
}

}  // namespace

const plugin::TorchEntryPoints& torch_plugin() {
  // Function-local statics: loaded by the first caller, kept (the MAE stage's code lives in it)
  // until the process ends.
  static const core::SharedLibrary library = [] {
    const fs::path path = plugin_path();
    if (!fs::exists(path)) {
      throw InternalError("the LibTorch plugin " + path.string() +
                          " is missing; train, infer and the anonymize MAE stage need it (build it with "
                          "`make medanon_torch`, keep it beside the medanon executable, or run anonymize with --no-mae)");
    }
    return core::SharedLibrary(path.string());
  }();
  static const plugin::TorchEntryPoints entry_points = load(library);
  return entry_points;
}

int run_plugin_command(const std::function<int()>& job) {
  try {
    return job();
  } catch (const Error&) {
    throw;
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what(), Scope::this_rank);
  } catch (const std::runtime_error& e) {
    throw InputError(e.what(), Scope::this_rank);
  }
}

}  // namespace medanon::app
