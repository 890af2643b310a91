// The GIL does not make a read-modify-write atomic: lost updates with no data race.
#include <mutex>

#include "harness/case.h"

namespace hazardlab {
namespace {

constexpr char kLesson[] = R"(CPython runs one thread at a time: a thread must hold the global interpreter
lock (GIL) to run, and it hands the lock on only at switch points (a
time.sleep(0), a blocking call, or when its time slice is up). It is
tempting to conclude that threads cannot race under a GIL. They cannot race
on memory: every access happens while holding one lock. They can still race
on *logic*, because a switch can fall between reading a value and writing it
back. This case emulates the GIL with one std::mutex and repeats the lost
update counter under it: four threads, 10,000 increments each.

  1. T1 holds the GIL, reads counter == 7
  2. T1 reaches a switch point: it releases the GIL
  3. T2 takes the GIL and increments: 7 -> 8 -> 9 -> 10
  4. T1 takes the GIL back and writes 8: every increment T2 made is gone

The count falls short of 40,000, yet ThreadSanitizer has nothing to say:
each read and write of the counter is made under the GIL mutex, so all of
them are ordered by happens-before and there is no data race. A data race
is a property of memory accesses; a race condition is a property of the
program's logic, and only the second one is here. (AddressSanitizer has
nothing to see either: every access is to valid memory.)

The fix is the same as without a GIL: make the read-modify-write one
indivisible step. `fixed` holds a second, user-level lock across it, as the
notebook's threading.Lock does; a thread that must wait for that lock
releases the GIL while it waits, as CPython does for every blocking call
(otherwise it would wait for the lock while holding the GIL that the lock's
owner needs: a deadlock). `fixed_no_switch` keeps the switch point out of
the read-modify-write; that is correct here only because this emulation
switches nowhere else. Real CPython may switch between any two bytecodes,
and `counter += 1` is several of them: use a lock.)";

constexpr int kThreads = 4;
constexpr int kIncrements = 10'000;
constexpr int kExpected = kThreads * kIncrements;

// A stand-in for CPython's global interpreter lock, small on purpose: a
// thread holds it while it runs and lets go only at a switch point. It is a
// plain std::mutex so that ThreadSanitizer sees what it would see under a
// real GIL: every access to shared state made while holding one lock.
class Gil {
 public:
  void enter() ABSL_EXCLUSIVE_LOCK_FUNCTION(mutex_) { mutex_.lock(); }
  void leave() ABSL_UNLOCK_FUNCTION(mutex_) { mutex_.unlock(); }

  // time.sleep(0): let go of the GIL, let another thread run (the scheduler
  // decides at the yield point), take it back.
  void switch_point() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    mutex_.unlock();
    yield_point();
    mutex_.lock();
  }

  // A blocking call runs with the GIL released, as in CPython, so that a
  // thread waiting for a user lock does not stop the lock's owner.
  template <class Wait>
  void blocking(Wait wait) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    mutex_.unlock();
    wait();
    mutex_.lock();
  }

 private:
  Mutex mutex_;
};

// Read under the GIL, switch, write under the GIL: the switch lets other
// threads increment in between, and the write then overwrites their work.
Outcome broken(Threads& threads) {
  Gil gil;
  int counter = 0;
  threads.run(kThreads, [&](int) {
    gil.enter();
    for (int i = 0; i < kIncrements; ++i) {
      const int seen = counter;
      gil.switch_point();
      counter = seen + 1;
    }
    gil.leave();
  });
  return counter;
}

// A user-level lock across the whole read-modify-write: another thread may
// take the GIL at the switch, but it cannot take the counter's lock, so it
// cannot read the counter until this thread has written it.
Outcome fixed(Threads& threads) {
  Gil gil;
  Mutex counter_lock;
  int counter = 0;
  // The counter lock is taken inside gil.blocking() (another function) and
  // left out whole by the mutation test's switch: clang's thread-safety
  // analysis follows neither, so this worker is not analyzed.
  threads.run(kThreads, [&](int) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    gil.enter();
    for (int i = 0; i < kIncrements; ++i) {
      if (essential("the counter lock")) gil.blocking([&]() ABSL_NO_THREAD_SAFETY_ANALYSIS { counter_lock.lock(); });
      const int seen = counter;
      gil.switch_point();
      counter = seen + 1;
      if (essential("the counter lock")) counter_lock.unlock();
    }
    gil.leave();
  });
  return counter;
}

// No switch inside the read-modify-write: the GIL is held from the read to
// the write, and threads switch only between increments.
Outcome fixed_no_switch(Threads& threads) {
  Gil gil;
  int counter = 0;
  threads.run(kThreads, [&](int) {
    gil.enter();
    for (int i = 0; i < kIncrements; ++i) {
      gil.switch_point();
      const int seen = counter;
      counter = seen + 1;
    }
    gil.leave();
  });
  return counter;
}

HAZARDLAB_CASE({
    .name = "gil_atomicity",
    .title = "A GIL does not make read-modify-write atomic",
    .order = 170,
    .notebook = "the GIL lets only one thread run at a time, yet a counter with sleep(0) between its "
                "read and its write still loses increments: the GIL prevents no race conditions",
    .lesson = kLesson,
    .outcome_meaning = "final count",
    .outcomes = {acceptable(equals(kExpected), "every increment landed"),
                 forbidden(below(kExpected), "increments were overwritten across a GIL switch")},
    .variants = {{"broken", broken,
                  {misses(Detector::kDrd, "every access to the counter holds the GIL mutex, so all of them "
                       "are ordered: a race condition, not a data race (0 of 5 trials)"),
                   misses(Detector::kHelgrind, "every access to the counter holds the GIL mutex, so all of them "
                       "are ordered: a race condition, not a data race (0 of 5 trials)"),
                   misses(Detector::kThreadSafety, "the GIL is held at every access to the "
                                                   "counter: the switch between the read and the "
                                                   "write releases and retakes it, and the "
                                                   "analysis checks that a lock is held at each "
                                                   "access, not that the read and the write share "
                                                   "one holding"),
                   pct_sees(forbidden_outcome()).within(6),
                   outcome_sees(forbidden_outcome()),
                   misses(Detector::kTsan, "every access to the counter is made under the GIL mutex, "
                                           "so all of them are ordered: a race condition, not a data race"),
                   misses(Detector::kAsan, "a lost update corrupts a count, not memory"),
                   misses(Detector::kAbsl, "lost updates across a GIL switch: one lock at a time is no lock-order "
                                           "cycle")}},
                 {"fixed", fixed, {}, mutant("the counter lock").caught_by(Detector::kOutcome, Detector::kTsan)},
                 {"fixed_no_switch", fixed_no_switch, {},
                  no_mutant("the fix is where the switch point stands, not one removable line")}},
});

}  // namespace
}  // namespace hazardlab
