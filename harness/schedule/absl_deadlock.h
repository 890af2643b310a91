#pragma once

// Abseil's Mutex deadlock detector, as the absl build's trial children run
// it (harness/schedule/native_mutex.h says what it sees). A no-op in every
// other build.

namespace hazardlab {

#ifdef HAZARDLAB_ABSL_MUTEX
// Turns the detector on in kAbort mode: at the first cycle in the lock-order
// graph it prints its report and aborts, so a trial ends at its first report
// as a sanitizer's does with halt_on_error, and an inversion whose threads
// would really deadlock ends at once instead of at the watchdog's deadline
// (lock_order_deadlock/broken, 30 trials: kAbort 0.4 s in all; kReport the
// same 30 reports, each followed by a hang the watchdog cut, 45 s).
// Also makes its reports show stacks with function names (Debian's library
// has no frame pointers, and Abseil's own unwinder stopped at its first
// frame: every stack was empty). `program` is argv[0], for the symbolizer.
void start_absl_deadlock_detection(const char* program);
#else
inline void start_absl_deadlock_detection(const char*) {}
#endif

}  // namespace hazardlab
