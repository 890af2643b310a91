#pragma once

// The decision half of the shake library: when a wrapped synchronization call
// should be delayed, and by how much. Reproducible: each thread draws from its
// own generator, seeded from the run's seed and the thread's creation order,
// so one seed gives every thread the same sequence of decisions again.
//
// Nothing here allocates, takes a lock or calls a function the library wraps
// (a sanitizer's interceptor may be the caller): delays are raw system calls.

#include <cstdint>

namespace shake {

// The environment variable that switches injection on; without it every
// wrapper only forwards.
inline constexpr char kSeedVariable[] = "HAZARDLAB_SHAKE_SEED";

// Whether the seed variable was set when the library was loaded.
bool enabled();

// The next creation index (the main thread is 0), taken by the parent in
// pthread_create so that numbering follows creation order, not start order.
std::uint64_t next_thread_index();

// Seeds the calling thread's generator for the thread created `index`-th.
void start_thread(std::uint64_t index);

// How a wrapper's point is delayed: `kWindow` where a delay most often
// exposes a bug (entering a condition wait: the check-then-wait window of a
// lost wakeup) sleeps twice as often.
enum class Point { kOrdinary, kWindow };

// Maybe yields or sleeps the calling thread: the one decision a wrapper asks
// for at its synchronization point. Keeps errno.
void perturb(Point point = Point::kOrdinary);

// The C library's syscall(), found once, so that delays never enter the
// library's own syscall wrapper.
long real_syscall(long number, long a0, long a1, long a2, long a3, long a4, long a5);

}  // namespace shake
