#include "core/shared_library.hpp"

#include "core/errors.hpp"

namespace medanon::core {
namespace {

// dlerror() is the only account of why dlopen/dlsym failed; it is cleared by reading it.
std::string last_loader_error() {
  const char* text = dlerror();
  return text != nullptr ? text : "unknown dynamic loader error";
}

}  // namespace

SharedLibrary::SharedLibrary(const std::string& path) : path_(path), handle_(dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
  if (!handle_) throw InternalError("cannot load " + path + ": " + last_loader_error());
}

void* SharedLibrary::symbol(const char* name) const {
  dlerror();  // a null symbol is legal; only dlerror() tells a failure apart
  void* address = dlsym(handle_.get(), name);
  if (address == nullptr) {
    const char* text = dlerror();
    if (text != nullptr) throw InternalError(path_ + " has no symbol " + name + ": " + text);
  }
  return address;
}

}  // namespace medanon::core
