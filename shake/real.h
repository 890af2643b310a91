#pragma once

// The next definition of a wrapped function: the C library's, found with
// dlsym(RTLD_NEXT) once and cached. Under ThreadSanitizer or AddressSanitizer
// the sanitizer's interceptor (linked into the program) is called first and
// reaches the wrapper through its own RTLD_NEXT lookup; the wrapper then goes
// on to the C library.

#include <dlfcn.h>
#include <unistd.h>

#include <atomic>

namespace shake {

// Without the next definition the program cannot go on: say so with write(),
// which allocates nothing, and stop.
[[noreturn]] inline void missing(const char* name) {
  static constexpr char kPrefix[] = "hazardlab shake: no next definition of ";
  (void)!write(STDERR_FILENO, kPrefix, sizeof kPrefix - 1);
  const char* end = name;
  while (*end) ++end;
  (void)!write(STDERR_FILENO, name, static_cast<size_t>(end - name));
  (void)!write(STDERR_FILENO, "\n", 1);
  _exit(127);
}

template <typename Fn>
Fn resolve(const char* name, const char* version) {
  void* found = version ? dlvsym(RTLD_NEXT, name, version) : nullptr;
  if (!found) found = dlsym(RTLD_NEXT, name);
  if (!found) missing(name);
  return reinterpret_cast<Fn>(found);
}

}  // namespace shake

// The next `name`, typed as the C library declares it. `version`: the symbol
// version to prefer, or nullptr; the condition-variable calls need theirs
// (GLIBC_2.3.2), or the lookup may find the old ABI's compatibility version.
#define SHAKE_NEXT_VERSION(name, version)                                        \
  ([]() {                                                                        \
    using Fn = decltype(&::name);                                                \
    static std::atomic<Fn> cached{nullptr};                                      \
    Fn fn = cached.load(std::memory_order_acquire);                              \
    if (!fn) {                                                                   \
      fn = ::shake::resolve<Fn>(#name, version);                                 \
      cached.store(fn, std::memory_order_release);                               \
    }                                                                            \
    return fn;                                                                   \
  }())
#define SHAKE_NEXT(name) SHAKE_NEXT_VERSION(name, nullptr)
