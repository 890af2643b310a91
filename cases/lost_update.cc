// Lost update: four threads each add 1 to a shared counter 10,000 times.
#include <atomic>
#include <mutex>

#include "harness/case.h"

namespace hazardlab {
namespace {

constexpr char kLesson[] = R"(Four threads each add 1 to one shared counter 10,000 times, so the
counter should end at 40,000. An increment is three steps: read the value,
compute value + 1, write it back. A switch between the read and the write
loses work:

  1. T1 reads counter == 7
  2. T1 is switched out at the yield point
  3. T2 reads counter == 7, writes 8
  4. T1 resumes and writes 8: T2's increment is gone

Every such overlap loses one increment, so the final count falls short of
40,000 by a different amount on each run. ThreadSanitizer reports the race
on the counter whether or not a count was lost in that run: two threads
access it, one writes, and nothing orders them.

The fixes make the read-modify-write indivisible: hold a mutex across it
(`fixed`), or let the hardware do it in one atomic instruction with
fetch_add (`fixed_atomic`).)";

constexpr int kThreads = 4;
constexpr int kIncrements = 10'000;
constexpr int kExpected = kThreads * kIncrements;

// Read, switch, write: the increments of other threads made in between are
// overwritten.
Outcome broken(Threads& threads) {
  int counter = 0;
  threads.run(kThreads, [&](int) {
    for (int i = 0; i < kIncrements; ++i) {
      const int seen = counter;
      yield_point();
      counter = seen + 1;
    }
  });
  return counter;
}

// The same three steps, under one mutex: no other thread can read between
// this thread's read and write, even when it is switched out there.
// ABSL_GUARDED_BY states the rule (hold the mutex to touch the count) so
// that the compiler checks it (the thread-safety build).
Outcome fixed(Threads& threads) {
  struct Counter {
    Mutex mutex;
    int value ABSL_GUARDED_BY(mutex) = 0;
    // Read once every thread is joined: nothing is left to race with.
    int after_join() const ABSL_NO_THREAD_SAFETY_ANALYSIS { return value; }
  } counter;
  threads.run(kThreads, [&](int) {
    for (int i = 0; i < kIncrements; ++i) {
      EssentialLock lock(counter.mutex, "the lock");
      const int seen = counter.value;
      yield_point();
      counter.value = seen + 1;
    }
  });
  return counter.after_join();
}

// One indivisible read-modify-write; nothing to switch in between.
Outcome fixed_atomic(Threads& threads) {
  std::atomic<int> counter = 0;
  threads.run(kThreads, [&](int) {
    for (int i = 0; i < kIncrements; ++i) {
      yield_point();
      counter.fetch_add(1, std::memory_order_relaxed);
    }
  });
  return counter.load();
}

HAZARDLAB_CASE({
    .name = "lost_update",
    .title = "Lost update on a shared counter",
    .order = 10,
    .notebook = "a counter shared by threads, with a deliberate switch (sleep(0)) between reading and "
                "writing it, ends below the expected total",
    .lesson = kLesson,
    .outcome_meaning = "final count",
    .outcomes = {acceptable(equals(kExpected), "every increment landed"),
                 forbidden(below(kExpected), "increments were overwritten")},
    .variants = {{"broken", broken,
                  {sees(Detector::kDrd, report("Conflicting")),
                   sees(Detector::kHelgrind, report("Possible data race")),
                   misses(Detector::kThreadSafety, "no lock at all: the analysis checks the "
                                                   "locking contract the code states "
                                                   "(ABSL_GUARDED_BY), and this code states none, "
                                                   "so there is nothing to break"),
                   pct_sees(forbidden_outcome()).within(6),
                   outcome_sees(forbidden_outcome()),
                   tsan_sees(report("data race")),
                   tsan_pct_sees(report("data race")).within(4),
                   misses(Detector::kAsan, "a lost update corrupts a count, not memory"),
                   misses(Detector::kAbsl, "a data race on a counter: no lock is taken, so there is no lock order to "
                                           "check")}},
                 {"fixed", fixed, {}, mutant("the lock").caught_by(Detector::kOutcome, Detector::kTsan)},
                 {"fixed_atomic", fixed_atomic, {},
                  no_mutant("the atomic type is the fix: without it the code is the broken variant")}},
});

}  // namespace
}  // namespace hazardlab
