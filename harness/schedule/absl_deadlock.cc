#include "harness/schedule/absl_deadlock.h"

#include <dlfcn.h>
#include <execinfo.h>

#include <cstdint>
#include <cstdio>
#include <cstring>

#include "absl/debugging/stacktrace.h"
#include "absl/debugging/symbolize.h"
#include "absl/synchronization/mutex.h"

namespace hazardlab {
namespace {

// Abseil's stack unwinder interface, answered by glibc's backtrace(), which
// unwinds with DWARF call frame information and so walks through Abseil's
// frame-pointer-less frames. Abseil records a stack for each mutex in the
// cycle and prints them in its report.
int unwind_with_backtrace(void** pcs, int* sizes, int max_depth, int skip_count, const void* /*context*/,
                          int* min_dropped_frames) {
  constexpr int kMaxFrames = 64;
  void* frames[kMaxFrames];
  const int found = backtrace(frames, kMaxFrames);
  int kept = 0;
  // +1: this function's own frame.
  for (int i = skip_count + 1; i < found && kept < max_depth; ++i, ++kept) {
    pcs[kept] = frames[i];
    if (sizes) sizes[kept] = 0;
  }
  if (min_dropped_frames) *min_dropped_frames = 0;
  return kept;
}

// Abseil's symbolizer interface: the function's name, then where the pc is in
// its binary, "take() (hazardlab+0x4a2f7)". Abseil knows no source lines;
// the harness looks the offset up with llvm-symbolizer when it reads the
// report (locate_offset_frames in harness/evidence/symbolize.h), so that a
// frame inlined into std::function's invoker still shows its case line.
bool symbolize_with_offset(const void* pc, char* out, int out_size) {
  char name[1024] = "";
  if (!absl::Symbolize(pc, name, sizeof name)) name[0] = '\0';
  Dl_info where;
  if (dladdr(pc, &where) == 0 || !where.dli_fname || !where.dli_fbase) {
    std::snprintf(out, static_cast<std::size_t>(out_size), "%s", name);
    return name[0] != '\0';
  }
  const char* slash = std::strrchr(where.dli_fname, '/');
  const char* binary = slash ? slash + 1 : where.dli_fname;
  const auto offset = reinterpret_cast<std::uintptr_t>(pc) - reinterpret_cast<std::uintptr_t>(where.dli_fbase);
  std::snprintf(out, static_cast<std::size_t>(out_size), "%s (%s+0x%jx)", name, binary,
                static_cast<std::uintmax_t>(offset));
  return true;
}

}  // namespace

void start_absl_deadlock_detection(const char* program) {
  absl::InitializeSymbolizer(program);
  // backtrace() loads libgcc_s on its first call: make that call here, not
  // inside a report, where Abseil holds its deadlock-graph lock.
  void* warm_up[1];
  backtrace(warm_up, 1);
  absl::SetStackUnwinder(unwind_with_backtrace);
  absl::RegisterSymbolizer(symbolize_with_offset);
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kAbort);
}

}  // namespace hazardlab
