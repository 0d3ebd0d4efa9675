#pragma once
// One dlopen()ed shared object, closed by its owner's destructor.

#include <dlfcn.h>

#include <memory>
#include <string>

namespace medanon::core {

class SharedLibrary {
 public:
  // RTLD_NOW: a missing dependency (a library moved away) fails here, with the loader's
  // message, instead of at the first call. RTLD_LOCAL: its symbols stay out of the global scope,
  // so nothing loaded later binds to its symbols by accident. Throws InternalError with dlerror().
  explicit SharedLibrary(const std::string& path);

  // The address of the exported `name`; throws InternalError when the library lacks it.
  void* symbol(const char* name) const;
  const std::string& path() const { return path_; }

 private:
  struct Closer {
    void operator()(void* handle) const noexcept { dlclose(handle); }
  };
  std::string path_;
  std::unique_ptr<void, Closer> handle_;
};

}  // namespace medanon::core
