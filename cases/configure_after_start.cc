// Configure after start: the main thread starts a worker and only then fills
// in the settings the worker reads; a lock between them usually, but not
// always, orders the two.
#include <mutex>
#include <thread>

#include "harness/case.h"

namespace hazardlab {
namespace {

constexpr char kLesson[] = R"(The main thread starts a worker, then fills in the settings the worker
will use (width and height) and registers itself under a registry lock.
The worker registers itself under the same lock, then reads the settings.

Nothing makes the settings ready before the worker reads them. Usually it
works anyway: the worker prepares for milliseconds before it registers,
the main thread's writes and registration take microseconds, so the main
thread's lock comes first:

  1. main writes width, height      (outside the lock)
  2. main locks, registers, unlocks
  3. worker locks, registers, unlocks
  4. worker reads width, height     (outside the lock)

Then the unlock in 2 happens before the lock in 3, which orders the writes
in 1 before the reads in 4: there is no data race in that run, and
ThreadSanitizer, which reports only accesses that happens-before leaves
unordered, is right to stay silent. The race needs the other order of the
two critical sections:

  1. worker locks, registers, unlocks
  2. worker reads width == 0        (main has not written yet)
  3. main writes width, height
  4. worker reads height == 480     (a torn pair)

There nothing orders the main thread's writes with the worker's reads: a
data race, and a worker that may see settings half made.

Starting a thread takes tens of microseconds, and ThreadSanitizer's
pthread_create even waits for the new thread to start, so here the worker
first prepares for 30 ms of its own CPU time, as real workers do, and the
main thread's writes and registration take well under one. A free-running
run takes the bad order only when the main thread is held up for longer
than that just after starting the worker. Measured on the 2-core machine
while builds and other test suites shared it (load average 6 to 14):
ThreadSanitizer reported it in 0 of 1,000 free-running runs and in 0 of
1,000 under the random stress scheduler. (A preparation timed on the wall
clock ended early exactly when the machine was busiest: 1 of 1,000.) Under
pct, whose schedules put the worker's lock first as easily as the main
thread's, it reported it in 56 of 100 schedules (seeds 1 to 100), and
explorations from 35 unrelated seeds (1000, 2000, ...) needed a median of
2 schedule(s) and at most 5 to the first report.
A detector that runs the program as it happens to run sees what the
common order shows; a controlled scheduler chooses the order. Valgrind's
Helgrind and DRD show the other side of that: Valgrind runs one thread at a
time, and the worker, busy with its preparation, keeps the turn, so there
the bad order is the common one and both report the race in every run.

The fix makes the settings part of what the lock protects: the main thread
writes them inside its critical section, and the worker reads them inside
its own. Whichever section comes first, the worker sees all of the
settings or none of them (width and height both 0), and every access is
ordered by the lock.)";

struct Settings {
  int width = 0;
  int height = 0;
};

constexpr Settings kConfigured{640, 480};

// The worker's own start-up: milliseconds of work on its own data, which a
// free-running main thread always beats to the lock. No synchronization, and
// under a controlled scheduler no step and no time at all (busy_for).
void prepare() { busy_for(std::chrono::milliseconds(30)); }

// The worker reads the pair in two steps: a switch in between shows whether
// the main thread's writes can land among them.
Settings read_settings(const Settings& settings) {
  Settings seen;
  seen.width = settings.width;
  yield_point();
  seen.height = settings.height;
  return seen;
}

// Settings written and read outside the lock: ordered only when the main
// thread's critical section happens to come first.
Outcome broken(Threads& threads) {
  Mutex registry;
  int registered = 0;
  Settings settings;
  Settings seen;
  std::thread worker(threads.instrumented([&] {
    prepare();
    {
      std::lock_guard lock(registry);
      ++registered;
    }
    seen = read_settings(settings);
  }));
  settings = kConfigured;
  {
    std::lock_guard lock(registry);
    ++registered;
  }
  join(worker);
  return {seen.width, seen.height};
}

// The settings are written and read inside the critical sections: either
// section may come first, and each sees all of the other's writes or none.
Outcome fixed(Threads& threads) {
  Mutex registry;
  int registered = 0;
  Settings settings;
  Settings seen;
  std::thread worker(threads.instrumented([&] {
    prepare();
    std::lock_guard lock(registry);
    ++registered;
    seen = read_settings(settings);
  }));
  {
    EssentialLock lock(registry, "the lock around the settings");
    settings = kConfigured;
    ++registered;
  }
  join(worker);
  return {seen.width, seen.height};
}

HAZARDLAB_CASE({
    .name = "configure_after_start",
    .title = "Settings written after the worker starts: a race only one order shows",
    .order = 230,
    .notebook = "a thread started before the data it reads is ready, with a lock between the two threads "
                "that hides the race whenever the main thread gets there first",
    .lesson = kLesson,
    .outcome_meaning = "the width and height the worker read",
    .outcomes = {acceptable(equals(Outcome{kConfigured.width, kConfigured.height}), "the worker saw the settings"),
                 acceptable(equals(Outcome{0, 0}), "the worker saw none of the settings (it ran first)"),
                 forbidden(anything_else(), "the worker saw the settings half written")},
    .variants = {{"broken", broken,
                  // Valgrind runs one thread at a time, and the worker, spinning through its
                  // preparation, keeps the turn: its lock and its reads come first, the bad
                  // order, in every trial (measured: 100 of 100 for each tool, seeds 1 and
                  // 1001, 50 trials each).
                  {sees(Detector::kDrd, report("Conflicting")),
                   sees(Detector::kHelgrind, report("Possible data race")),
                   pct_misses("the main thread takes no step between starting the worker and writing the "
                              "settings, so under a controlled scheduler the worker's first step, and its "
                              "reads, always come after the writes: the order is wrong only to happens-before"),
                   misses(Detector::kOutcome, "a torn read needs the main thread preempted between its two "
                                              "stores, just after starting the worker: not seen free-running"),
                   misses(Detector::kTsan, "free-running, the main thread's critical section comes first "
                                           "(the worker prepares for 30 ms of CPU first), and the lock "
                                           "orders the accesses: 0 reports in 1,000 runs, and 0 in 1,000 "
                                           "under the random stress scheduler, on a loaded machine"),
                   tsan_pct_sees(report("data race")).within(22),
                   misses(Detector::kAsan, "every access is to live memory: a race, not a memory error"),
                   misses(Detector::kThreadSafety, "the settings state no ABSL_GUARDED_BY: nothing tells the "
                                                   "analysis that the registry lock is what orders them"),
                   misses(Detector::kAbsl, "a race the lock does not order: one lock at a time is no cycle")}},
                 {"fixed", fixed, {}, mutant("the lock around the settings").caught_by(Detector::kTsan)}},
});

}  // namespace
}  // namespace hazardlab
