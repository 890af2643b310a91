// Semaphore bound: a pool of K slots used by more than K workers at once.
#include <atomic>
#include <chrono>
#include <semaphore>
#include <thread>
#include <vector>

#include "harness/case.h"

namespace hazardlab {
namespace {

constexpr char kLesson[] = R"(A resource can serve only so many users at once: a pool of two
connections, a device with two channels. Here it is a pool of kSlots slots;
a worker claims a free slot (an atomic flag per slot), uses it for a while
(an I/O wait, a short sleep), and frees it. The claiming code scans for the
first free slot and assumes it will find one, which is true as long as no
more than kSlots workers are inside at once. Nothing enforces that:

  1. workers W1 and W2 claim slots 0 and 1 and wait on their I/O
  2. W3 arrives: it scans slot 0 (busy), slot 1 (busy), and carries on
     to "slot 2", which does not exist: the scan runs off the end of the
     pool and writes into whatever memory follows it
  3. W4..W6 follow it further; three, four, six workers are inside at once

In Python the same mistake only overloads the resource (too many open
connections); in C++ the code that trusted the limit now reads and writes
out of bounds. The outcome is the peak number of workers inside at once,
counted with an atomic counter so that the measurement is not itself a
race. AddressSanitizer reports the out-of-bounds access on the pool.
ThreadSanitizer has nothing to report: every shared access is atomic, and
too many users at once is a capacity bug, not a data race.

The fix is what Python's Semaphore does: std::counting_semaphore<kSlots>
starts with kSlots permits; a worker acquires one before it claims a slot
and releases it after it frees the slot. A worker that finds no permit
waits, so at most kSlots workers are ever inside, and the scan always finds
a free slot.)";

constexpr int kSlots = 2;
constexpr int kWorkers = 6;
constexpr int kUses = 3;
constexpr auto kUseTime = std::chrono::microseconds(200);

struct Slot {
  std::atomic<bool> busy = false;
};

// Counts the workers inside the pool and remembers the most at once.
struct Occupancy {
  std::atomic<int> inside = 0;
  std::atomic<int> peak = 0;

  void enter() {
    const int now = inside.fetch_add(1) + 1;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
  }
  void leave() { inside.fetch_sub(1); }
};

// First free slot. It is only sure to find one if fewer than kSlots other
// workers hold a slot; otherwise it runs past the last slot.
int claim_free_slot(std::vector<Slot>& slots) {
  int index = 0;
  while (slots[static_cast<std::size_t>(index)].busy.exchange(true, std::memory_order_acquire)) {
    yield_point();
    ++index;
  }
  return index;
}

void use_slot(std::vector<Slot>& slots, Occupancy& occupancy) {
  occupancy.enter();
  const int index = claim_free_slot(slots);
  yield_point();
  sleep_for(kUseTime);  // the I/O the slot is for
  slots[static_cast<std::size_t>(index)].busy.store(false, std::memory_order_release);
  occupancy.leave();
}

// Every worker goes straight in: nothing limits how many are inside.
Outcome broken(Threads& threads) {
  std::vector<Slot> slots(kSlots);
  Occupancy occupancy;
  threads.run(kWorkers, [&](int) {
    for (int use = 0; use < kUses; ++use) use_slot(slots, occupancy);
  });
  return occupancy.peak.load();
}

// A permit per slot: the (kSlots + 1)-th worker waits in acquire() until
// someone releases, so the scan always finds a free slot.
Outcome fixed(Threads& threads) {
  std::vector<Slot> slots(kSlots);
  Occupancy occupancy;
  CountingSemaphore<kSlots> permits(kSlots);
  threads.run(kWorkers, [&](int) {
    for (int use = 0; use < kUses; ++use) {
      if (essential("the permits")) permits.acquire();
      use_slot(slots, occupancy);
      if (essential("the permits")) permits.release();
    }
  });
  return occupancy.peak.load();
}

HAZARDLAB_CASE({
    .name = "semaphore_bound",
    .title = "More users than a resource allows, with no semaphore",
    .order = 120,
    .notebook = "a Semaphore lets at most N threads into a section at once, for a resource that "
                "only has N of something",
    .lesson = kLesson,
    .outcome_meaning = "peak workers inside at once",
    .outcomes = {acceptable(below(kSlots + 1), "never more workers inside than slots"),
                 forbidden(above(kSlots), "more workers inside than slots: the scan ran off the pool")},
    .variants = {{"broken", broken,
                  // The writes past the pool can also wreck the heap: a segfault or an abort.
                  {sees(Detector::kDrd, report("Conflicting")),
                   sees(Detector::kHelgrind, report("Possible data race")),
                   misses(Detector::kThreadSafety, "the pool's bound is a count (a semaphore's, "
                                                   "missing here), not a lock held at an access"),
                   pct_sees(forbidden_outcome(), terminates("SIGSEGV"), terminates("SIGABRT")).within(9),
                   outcome_sees(forbidden_outcome(), terminates("SIGSEGV"), terminates("SIGABRT")),
                   misses(Detector::kTsan, "every shared access is atomic: too many users at once is a "
                                           "capacity bug, not a data race"),
                   asan_sees(report("heap-buffer-overflow")),
                   misses(Detector::kAbsl, "a missing bound on how many enter: a count, not a lock order")}},
                 {"fixed", fixed, {false_alarm(Detector::kDrd,
                                       report("Conflicting").in("fixed", "use_slot", "claim_free_slot", "operator()"),
                                       "std::counting_semaphore is an atomic count and a futex inside libstdc++: DRD sees "
                                       "nothing order one user's release before the next one's acquire (5 of 5 trials)"),
                                   false_alarm(Detector::kHelgrind,
                                       report("Possible data race").in("fixed", "use_slot", "claim_free_slot", "operator()"),
                                       "std::counting_semaphore is an atomic count and a futex inside libstdc++: Helgrind sees "
                                       "nothing order one user's release before the next one's acquire (5 of 5 trials)")},
                  mutant("the permits").caught_by(Detector::kOutcome, Detector::kTsan)}},
});

}  // namespace
}  // namespace hazardlab
