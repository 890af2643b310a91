// Lock-order deadlock: two threads take the same two mutexes in opposite orders.
#include <mutex>

#include "harness/case.h"

namespace hazardlab {
namespace {

constexpr char kLesson[] = R"(Two threads each need both of two mutexes, A and B, to update state that
spans them (think of moving money between two accounts, each with its own
lock). T1 takes A and then B; T2 takes B and then A. Each thread on its own
is correct, and most of the time the two simply take turns. The trouble is
the moment between a thread's first lock and its second:

  1. T1 locks A
  2. T1 is switched out at the yield point, before it locks B
  3. T2 locks B
  4. T2 tries to lock A: held by T1, so T2 blocks
  5. T1 resumes and tries to lock B: held by T2, so T1 blocks
  6. each waits for the other forever: a deadlock, and the program hangs

Nothing crashes and nothing is reported: the process just stops making
progress, and only a watchdog turns that into a verdict. ThreadSanitizer
does better than waiting for the unlucky schedule: it records, for every
mutex acquired while another is held, the order "A before B", and reports
a lock-order inversion (a potential deadlock) as soon as some thread takes
them the other way round, even on runs that happen to finish.

There are two fixes. std::scoped_lock(a, b) takes both mutexes as one step
(`fixed`): it never waits for one while holding the other, it backs off and
retries instead, so the order in which callers list them does not matter.
Or make every thread take them in one global order, here always A before B
(`fixed_ordered`): then no thread can hold B while waiting for A, and the
cycle of step 6 cannot form.)";

constexpr int kRounds = 5'000;
constexpr int kExpected = 2 * kRounds;

// The two mutexes, with the order every thread must take them in stated as
// a contract: ABSL_ACQUIRED_BEFORE lets the compiler (the thread-safety
// build) flag a thread that takes B and then A.
struct OrderedLocks {
  Mutex a ABSL_ACQUIRED_BEFORE(b);
  Mutex b;
};

// T1 locks A then B, T2 locks B then A: a cycle of waits is one switch away.
Outcome broken(Threads& threads) {
  OrderedLocks locks;
  int transfers = 0;  // guarded by both a and b
  threads.run(2, [&](int index) {
    for (int i = 0; i < kRounds; ++i) {
      if (index == 0) {
        LockGuard hold_first(locks.a);
        yield_point();  // holding one, about to wait for the other
        LockGuard hold_second(locks.b);
        ++transfers;
      } else {
        LockGuard hold_first(locks.b);
        yield_point();  // holding one, about to wait for the other
        LockGuard hold_second(locks.a);
        ++transfers;
      }
    }
  });
  return transfers;
}

// std::scoped_lock acquires both as one step (std::lock's try-and-back-off):
// it never blocks on one mutex while holding the other, whatever order the
// caller names them in.
Outcome fixed(Threads& threads) {
  Mutex a;
  Mutex b;
  int transfers = 0;  // guarded by both a and b
  threads.run(2, [&](int index) {
    for (int i = 0; i < kRounds; ++i) {
      if (index == 0) {
        std::scoped_lock both(a, b);
        yield_point();
        ++transfers;
      } else {
        std::scoped_lock both(b, a);
        yield_point();
        ++transfers;
      }
    }
  });
  return transfers;
}

// One global order, A before B, for every thread: whoever holds B already
// holds A, so nobody can hold B while waiting for A.
Outcome fixed_ordered(Threads& threads) {
  OrderedLocks locks;
  int transfers = 0;  // guarded by both a and b
  threads.run(2, [&](int) {
    for (int i = 0; i < kRounds; ++i) {
      LockGuard hold_a(locks.a);
      yield_point();
      LockGuard hold_b(locks.b);
      ++transfers;
    }
  });
  return transfers;
}

HAZARDLAB_CASE({
    .name = "lock_order_deadlock",
    .title = "Two mutexes taken in opposite orders: deadlock",
    .order = 100,
    .notebook = "a lock protects shared state, but two threads that each hold one lock and wait for "
                "the other's wait forever: a deadlock",
    .lesson = kLesson,
    .outcome_meaning = "transfers completed",
    .outcomes = {acceptable(equals(kExpected), "both threads finished every round")},
    .variants = {{"broken", broken,
                  {sees(Detector::kDrd, hang())
                       .because("DRD has no lock-order check, and under Valgrind the two threads deadlock in their "
                       "first round in every trial (5 of 5)"),
                   sees(Detector::kHelgrind, hang())
                       .because("under Valgrind the two threads deadlock in their first round in every trial (5 of 5): "
                       "neither ever holds both locks, so Helgrind records no order to find inverted"),
                   pct_sees(deadlock()).within(37),
                   outcome_sees(hang()),
                   // A run that deadlocks before both orders were ever completed
                   // prints nothing (the inversion is recorded when a lock is
                   // taken, not while it is waited for): then the hang is the evidence.
                   tsan_sees(report("lock-order-inversion"), hang()),
                   asan_sees(hang()),
                   thread_safety_sees(warning("mutex 'a' must be acquired before 'b'")),
                   // absl (measured: 30 of 30 trials, none hung): Abseil records a -> b and
                   // b -> a as the locks are taken and aborts at the acquisition that closes
                   // the cycle, before it can block.
                   sees(Detector::kAbsl, report("potential deadlock")),
                   // absl under controlled schedulers (measured, seed 1 on): pct 100 of 100
                   // schedules the report, walk 20 report and 80 deadlock, gil its one
                   // schedule a deadlock.
                   sees(Detector::kAbsl, report("potential deadlock"), deadlock())
                       .under(SchedulerKind::kPct)
                       .because("Abseil sees only the locks the controller grants: a schedule that "
                                "completes both orders is its report, one that closes the cycle in a "
                                "wait is the controller's deadlock, before Abseil sees that lock")}},
                 {"fixed", fixed, {false_alarm(Detector::kHelgrind, report("lock order violated").in("fixed", "operator()"),
                                       "std::scoped_lock locks one mutex and try-locks the other, backing off and retrying the "
                                       "other way round: Helgrind takes each try-lock that succeeds for an order, and both "
                                       "orders show (5 of 5 trials)")},
                  no_mutant("the fix is how both locks are taken (std::scoped_lock), not one removable line")},
                 {"fixed_ordered", fixed_ordered, {},
                  no_mutant("the fix is the order of two lines, not one removable line")}},
    .deadline = std::chrono::milliseconds(1500),
});

}  // namespace
}  // namespace hazardlab
