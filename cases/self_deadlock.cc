// Self-deadlock: a thread locks a mutex it already holds.
#include <mutex>

#include "harness/case.h"

namespace hazardlab {
namespace {

constexpr char kLesson[] = R"(An account guards its balance with a mutex: deposit() locks it, adds,
unlocks. Later someone adds deposit_batch(), which locks the mutex so that
a whole batch lands at once, and then, reusing code, calls deposit() for
each item. deposit() locks the same mutex again, from the same thread:

  1. T1 calls deposit_batch(): locks the mutex (owner: T1)
  2. T1 calls deposit() inside the batch: deposit() tries to lock the mutex
  3. the mutex is held (by T1 itself), so T1 waits for its owner to unlock
  4. its owner is T1, which is waiting: it never unlocks, and T1 waits
     forever; so does every other thread that needs the account

A thread needs no partner to deadlock. For std::mutex this re-lock is
undefined behaviour; with glibc it simply hangs. ThreadSanitizer knows who
owns each mutex and has a "double lock" report, but it checks ownership when
lock() returns, and this lock() never returns: measured, TSan prints
nothing. Under every detector the evidence is the hang, which the watchdog
turns into a verdict.

Python's answer is RLock, a reentrant lock: it counts how many times its
owner has taken it and frees it only when every lock has been undone.
C++ has the same thing as std::recursive_mutex (`fixed`). Often the better
fix is to split the code (`fixed_split`): a private deposit_locked() that
expects the caller to hold the mutex, and public functions that take the
mutex exactly once and call it. Then each function says plainly whether it
locks, and no lock is ever taken twice.)";

constexpr int kThreads = 2;
constexpr int kBatches = 100;
constexpr int kBatchSize = 10;
constexpr int kExpected = kThreads * kBatches * kBatchSize;

// deposit_batch() holds the mutex and calls deposit(), which locks it again.
// ABSL_LOCKS_EXCLUDED states deposit()'s contract (call it without the
// mutex), which the compiler checks at the call in deposit_batch().
Outcome broken(Threads& threads) {
  struct Account {
    Mutex mutex;
    int balance ABSL_GUARDED_BY(mutex) = 0;

    void deposit(int amount) ABSL_LOCKS_EXCLUDED(mutex) {
      LockGuard lock(mutex);  // inside a batch: already held by this thread
      yield_point();
      balance += amount;
    }
    void deposit_batch(int amount, int count) ABSL_LOCKS_EXCLUDED(mutex) {
      LockGuard lock(mutex);
      for (int i = 0; i < count; ++i) deposit(amount);
    }
    // Read once every thread is joined: nothing is left to race with.
    int balance_after_join() const ABSL_NO_THREAD_SAFETY_ANALYSIS { return balance; }
  } account;
  threads.run(kThreads, [&](int) {
    for (int batch = 0; batch < kBatches; ++batch) account.deposit_batch(1, kBatchSize);
  });
  return account.balance_after_join();
}

// A recursive mutex counts its owner's locks: the inner lock() just adds
// one, the inner unlock() takes it away, the outer unlock() releases it.
Outcome fixed(Threads& threads) {
  struct Account {
    RecursiveMutex mutex;
    int balance ABSL_GUARDED_BY(mutex) = 0;

    void deposit(int amount) {
      LockGuard lock(mutex);  // inside a batch: a second, counted lock
      yield_point();
      balance += amount;
    }
    void deposit_batch(int amount, int count) {
      LockGuard lock(mutex);
      for (int i = 0; i < count; ++i) deposit(amount);
    }
    int balance_after_join() const ABSL_NO_THREAD_SAFETY_ANALYSIS { return balance; }
  } account;
  threads.run(kThreads, [&](int) {
    for (int batch = 0; batch < kBatches; ++batch) account.deposit_batch(1, kBatchSize);
  });
  return account.balance_after_join();
}

// The work moves into deposit_locked(), which expects the caller to hold the
// mutex; every public function locks exactly once.
Outcome fixed_split(Threads& threads) {
  struct Account {
    Mutex mutex;
    int balance ABSL_GUARDED_BY(mutex) = 0;

    void deposit_locked(int amount) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex) {  // the caller holds mutex
      yield_point();
      balance += amount;
    }
    void deposit(int amount) ABSL_LOCKS_EXCLUDED(mutex) {  // for single items: locks once
      LockGuard lock(mutex);
      deposit_locked(amount);
    }
    void deposit_batch(int amount, int count) ABSL_LOCKS_EXCLUDED(mutex) {
      EssentialLock lock(mutex, "the batch lock");
      for (int i = 0; i < count; ++i) deposit_locked(amount);
    }
    int balance_after_join() const ABSL_NO_THREAD_SAFETY_ANALYSIS { return balance; }
  } account;
  threads.run(kThreads, [&](int) {
    for (int batch = 0; batch < kBatches; ++batch) account.deposit_batch(1, kBatchSize);
  });
  return account.balance_after_join();
}

HAZARDLAB_CASE({
    .name = "self_deadlock",
    .title = "A thread re-locks a mutex it already holds",
    .order = 110,
    .notebook = "a plain Lock taken twice by the same thread blocks that thread forever; an RLock "
                "can be taken again by its owner",
    .lesson = kLesson,
    .outcome_meaning = "final balance",
    .outcomes = {acceptable(equals(kExpected), "every batch was deposited")},
    .variants = {{"broken", broken,
                  {sees(Detector::kDrd, report("Recursive locking not allowed"))
                       .because("DRD checks a lock request against the locks the thread holds, before it blocks "
                       "(5 of 5 trials; Helgrind and TSan only see the hang)"),
                   sees(Detector::kHelgrind, hang()).because("the re-lock blocks for ever and Helgrind prints nothing (5 of 5 trials)"),
                   pct_sees(deadlock()).within(4),
                   outcome_sees(hang()),
                   // TSan's double-lock check runs after the blocking lock() returns:
                   // here it never does, so TSan prints nothing before the hang.
                   tsan_sees(hang()),
                   asan_sees(hang()),
                   thread_safety_sees(warning("cannot call function 'deposit' while mutex 'mutex' is held")),
                   // absl (measured: 30 of 30 trials, none hung): re-locking a held Mutex is
                   // an edge from the mutex to itself, a cycle of one.
                   sees(Detector::kAbsl, report("potential deadlock")),
                   // absl under controlled schedulers (measured: pct and walk 100 of 100,
                   // gil its one schedule).
                   sees(Detector::kAbsl, deadlock())
                       .under(SchedulerKind::kPct)
                       .because("the controller blocks the second lock of a held Mutex before "
                                "Abseil sees it: the controller's deadlock, not Abseil's report")}},
                 {"fixed", fixed, {},
                  no_mutant("the fix is the mutex's type (recursive), not one removable line")},
                 {"fixed_split", fixed_split, {}, mutant("the batch lock").caught_by(Detector::kTsan)}},
    .deadline = std::chrono::milliseconds(1000),
});

}  // namespace
}  // namespace hazardlab
