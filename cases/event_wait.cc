// Event wait: waiters spin on a plain bool until another thread sets it.
#include <array>
#include <atomic>
#include <latch>

#include "harness/case.h"

namespace hazardlab {
namespace {

constexpr char kLesson[] = R"(Python's threading.Event lets threads wait until another thread says "go".
The tempting C++ stand-in is a plain bool: the setter prepares something
and sets the bool to true, the waiters loop until they see it. Three
waiters here wait for a setter that first prepares a value for them.

  1. the waiters read the bool: false, and read it again, and again
  2. the setter stores the prepared value, then stores true into the bool
  3. a waiter's next read sees true, and it reads the prepared value
  4. nothing in the language connects steps 2 and 3: they are a data race

On x86 this usually works, which is what makes it dangerous. Because the
plain bool is a data race, the compiler may assume no other thread changes
it: it can read it once, before the loop, and spin forever (this case's
spin calls spin_point(), an opaque call, which stops that, so that the
broken variant ends). A processor with a weaker memory order than x86 may
also let a waiter see true before it sees the prepared value. The outcome
is how many waiters found the prepared value: on x86, with the stores in
this order, all of them, so the outcome detector is blind here; the race
is what ThreadSanitizer reports.

The fixes wait on something the language knows is shared: a std::atomic
bool that the setter stores and notifies and the waiters wait() on
(`fixed`), or a std::latch of count 1 that the setter counts down
(`fixed_latch`). Both make the setter's writes before the signal visible
to every thread that returns from the wait, and both block instead of
burning a core while they wait.)";

constexpr int kWaiters = 3;
constexpr int kPrepared = 42;

// Some work before the signal, with switch points, so the waiters spin.
int prepare() {
  for (int i = 0; i < 200; ++i) yield_point();
  return kPrepared;
}

int count_found(const std::array<int, kWaiters>& found) {
  int count = 0;
  for (int value : found) count += value == kPrepared ? 1 : 0;
  return count;
}

// A plain bool as the event. The spin_point() in the spin is an opaque
// call: without it the compiler may read `set` once and loop forever.
Outcome broken(Threads& threads) {
  int prepared = 0;
  bool set = false;
  std::array<int, kWaiters> found{};
  threads.run(kWaiters + 1, [&](int index) {
    if (index == kWaiters) {
      prepared = prepare();
      set = true;
    } else {
      while (!set) spin_point();
      found[index] = prepared;
    }
  });
  return count_found(found);
}

// An atomic bool: the store and the load are ordered (sequentially
// consistent by default), and wait() blocks until the value changes.
Outcome fixed(Threads& threads) {
  int prepared = 0;
  std::atomic<bool> set = false;
  std::array<int, kWaiters> found{};
  threads.run(kWaiters + 1, [&](int index) {
    if (index == kWaiters) {
      prepared = prepare();
      set.store(true, essential(std::memory_order_seq_cst, "the flag's ordering"));
      atomic_notify_all(set);
    } else {
      yield_point();
      atomic_wait(set, false);
      found[index] = prepared;
    }
  });
  return count_found(found);
}

// A one-shot latch: count_down() happens before every wait() it releases.
Outcome fixed_latch(Threads& threads) {
  int prepared = 0;
  Latch set(1);
  std::array<int, kWaiters> found{};
  threads.run(kWaiters + 1, [&](int index) {
    if (index == kWaiters) {
      prepared = prepare();
      if (essential("the count_down")) set.count_down();
    } else {
      yield_point();
      set.wait();
      found[index] = prepared;
    }
  });
  return count_found(found);
}

HAZARDLAB_CASE({
    .name = "event_wait",
    .title = "Waiting for an event by spinning on a plain bool",
    .order = 80,
    .notebook = "threading.Event: one thread waits until another one signals it may go on",
    .lesson = kLesson,
    .outcome_meaning = "waiters that found the prepared value",
    .outcomes = {acceptable(equals(kWaiters), "every waiter saw the value prepared before the signal"),
                 forbidden(below(kWaiters), "a waiter went on without the prepared value")},
    .variants = {{"broken", broken,
                  {sees(Detector::kDrd, report("Conflicting")),
                   sees(Detector::kHelgrind, report("Possible data race")),
                   misses(Detector::kThreadSafety, "the flag is an atomic and the value has no "
                                                   "lock: memory order, which the analysis does "
                                                   "not reason about"),
                   pct_misses("a controlled run is sequentially consistent: a waiter that sees the flag also "
                              "sees the value stored before it"),
                   misses(Detector::kOutcome,
                          "x86 keeps the setter's two stores in order and the opaque call in the spin "
                          "keeps the compiler from caching the flag, so every waiter finds the value; "
                          "the bug is the data race itself"),
                   tsan_sees(report("data race")),
                   misses(Detector::kAsan, "no memory is misused: the flag and the value are valid "
                                           "for the whole run"),
                   misses(Detector::kAbsl, "a spin on a plain flag: no lock is taken, so there is no lock order to "
                                           "check")}},
                 {"fixed", fixed, {false_alarm(Detector::kDrd, report("Conflicting").in("fixed", "operator()"),
                                       "the flag is a std::atomic with wait and notify, no pthread call: DRD sees nothing order "
                                       "the value's write before its read (3 of 3 trials)"),
                                   false_alarm(Detector::kHelgrind, report("Possible data race").in("fixed", "operator()"),
                                       "the flag is a std::atomic with wait and notify, no pthread call: Helgrind sees nothing "
                                       "order the value's write before its read (5 of 5 trials)")},
                  mutant("the flag's ordering").caught_by(Detector::kTsan)},
                 {"fixed_latch", fixed_latch, {false_alarm(Detector::kDrd, report("Conflicting").in("fixed_latch", "operator()"),
                                                   "std::latch is an atomic count and a futex inside libstdc++: DRD sees nothing order "
                                                   "count_down before wait (3 of 3 trials)"),
                                               false_alarm(Detector::kHelgrind, report("Possible data race").in("fixed_latch", "operator()"),
                                                   "std::latch is an atomic count and a futex inside libstdc++: Helgrind sees nothing order "
                                                   "count_down before wait (5 of 5 trials)")},
                  mutant("the count_down").caught_by(Detector::kOutcome)}},
});

}  // namespace
}  // namespace hazardlab
