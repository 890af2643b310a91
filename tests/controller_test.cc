// Controlled schedulers (walk, pct, gil): one thread runs at a time, every
// yield point and harness synchronization operation is a step, and a run is
// a function of its ScheduleSpec. The variants below run in child processes
// (re-executions of this binary), so a deadlock or a stall cannot take the
// test down; every test checks the evidence a run leaves (exact outcomes,
// ops, thread indices, stacks, traces), not merely how the child exited.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <cstdlib>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "harness/case.h"
#include "harness/registry.h"
#include "tests/catalog_variants.h"
#include "harness/run/runner.h"
#include "harness/schedule/strategy.h"
#include "harness/evidence/symbolize.h"
#include "harness/run/trial.h"
#include "harness/evidence/verdict.h"

namespace hazardlab {
namespace {

using std::chrono::milliseconds;
using testing::ElementsAre;
using testing::HasSubstr;

constexpr milliseconds kDeadline(2000);
constexpr int kThreads = 4;
constexpr int kIterations = 1000;

// ---------------------------------------------------------------------------
// The variants (run in the child).

// read / yield point / write: a switch at the yield point loses an update.
Outcome unguarded_increments(Threads& threads) {
  int counter = 0;
  threads.run(kThreads, [&](int) {
    for (int i = 0; i < kIterations; ++i) {
      const int seen = counter;
      yield_point();
      counter = seen + 1;
    }
  });
  return counter;
}

// The same increments under a hazardlab::Mutex.
Outcome guarded_increments(Threads& threads) {
  int counter = 0;
  Mutex mutex;
  threads.run(kThreads, [&](int) {
    for (int i = 0; i < kIterations; ++i) {
      std::lock_guard lock(mutex);
      const int seen = counter;
      yield_point();
      counter = seen + 1;
    }
  });
  return counter;
}

// A small run with every kind of step (start, latch, yield, lock, unlock,
// end, join) for replay: {unguarded count, guarded count}.
Outcome mixed_steps(Threads& threads) {
  int racy = 0;
  int guarded = 0;
  Mutex mutex;
  threads.run(3, [&](int) {
    for (int i = 0; i < 10; ++i) {
      const int seen = racy;
      yield_point();
      racy = seen + 1;
      mutex.lock();
      ++guarded;
      mutex.unlock();
    }
  });
  return {racy, guarded};
}

// ABBA: two threads take the same two locks in opposite orders. A switch at
// the yield point between the locks deadlocks them.
constexpr int kInnerLockLine = __LINE__ + 4;  // the line of `second.lock()`
[[gnu::noinline]] void lock_in_order(Mutex& first, Mutex& second) {
  first.lock();
  yield_point();
  second.lock();
  second.unlock();
  first.unlock();
}

Outcome abba(Threads& threads) {
  Mutex a;
  Mutex b;
  threads.run(2, [&](int index) { index == 0 ? lock_in_order(a, b) : lock_in_order(b, a); });
  return 0;
}

// A lost wakeup: the waiter waits without a predicate, so a notification
// sent before it waits is gone. The yield point hands the turn to the
// notifier first under gil.
Outcome lost_wakeup(Threads& threads) {
  Mutex mutex;
  ConditionVariable ready;
  threads.run(2, [&](int index) {
    if (index == 0) {
      yield_point();
      std::unique_lock lock(mutex);
      ready.wait(lock);
    } else {
      ready.notify_one();
    }
  });
  return 1;
}

// Thread 1 spins on a flag nobody sets; thread 2 waits on a latch nobody
// counts down.
constexpr int kSpinLine = __LINE__ + 6;  // the line of the spin loop
Outcome spins_forever(Threads& threads) {
  std::atomic<bool> flag{false};
  Latch never(1);
  threads.run(2, [&](int index) {
    if (index == 0) {
      while (!flag.load()) spin_point();
    } else {
      never.wait();
    }
  });
  return 0;
}

// Thread 1 sleeps three times, then releases thread 2, which waits on a
// latch meanwhile; main waits in join. The outcome is the number of sleeps
// that returned.
constexpr int kSleeps = 3;
Outcome sleeps_while_others_wait(Threads& threads) {
  Latch done(1);
  int slept = 0;
  threads.run(2, [&](int index) {
    if (index == 0) {
      for (int i = 0; i < kSleeps; ++i) {
        sleep_for(milliseconds(1));
        ++slept;
      }
      done.count_down();
    } else {
      done.wait();
    }
  });
  return slept;
}

// The worker blocks in a raw std::mutex that main holds: outside the
// harness, holding the turn.
Outcome blocks_outside_the_harness(Threads& threads) {
  std::mutex raw;
  raw.lock();
  std::thread worker(threads.instrumented([&raw] {
    raw.lock();
    raw.unlock();
  }));
  yield_point();
  join(worker);
  raw.unlock();
  return 0;
}

// Two rounds of threads, one after the other: the second round's threads
// may reuse the first round's std::thread::id values.
Outcome two_rounds(Threads& threads) {
  int counter = 0;
  Mutex mutex;
  for (int round = 0; round < 2; ++round) {
    threads.run(2, [&](int) {
      for (int i = 0; i < 100; ++i) {
        std::lock_guard lock(mutex);
        const int seen = counter;
        yield_point();
        counter = seen + 1;
      }
    });
  }
  return counter;
}

// Two threads take exactly kYieldsEach yield points each and nothing else:
// the case's own steps are 2 * kYieldsEach, whatever the schedule.
constexpr int kYieldsEach = 5;
Outcome yields_only(Threads& threads) {
  threads.run(2, [](int) {
    for (int i = 0; i < kYieldsEach; ++i) yield_point();
  });
  return 0;
}

// Two threads wait on one condition variable; main, once both wait, hands
// out one token with notify_one. The outcome is the index of the worker that
// took it first (-1: none).
Outcome first_woken(Threads& threads) {
  Mutex mutex;
  ConditionVariable cv;
  int waiting = 0;
  int tokens = 0;
  int first = -1;
  WorkerGroup group = threads.start(2, [&](int index) {
    std::unique_lock lock(mutex);
    ++waiting;
    while (tokens == 0) cv.wait(lock);
    --tokens;
    if (first < 0) first = index;
  });
  for (int round = 0; round < 2; ++round) {
    for (;;) {
      std::unique_lock lock(mutex);
      // Both wait (they count themselves and wait in one critical section).
      if (waiting == 2) break;
      lock.unlock();
      spin_point();
    }
    std::lock_guard lock(mutex);
    ++tokens;
    cv.notify_one();
  }
  group.join();
  return first;
}

// One thread, joined; then another. glibc gives the second the first's
// cached stack, and with it the same std::thread::id, unless an uncontrolled
// thread takes that stack in between (`hold_stack`). Outcome: {increments,
// whether the id was reused}.
Outcome joins_after_an_id_is_reused(Threads& threads, bool hold_stack) {
  int counter = 0;
  std::thread first(threads.instrumented([&counter] {
    yield_point();
    ++counter;
  }));
  const std::thread::id first_id = first.get_id();
  join(first);
  std::latch release(1);
  std::thread holder;
  if (hold_stack) holder = std::thread([&release] { release.wait(); });
  std::thread second(threads.instrumented([&counter] {
    yield_point();
    ++counter;
  }));
  const bool reused = second.get_id() == first_id;
  join(second);
  release.count_down();
  if (holder.joinable()) holder.join();
  return {counter, reused ? 1 : 0};
}
Outcome id_reused(Threads& threads) { return joins_after_an_id_is_reused(threads, false); }
Outcome id_fresh(Threads& threads) { return joins_after_an_id_is_reused(threads, true); }

// A worker's captures and thread_locals are destroyed on its turn: each
// destructor takes a step (a harness lock) and appends to a log that the
// next thread's turn also appends to. Outcome: the log, in order.
struct Logged {
  Mutex* mutex;
  std::vector<std::int64_t>* log;
  std::int64_t mark;
  ~Logged() {
    if (!mutex) return;
    std::lock_guard lock(*mutex);
    log->push_back(mark);
  }
};
Outcome cleanup_on_its_own_turn(Threads& threads) {
  Mutex mutex;
  std::vector<std::int64_t> log;
  {
    std::shared_ptr<Logged> captured(new Logged{&mutex, &log, 1});
    std::thread worker(threads.instrumented([captured, &mutex, &log] {
      thread_local Logged at_exit{nullptr, nullptr, 0};
      at_exit.mutex = &mutex;
      at_exit.log = &log;
      at_exit.mark = 2;
    }));
    captured.reset();  // the worker's capture is the last owner
    join(worker);
  }
  std::lock_guard lock(mutex);
  log.push_back(3);  // main, after the join
  return Outcome(std::vector<std::int64_t>(log));
}

HAZARDLAB_CASE({
    .name = "test_controlled",
    .title = "runs under controlled schedulers (harness test only)",
    .order = 10'001,
    .outcomes = {acceptable(anything_else(), "any")},
    .variants = {{"unguarded", unguarded_increments, {}},
                 {"guarded", guarded_increments, {}},
                 {"mixed", mixed_steps, {}},
                 {"abba", abba, {}},
                 {"lost_wakeup", lost_wakeup, {}},
                 {"spin", spins_forever, {}},
                 {"sleep", sleeps_while_others_wait, {}},
                 {"raw_mutex", blocks_outside_the_harness, {}},
                 {"two_rounds", two_rounds, {}},
                 {"yields_only", yields_only, {}},
                 {"first_woken", first_woken, {}},
                 {"id_reused", id_reused, {}},
                 {"id_fresh", id_fresh, {}},
                 {"cleanup", cleanup_on_its_own_turn, {}}},
    .deadline = kDeadline,
});

// ---------------------------------------------------------------------------
// Helpers (in the parent).

const Case& controlled_case() { return *find_case("test_controlled"); }

TrialResult run(const std::string& variant, const ScheduleSpec& spec) {
  const Case& c = controlled_case();
  return run_trial(c, *c.find_variant(variant), spec);
}

ScheduleSpec gil(std::uint64_t seed = 1, int switch_interval = 1) {
  return {.kind = SchedulerKind::kGil, .seed = seed, .switch_interval = switch_interval};
}

ScheduleSpec pct(std::uint64_t seed, std::int64_t steps, bool trace = false) {
  return {.kind = SchedulerKind::kPct, .seed = seed, .depth = 3, .steps = steps, .trace = trace};
}

ScheduleSpec walk(std::uint64_t seed, bool trace = false) {
  return {.kind = SchedulerKind::kWalk, .seed = seed, .trace = trace};
}

// How a trial ended, in one line (for failure messages).
std::string describe(const TrialResult& t) {
  std::string text = absl::StrCat("hung=", t.hung, " exit=", t.exit_code.value_or(-1), " signal=",
                                  t.signal.value_or(0));
  if (t.outcome) absl::StrAppend(&text, " outcome=", t.outcome->to_string());
  if (t.controlled) {
    absl::StrAppend(&text, " steps=", t.controlled->steps, " deadlock records=", t.controlled->deadlock.size());
    if (!t.controlled->stall.empty()) absl::StrAppend(&text, " stall=", t.controlled->stall);
  }
  return absl::StrCat(text, " output=", t.output);
}

// The first index at which two traces differ (a size difference counts).
std::optional<std::size_t> first_difference(const std::vector<StepRecord>& a, const std::vector<StepRecord>& b) {
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    if (a[i].step != b[i].step || a[i].thread != b[i].thread || a[i].op != b[i].op || a[i].stack != b[i].stack) {
      return i;
    }
  }
  if (a.size() != b.size()) return std::min(a.size(), b.size());
  return std::nullopt;
}

// Whether some frame of `stack`, symbolized on its own, is `location` (or,
// with `prefix`, starts with it).
bool some_frame_is(const CallStack& stack, const std::string& location, bool prefix = false) {
  symbolizer().prepare({&stack});  // one llvm-symbolizer run for the whole stack
  for (std::uintptr_t offset : stack) {
    const std::string frame = symbolizer().case_location({offset});
    if (prefix ? frame.starts_with(location) : frame == location) return true;
  }
  return false;
}

const std::string kThisFile = "tests/controller_test.cc";

// ---------------------------------------------------------------------------
// gil

// The controller's own tests run in the dev and asan builds; the tsan builds
// test controlled runs end to end (the tsan preset's pct tests of every
// variant, the cli.tsan_* tests).
class ControllerTest : public testing::Test {
 protected:
  void SetUp() override {
    if (is_tsan(build_detector())) GTEST_SKIP() << "the controller's own tests run in the dev and asan builds";
  }
};

// gil switches at every yield point (interval 1) and round robin, so four
// threads doing read / yield / write read the same value in lockstep and
// three of every four increments are lost: exactly 1000, for every seed
// (gil has no randomness). A switch that skipped a thread, or a yield that
// did not switch, would change the count.
TEST_F(ControllerTest, GilLosesExactlyThreeOfEveryFourUnguardedIncrements) {
  for (std::uint64_t seed : {1, 2, 99}) {
    const TrialResult t = run("unguarded", gil(seed));
    ASSERT_TRUE(t.outcome.has_value()) << describe(t);
    EXPECT_EQ(*t.outcome, Outcome(kIterations)) << "seed " << seed;
    ASSERT_TRUE(t.controlled.has_value());
    EXPECT_EQ(t.controlled->threads, kThreads + 1);  // main and the workers
    EXPECT_TRUE(t.controlled->deadlock.empty());
  }
}

// A hazardlab::Mutex is a real lock under gil: a switch inside the critical
// section sends the others into "lock" and back, and no increment is lost.
TEST_F(ControllerTest, GilKeepsEveryMutexGuardedIncrement) {
  const TrialResult t = run("guarded", gil());
  ASSERT_TRUE(t.outcome.has_value()) << describe(t);
  EXPECT_EQ(*t.outcome, Outcome(kThreads * kIterations));
}

// With a switch interval longer than the whole run, a yield point is not a
// switch point: each thread runs its loop to the end and nothing is lost.
TEST_F(ControllerTest, GilWithALongSwitchIntervalDoesNotSwitchAtYieldPoints) {
  const TrialResult t = run("unguarded", gil(1, 1'000'000));
  ASSERT_TRUE(t.outcome.has_value()) << describe(t);
  EXPECT_EQ(*t.outcome, Outcome(kThreads * kIterations));
}

// ---------------------------------------------------------------------------
// Replay

// A controlled run is a function of its ScheduleSpec: the same spec gives
// the same outcome and the same trace, step by step (number, thread, op,
// stack). That is what makes a printed seed a reproduction.
TEST_F(ControllerTest, TheSameSpecReplaysTheSameTrace) {
  for (const ScheduleSpec& spec : {walk(17, true), pct(17, 150, true)}) {
    SCOPED_TRACE(scheduler_name(spec.kind));
    const TrialResult first = run("mixed", spec);
    const TrialResult second = run("mixed", spec);
    ASSERT_TRUE(first.outcome.has_value()) << describe(first);
    ASSERT_TRUE(second.outcome.has_value()) << describe(second);
    EXPECT_EQ(*first.outcome, *second.outcome);
    EXPECT_EQ(first.outcome->values()[1], 30);  // the guarded count is never short
    const std::vector<StepRecord>& trace = first.controlled->trace;
    // The trace is every step, numbered 1, 2, ..., with a stack each: the
    // case's steps (k) and the harness's own (starts, latch, joins, ends).
    ASSERT_GT(static_cast<std::int64_t>(trace.size()), first.controlled->steps);
    for (std::size_t i = 0; i < trace.size(); ++i) {
      EXPECT_EQ(trace[i].step, static_cast<std::int64_t>(i) + 1);
      EXPECT_FALSE(trace[i].stack.empty()) << "step " << trace[i].step << " (" << trace[i].op << ")";
      // A step the case's code took is located in the case's code.
      if (trace[i].op == "yield" || trace[i].op == "lock" || trace[i].op == "unlock") {
        EXPECT_TRUE(some_frame_is(trace[i].stack, kThisFile + ":", true))
            << "step " << trace[i].step << " (" << trace[i].op << ")";
      }
    }
    EXPECT_EQ(first_difference(trace, second.controlled->trace), std::nullopt);
  }
}

// Different seeds explore different schedules: among a handful of seeds,
// some trace differs from seed 1's (a strategy that ignored its seed would
// give identical traces).
TEST_F(ControllerTest, DifferentSeedsGiveDifferentTraces) {
  for (SchedulerKind kind : {SchedulerKind::kWalk, SchedulerKind::kPct}) {
    SCOPED_TRACE(scheduler_name(kind));
    auto spec = [&](std::uint64_t seed) {
      return kind == SchedulerKind::kWalk ? walk(seed, true) : pct(seed, 150, true);
    };
    const TrialResult base = run("mixed", spec(1));
    ASSERT_FALSE(base.controlled->trace.empty()) << describe(base);
    int different = 0;
    for (std::uint64_t seed = 2; seed <= 6; ++seed) {
      different += first_difference(base.controlled->trace, run("mixed", spec(seed)).controlled->trace).has_value();
    }
    EXPECT_GE(different, 1);
  }
}

// ---------------------------------------------------------------------------
// Deadlocks

// pct finds the ABBA deadlock within 50 schedules, and the run ends the
// moment every thread waits (not at the watchdog's deadline): main in join,
// both workers in lock, each stack at the inner lock. The finding names both
// threads.
TEST_F(ControllerTest, PctFindsTheAbbaDeadlockAndReportsEveryWaiter) {
  // Abseil's detector (the absl build) reports the cycle as soon as a
  // schedule has taken both orders and aborts that trial: the controller's
  // deadlock is then not the only way a schedule ends (its own tests:
  // lock_order_deadlock.broken.absl.pct and the cli.absl_* tests).
  if (build_detector() == Detector::kAbsl) GTEST_SKIP() << "Abseil's report ends schedules the controller would deadlock";
  std::optional<TrialResult> found;
  for (std::uint64_t seed = 1; seed <= 50 && !found; ++seed) {
    TrialResult t = run("abba", pct(seed, 20));
    ASSERT_FALSE(t.hung) << "seed " << seed << ": " << describe(t);
    ASSERT_TRUE(t.controlled.has_value());
    if (!t.controlled->deadlock.empty()) {
      found = std::move(t);
    } else {
      EXPECT_EQ(t.outcome, Outcome(0)) << "seed " << seed << ": " << describe(t);
    }
  }
  ASSERT_TRUE(found.has_value()) << "no deadlock in 50 pct schedules";
  const TrialResult& t = *found;
  // Reported by the controller, not by the watchdog: no hang, and the
  // deadlock records below (no timing: the machine may be loaded).
  EXPECT_FALSE(t.hung);
  EXPECT_FALSE(t.outcome.has_value());
  const std::vector<StepRecord>& waiting = t.controlled->deadlock;
  ASSERT_EQ(waiting.size(), 3u) << describe(t);
  EXPECT_EQ(waiting[0].thread, 0);
  EXPECT_EQ(waiting[0].op, "join");
  EXPECT_EQ(waiting[1].thread, 1);
  EXPECT_EQ(waiting[1].op, "lock");
  EXPECT_EQ(waiting[2].thread, 2);
  EXPECT_EQ(waiting[2].op, "lock");
  const std::string inner_lock = absl::StrCat(kThisFile, ":", kInnerLockLine);
  for (const StepRecord& waiter : {waiting[1], waiting[2]}) {
    EXPECT_TRUE(some_frame_is(waiter.stack, inner_lock)) << "thread " << waiter.thread;
  }

  const std::vector<Finding> findings = findings_of(controlled_case(), Detector::kOutcome, t);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, Evidence::Kind::kDeadlock);
  EXPECT_THAT(findings[0].text, HasSubstr("main waits in join"));
  EXPECT_THAT(findings[0].text, HasSubstr("thread 1 waits in lock"));
  EXPECT_THAT(findings[0].text, HasSubstr("thread 2 waits in lock"));
}

// The line a deadlock report shows for a lock waiter is the case's own line
// (the inner lock), not a line in the harness's lock implementation. (This
// case lives in tests/, not cases/: case_location() must skip harness frames
// to find it.)
TEST_F(ControllerTest, ADeadlockedLockWaiterIsLocatedAtTheInnerLock) {
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    const TrialResult t = run("abba", pct(seed, 20));
    if (!t.controlled || t.controlled->deadlock.size() != 3) continue;
    const std::string inner_lock = absl::StrCat(kThisFile, ":", kInnerLockLine);
    EXPECT_EQ(symbolizer().case_location(t.controlled->deadlock[1].stack), inner_lock);
    EXPECT_EQ(symbolizer().case_location(t.controlled->deadlock[2].stack), inner_lock);
    return;
  }
  FAIL() << "no deadlock in 50 pct schedules";
}

// A notification with no waiter is not remembered: under gil the notifier
// always goes first, and the waiter then waits forever in "wait". Under pct
// both orders occur, so a notify that does reach a waiter must wake it.
TEST_F(ControllerTest, ALostWakeupIsADeadlockInWait) {
  const TrialResult t = run("lost_wakeup", gil());
  EXPECT_FALSE(t.hung);
  ASSERT_TRUE(t.controlled.has_value());
  const std::vector<StepRecord>& waiting = t.controlled->deadlock;
  ASSERT_EQ(waiting.size(), 2u) << describe(t);
  EXPECT_EQ(waiting[0].thread, 0);
  EXPECT_EQ(waiting[0].op, "join");
  EXPECT_EQ(waiting[1].thread, 1);
  EXPECT_EQ(waiting[1].op, "wait");

  std::map<std::string, int> endings;
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    const TrialResult p = run("lost_wakeup", pct(seed, 20));
    ASSERT_FALSE(p.hung) << describe(p);
    if (!p.controlled->deadlock.empty()) {
      ASSERT_EQ(p.controlled->deadlock.size(), 2u) << describe(p);
      EXPECT_EQ(p.controlled->deadlock[1].op, "wait");
      ++endings["deadlock"];
    } else {
      EXPECT_EQ(p.outcome, Outcome(1)) << describe(p);
      ++endings["woken"];
    }
  }
  EXPECT_GT(endings["deadlock"], 0);
  EXPECT_GT(endings["woken"], 0);
}

// A thread spinning on a flag while every other thread is blocked can never
// see it change: after kSpinLimit lone spins that is a deadlock, reported
// with the spinner in "spin", instead of a run that spins until the
// watchdog kills it.
TEST_F(ControllerTest, ALoneSpinnerIsADeadlockNotAHang) {
  for (const ScheduleSpec& spec : {gil(), pct(3, 20), walk(3)}) {
    SCOPED_TRACE(scheduler_name(spec.kind));
    const TrialResult t = run("spin", spec);
    EXPECT_FALSE(t.hung) << describe(t);  // the controller's verdict, not the watchdog's
    ASSERT_TRUE(t.controlled.has_value());
    const std::vector<StepRecord>& waiting = t.controlled->deadlock;
    ASSERT_EQ(waiting.size(), 3u) << describe(t);
    EXPECT_EQ(waiting[0].op, "join");
    EXPECT_EQ(waiting[1].thread, 1);
    EXPECT_EQ(waiting[1].op, "spin");
    EXPECT_TRUE(some_frame_is(waiting[1].stack, absl::StrCat(kThisFile, ":", kSpinLine)));
    EXPECT_EQ(waiting[2].thread, 2);
    EXPECT_EQ(waiting[2].op, "latch wait");
    EXPECT_GE(t.controlled->steps, Controller::kSpinLimit);
  }
}

// A sleep is not a wait for another thread: a thread that sleeps while
// every other thread is blocked goes on, with no other thread in between
// (the trace shows thread 1's sleep steps followed by its own next step).
TEST_F(ControllerTest, ASleeperWithEveryoneElseBlockedContinues) {
  ScheduleSpec spec = gil();
  spec.trace = true;
  const TrialResult t = run("sleep", spec);
  ASSERT_TRUE(t.outcome.has_value()) << describe(t);
  EXPECT_EQ(*t.outcome, Outcome(kSleeps));
  EXPECT_TRUE(t.controlled->deadlock.empty());
  const std::vector<StepRecord>& trace = t.controlled->trace;
  int sleeps = 0;
  for (std::size_t i = 0; i + 1 < trace.size(); ++i) {
    if (trace[i].op != "sleep") continue;
    ++sleeps;
    EXPECT_EQ(trace[i].thread, 1);
    EXPECT_EQ(trace[i + 1].thread, 1) << "step " << trace[i + 1].step << " (" << trace[i + 1].op << ")";
  }
  EXPECT_EQ(sleeps, kSleeps);
  // The waiter really was blocked while thread 1 slept: it waited before.
  const auto waited = std::find_if(trace.begin(), trace.end(),
                                   [](const StepRecord& s) { return s.thread == 2 && s.op == "latch wait"; });
  const auto first_sleep =
      std::find_if(trace.begin(), trace.end(), [](const StepRecord& s) { return s.op == "sleep"; });
  EXPECT_LT(waited, first_sleep);
}

// ---------------------------------------------------------------------------
// Blocking outside the harness

// A thread blocked in a raw std::mutex holds the turn and takes no more
// steps; the monitor reports it (thread 1, last step "start") after the
// stall limit, well before the watchdog would call the run a hang.
TEST_F(ControllerTest, ARawMutexStallIsReportedNotHung) {
  const TrialResult t = run("raw_mutex", gil());
  EXPECT_FALSE(t.hung) << describe(t);
  ASSERT_TRUE(t.controlled.has_value());
  EXPECT_THAT(t.controlled->stall, HasSubstr("thread 1 is blocked outside the harness")) << describe(t);
  ASSERT_TRUE(t.controlled->stalled.has_value()) << describe(t);
  EXPECT_EQ(t.controlled->stalled->thread, 1);
  EXPECT_EQ(t.controlled->stalled->op, "start");
  EXPECT_TRUE(t.controlled->deadlock.empty());
  // Never before the stall limit (a lower bound, not a speed claim); that it
  // came before the watchdog is `hung` being false.
  EXPECT_GE(t.wall, kDeadline / 2) << "reported before the stall limit";
  EXPECT_FALSE(t.hung);
  const std::vector<Finding> findings = findings_of(controlled_case(), Detector::kOutcome, t);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, Evidence::Kind::kHang);
  EXPECT_THAT(findings[0].text, HasSubstr("thread 1 is blocked outside the harness"));
}

// ---------------------------------------------------------------------------
// Thread identity

// Threads started after earlier ones were joined may get the same
// std::thread::id; a join must wait for the thread it names, not return
// because an earlier thread with that id has finished.
TEST_F(ControllerTest, JoinWaitsForTheThreadItNamesAfterIdsAreReused) {
  for (const ScheduleSpec& spec : {gil(), pct(5, 400), walk(5)}) {
    SCOPED_TRACE(scheduler_name(spec.kind));
    const TrialResult t = run("two_rounds", spec);
    ASSERT_TRUE(t.outcome.has_value()) << describe(t);
    EXPECT_EQ(*t.outcome, Outcome(400));
    EXPECT_EQ(t.controlled->threads, 5);
  }
}

// pct's k counts the case's steps only: two threads with kYieldsEach yield
// points each take 2 * kYieldsEach steps, not those plus the harness's
// starts, start latch, joins and ends (which, before they stopped counting,
// made 18 of a run like this one's 28, and so most of its change points).
TEST_F(ControllerTest, OnlyTheCasesOwnStepsCountTowardsK) {
  for (const ScheduleSpec& spec : {pct(1, 10, true), walk(1, true), gil()}) {
    SCOPED_TRACE(scheduler_name(spec.kind));
    const TrialResult t = run("yields_only", spec);
    ASSERT_TRUE(t.outcome.has_value()) << describe(t);
    EXPECT_EQ(t.controlled->steps, 2 * kYieldsEach);
    // The harness's steps are still traced.
    if (spec.trace) EXPECT_GT(static_cast<std::int64_t>(t.controlled->trace.size()), 2 * kYieldsEach);
  }
}

// Which of two waiters notify_one wakes is the strategy's choice: over a
// handful of pct and walk seeds, each waiter is woken first at least once
// (it used to be the lowest-numbered waiter, always).
TEST_F(ControllerTest, NotifyOneWakesTheWaiterTheScheduleChooses) {
  for (SchedulerKind kind : {SchedulerKind::kPct, SchedulerKind::kWalk}) {
    SCOPED_TRACE(scheduler_name(kind));
    std::set<std::int64_t> woken;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      const TrialResult t = run("first_woken", kind == SchedulerKind::kPct ? pct(seed, 30) : walk(seed));
      ASSERT_TRUE(t.outcome.has_value()) << describe(t);
      woken.insert(t.outcome->first());
    }
    EXPECT_EQ(woken, (std::set<std::int64_t>{0, 1}));
  }
}

// A join tells threads apart by registration, not by std::thread::id (a
// pthread_t: the address of a stack glibc reuses). The second thread of
// id_reused gets the first one's id; in id_fresh an uncontrolled thread
// takes the cached stack first, so it does not. The schedules must be the
// same step for step. (When a join compared ids, the reused id made main
// wait in join twice: once for the second thread to begin, then for it to
// end.)
TEST_F(ControllerTest, ReusedThreadIdsDoNotChangeTheSchedule) {
  for (const ScheduleSpec& spec : {pct(3, 6, true), walk(3, true), gil(1)}) {
    SCOPED_TRACE(scheduler_name(spec.kind));
    ScheduleSpec traced = spec;
    traced.trace = true;
    const TrialResult reused = run("id_reused", traced);
    const TrialResult fresh = run("id_fresh", traced);
    ASSERT_TRUE(reused.outcome.has_value()) << describe(reused);
    ASSERT_TRUE(fresh.outcome.has_value()) << describe(fresh);
    EXPECT_EQ(*reused.outcome, Outcome({2, 1})) << "the id was not reused: the test shows nothing";
    EXPECT_EQ(*fresh.outcome, Outcome({2, 0})) << "the id was reused: the test shows nothing";
    auto shape = [](const TrialResult& t) {
      std::vector<std::string> steps;
      for (const StepRecord& s : t.controlled->trace) steps.push_back(absl::StrCat(s.thread, " ", s.op));
      return steps;
    };
    EXPECT_EQ(shape(reused), shape(fresh));
    EXPECT_EQ(reused.controlled->steps, fresh.controlled->steps);
  }
}

// A thread's turn ends after its captures and thread_locals are destroyed:
// their destructors' harness locks are steps of that thread, before its
// "end". (When the turn ended as the body returned, they ran beside the
// next thread's turn, outside the schedule: no step at all.)
TEST_F(ControllerTest, AThreadsCleanupRunsOnItsOwnTurn) {
  for (const ScheduleSpec& spec : {gil(), pct(2, 10, true), walk(2, true)}) {
    SCOPED_TRACE(scheduler_name(spec.kind));
    ScheduleSpec traced = spec;
    traced.trace = true;
    const TrialResult t = run("cleanup", traced);
    ASSERT_TRUE(t.outcome.has_value()) << describe(t);
    EXPECT_EQ(*t.outcome, Outcome({1, 2, 3}));
    const std::vector<StepRecord>& trace = t.controlled->trace;
    const auto end = std::find_if(trace.begin(), trace.end(),
                                  [](const StepRecord& s) { return s.thread == 1 && s.op == "end"; });
    ASSERT_NE(end, trace.end());
    const auto locks_before_end = std::count_if(
        trace.begin(), end, [](const StepRecord& s) { return s.thread == 1 && s.op == "lock"; });
    EXPECT_EQ(locks_before_end, 2);
  }
}

// ---------------------------------------------------------------------------
// Spurious wakeups (in this process: the option is a ScheduleSpec field)

// The waiter checks its condition with `if`, not `while`: only a spurious
// wakeup lets it go on with the condition false. Outcome: 1 if it did.
Outcome if_instead_of_while(Threads& threads) {
  Mutex mutex;
  ConditionVariable cv;
  bool ready = false;
  bool went_on_unready = false;
  threads.run(2, [&](int index) {
    if (index == 0) {
      std::unique_lock lock(mutex);
      if (!ready) cv.wait(lock);
      went_on_unready = !ready;
    } else {
      std::lock_guard lock(mutex);
      ready = true;
      cv.notify_one();
    }
  });
  return went_on_unready ? 1 : 0;
}

Outcome run_here(Outcome (*body)(Threads&), const ScheduleSpec& spec) {
  Controller controller(spec, {}, std::chrono::milliseconds(30'000));
  controller.adopt_calling_thread();
  Threads threads(spec, &controller);
  const Outcome outcome = body(threads);
  controller.finish();
  return outcome;
}

// Whoever frees a controller after its run asks it whether a thread of the
// run is still parked on it (a detached one), not the process's thread
// count: the stall monitor's own thread made that count wrong now and then.
TEST_F(ControllerTest, AThreadStillParkedAfterTheRunKeepsItsController) {
  const ScheduleSpec spec{.kind = SchedulerKind::kPct, .seed = 1, .depth = 3, .steps = 4};
  {
    Controller controller(spec, {}, std::chrono::milliseconds(30'000));
    controller.adopt_calling_thread();
    Threads threads(spec, &controller);
    threads.run(2, [](int) { yield_point(); });
    controller.finish();
    EXPECT_TRUE(controller.every_thread_ended());
  }
  // Parked to the end of this test's process, on a controller never freed.
  auto* controller = new Controller(spec, {}, std::chrono::milliseconds(30'000));
  controller->adopt_calling_thread();
  Threads threads(spec, controller);
  auto* never = new Latch(1);
  std::thread(threads.instrumented([never] { never->wait(); })).detach();
  yield_point();
  controller->finish();
  EXPECT_FALSE(controller->every_thread_ended());
}

TEST_F(ControllerTest, SpuriousWakeupsShowAWaitCheckedWithIf) {
  for (SchedulerKind kind : {SchedulerKind::kPct, SchedulerKind::kWalk}) {
    SCOPED_TRACE(scheduler_name(kind));
    int without = 0;
    int with = 0;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      ScheduleSpec spec{.kind = kind, .seed = seed, .depth = 3, .steps = 10};
      without += run_here(if_instead_of_while, spec).first();
      spec.spurious_wakeups = true;
      with += run_here(if_instead_of_while, spec).first();
    }
    EXPECT_EQ(without, 0);
    EXPECT_GT(with, 0);
  }
}

// ---------------------------------------------------------------------------
// Exact replay of every case

// In a child started with HAZARDLAB_TEST_HEAP_NOISE set, the heap and the
// thread stacks are laid out differently before the variant runs (random
// allocations of many sizes, half of them kept, filled with random bytes;
// threads started and joined), as they are in a trial that follows others
// in one process. A schedule must not notice.
const bool heap_noise = [] {
  if (std::getenv("HAZARDLAB_TEST_HEAP_NOISE") == nullptr) return false;
  static std::vector<std::unique_ptr<unsigned char[]>> kept;
  std::mt19937 rng(std::random_device{}());
  for (int i = 0; i < 4000; ++i) {
    const std::size_t size = 1 + rng() % 600;
    auto block = std::make_unique<unsigned char[]>(size);
    for (std::size_t b = 0; b < size; ++b) block[b] = static_cast<unsigned char>(rng());
    if (rng() % 2 == 0) kept.push_back(std::move(block));
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < 1 + static_cast<int>(rng() % 4); ++i) {
    threads.emplace_back([seed = rng()] {
      std::vector<std::uint32_t> scratch(1 + seed % 300, seed);
      (void)scratch;
    });
  }
  for (std::thread& t : threads) t.join();
  return true;
}();

// Everything a controlled trial reports, in one comparable text: outcome,
// how it ended, n, k, the trace, the deadlock records, a stall.
std::string everything(const TrialResult& t) {
  std::string text = absl::StrCat("outcome=", t.outcome ? t.outcome->to_string() : "none", " exit=",
                                  t.exit_code.value_or(-1), " signal=", t.signal.value_or(0), " hung=", t.hung);
  if (!t.controlled) return text;
  absl::StrAppend(&text, " n=", t.controlled->threads, " k=", t.controlled->steps, " stall=", t.controlled->stall);
  for (const auto* records : {&t.controlled->trace, &t.controlled->deadlock}) {
    absl::StrAppend(&text, "\n--");
    for (const StepRecord& s : *records) {
      absl::StrAppend(&text, "\n", s.step, " ", s.thread, " ", s.op);
      for (std::uintptr_t frame : s.stack) absl::StrAppend(&text, " ", absl::Hex(frame));
    }
  }
  return text;
}

class ReplayTest : public testing::TestWithParam<CaseVariant> {
 protected:
  void SetUp() override {
    if (is_tsan(build_detector())) GTEST_SKIP() << "the controller's own tests run in the dev and asan builds";
    if (!checked_in_this_build(GetParam())) GTEST_SKIP() << kCheckedInTheDevBuild;
  }
};

TrialResult run_noisy(const Case& c, const Variant& v, const ScheduleSpec& spec) {
  setenv("HAZARDLAB_TEST_HEAP_NOISE", "1", 1);
  TrialResult t = run_trial(c, v, spec);
  unsetenv("HAZARDLAB_TEST_HEAP_NOISE");
  return t;
}

// Every variant of every case, under pct: the calibration run (no change
// points) and two seeds' traced runs each give the same result twice, once
// in a plain child and once in a child whose heap and stacks were disturbed
// first; every child has its own address randomization. (The defects it
// guards against have tests of their own that failed before their fixes:
// ReusedThreadIdsDoNotChangeTheSchedule, AThreadsCleanupRunsOnItsOwnTurn.
// This one passed on that code too, in this binary's layout; the command
// line's own layout showed semaphore_bound's seed 7 at 85 or 90 steps.)
TEST_P(ReplayTest, PctReplaysExactlyWhateverTheAddresses) {
  const Case& c = *find_case(GetParam().case_name);
  const Variant& v = *c.find_variant(GetParam().variant);
  ScheduleSpec calibration{.kind = SchedulerKind::kPct, .seed = 1, .depth = 1};
  const TrialResult plain = run_trial(c, v, calibration);
  const TrialResult noisy = run_noisy(c, v, calibration);
  ASSERT_EQ(everything(plain), everything(noisy)) << "calibration";
  const std::int64_t k = plain.controlled ? std::max<std::int64_t>(1, plain.controlled->steps) : 1;
  for (std::uint64_t seed : {1, 2}) {
    SCOPED_TRACE(absl::StrCat("seed ", seed, ", k ", k));
    // A trace of a few hundred thousand steps would overflow the result
    // channel (8 MB): those runs compare all but the trace.
    ScheduleSpec spec{.kind = SchedulerKind::kPct, .seed = seed, .depth = 3, .steps = k, .trace = k <= 50'000};
    const TrialResult first = run_trial(c, v, spec);
    const TrialResult again = run_noisy(c, v, spec);
    const std::string a = everything(first);
    const std::string b = everything(again);
    if (a != b) {
      // The first differing line, not two traces of thousands of steps.
      std::size_t at = 0;
      while (at < std::min(a.size(), b.size()) && a[at] == b[at]) ++at;
      const std::size_t from = a.rfind('\n', at) == std::string::npos ? 0 : a.rfind('\n', at);
      ADD_FAILURE() << "differs from: " << a.substr(from, 200) << "\n   vs: " << b.substr(from, 200)
                    << "\nfirst: " << a.substr(0, a.find('\n')) << "\nagain: " << b.substr(0, b.find('\n'));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryVariant, ReplayTest, testing::ValuesIn(catalog_variants()), catalog_variant_name);

// ---------------------------------------------------------------------------
// Strategies, without processes

// pct draws d-1 change points from [1, k], as a function of the seed alone.
TEST(StrategyTest, PctChangePointsAreDepthMinusOneStepsWithinK) {
  for (int depth : {1, 2, 3, 5}) {
    for (std::uint64_t seed = 0; seed < 50; ++seed) {
      const ScheduleSpec spec{.kind = SchedulerKind::kPct, .seed = seed, .depth = depth, .steps = 40};
      const std::vector<std::int64_t> points = pct_change_points(spec);
      ASSERT_EQ(points.size(), static_cast<std::size_t>(depth - 1));
      for (std::int64_t p : points) {
        EXPECT_GE(p, 1);
        EXPECT_LE(p, 40);
      }
      EXPECT_EQ(points, pct_change_points(spec));
    }
  }
  std::set<std::vector<std::int64_t>> distinct;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    distinct.insert(pct_change_points({.kind = SchedulerKind::kPct, .seed = seed, .depth = 3, .steps = 1000}));
  }
  EXPECT_GT(distinct.size(), 10u);
}

// The i-th change point drawn lowers a thread to priority i, whatever its
// place in time: when the second point drawn comes first, the thread lowered
// there ranks below the one lowered later. (Ranking by time instead made
// refcount's lost decrement unreachable: an early-preempted thread could
// never resume inside a later-preempted one's work. 0 of 200 schedules, not
// about 1 in 5.)
TEST(StrategyTest, PctLowersToTheRankOfTheChangePointInDrawOrder) {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    const ScheduleSpec spec{.kind = SchedulerKind::kPct, .seed = seed, .depth = 3, .steps = 1000};
    const std::vector<std::int64_t> points = pct_change_points(spec);
    if (points[0] <= points[1]) continue;  // want the second point drawn to come first in time
    const auto strategy = make_strategy(spec);
    strategy->on_thread_added(0);
    strategy->on_thread_added(1);
    const std::vector<int> both = {0, 1};
    // Thread 0 runs at the earlier point (drawn second: priority 2), thread
    // 1 at the later one (drawn first: priority 1).
    for (std::int64_t step = 1; step <= points[0]; ++step) {
      strategy->choose(both, step <= points[1] ? 0 : 1, {.kind = StepKind::kYield, .number = step});
    }
    EXPECT_EQ(strategy->choose(both, 1, {.kind = StepKind::kYield, .number = points[0] + 1}), 0) << "seed " << seed;
    return;
  }
  FAIL() << "no seed drew its second change point first";
}

// A change point that falls on a step at which the running thread blocks
// would lower a thread that cannot run: it moves to the next step whose
// thread can go on. Depth 2 (one change point, at step p): the high-priority
// thread runs until p, blocks there; the other runs step p+1; then the first
// is woken. The change point must have lowered the one that ran at p+1, so
// the woken thread runs again. (It used to lower the blocked one, which then
// never got the turn back.)
TEST(StrategyTest, PctChangePointOnABlockedStepLowersTheNextThreadThatCanRun) {
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const ScheduleSpec spec{.kind = SchedulerKind::kPct, .seed = seed, .depth = 2, .steps = 20};
    const std::int64_t p = pct_change_points(spec)[0];
    const auto strategy = make_strategy(spec);
    strategy->on_thread_added(0);
    strategy->on_thread_added(1);
    const int high = strategy->choose({0, 1}, 0, {.kind = StepKind::kOperation, .number = 0, .harness = true});
    const int low = 1 - high;
    for (std::int64_t step = 1; step < p; ++step) {
      ASSERT_EQ(strategy->choose({0, 1}, high, {.kind = StepKind::kYield, .number = step}), high);
    }
    EXPECT_EQ(strategy->choose({low}, high, {.kind = StepKind::kBlocked, .number = p}), low);
    EXPECT_EQ(strategy->choose({low}, low, {.kind = StepKind::kYield, .number = p + 1}), low);
    EXPECT_EQ(strategy->choose({0, 1}, low, {.kind = StepKind::kYield, .number = p + 2}), high) << "seed " << seed;
  }
}

// Harness steps do not advance k and never take a change point.
TEST(StrategyTest, PctChangePointsSkipHarnessSteps) {
  const ScheduleSpec spec{.kind = SchedulerKind::kPct, .seed = 4, .depth = 2, .steps = 5};
  const std::int64_t p = pct_change_points(spec)[0];
  const auto strategy = make_strategy(spec);
  strategy->on_thread_added(0);
  strategy->on_thread_added(1);
  const int high = strategy->choose({0, 1}, 0, {.kind = StepKind::kOperation, .number = 0, .harness = true});
  for (std::int64_t step = 1; step < p; ++step) strategy->choose({0, 1}, high, {.number = step});
  // The harness step carrying the number p - 1 (nothing counted yet) keeps the order.
  EXPECT_EQ(strategy->choose({0, 1}, high, {.kind = StepKind::kOperation, .number = p - 1, .harness = true}), high);
  // The case's step p is the change point.
  EXPECT_EQ(strategy->choose({0, 1}, high, {.number = p}), 1 - high);
}

// notify_one's waiter: walk and pct choose among all waiters (seeded), gil
// takes the longest waiter (the first in the list).
TEST(StrategyTest, WaiterChoiceIsSeededAndReachesEveryWaiter) {
  for (SchedulerKind kind : {SchedulerKind::kWalk, SchedulerKind::kPct}) {
    std::map<int, int> counts;
    const auto strategy = make_strategy({.kind = kind, .seed = 11, .steps = 10});
    for (int i = 0; i < 3000; ++i) ++counts[strategy->choose_waiter({4, 2, 7})];
    EXPECT_EQ(counts.size(), 3u) << scheduler_name(kind);
    for (int waiter : {4, 2, 7}) EXPECT_GT(counts[waiter], 800) << scheduler_name(kind);
    const auto again = make_strategy({.kind = kind, .seed = 11, .steps = 10});
    const auto other = make_strategy({.kind = kind, .seed = 11, .steps = 10});
    std::vector<int> a, b;
    for (int i = 0; i < 50; ++i) {
      a.push_back(again->choose_waiter({4, 2, 7}));
      b.push_back(other->choose_waiter({4, 2, 7}));
    }
    EXPECT_EQ(a, b);
  }
  const auto gil_strategy = make_strategy({.kind = SchedulerKind::kGil});
  EXPECT_EQ(gil_strategy->choose_waiter({4, 2, 7}), 4);
  EXPECT_FALSE(gil_strategy->wake_spuriously());
}

// Spurious wakeups happen only when the spec asks for them.
TEST(StrategyTest, SpuriousWakeupsOnlyWhenAskedFor) {
  for (SchedulerKind kind : {SchedulerKind::kWalk, SchedulerKind::kPct}) {
    const auto off = make_strategy({.kind = kind, .seed = 5, .steps = 10});
    const auto on = make_strategy({.kind = kind, .seed = 5, .steps = 10, .spurious_wakeups = true});
    int spurious_off = 0;
    int spurious_on = 0;
    for (int i = 0; i < 1000; ++i) {
      spurious_off += off->wake_spuriously();
      spurious_on += on->wake_spuriously();
    }
    EXPECT_EQ(spurious_off, 0);
    EXPECT_GT(spurious_on, 300);
    EXPECT_LT(spurious_on, 700);
  }
}

// gil keeps the running thread through operations, switches round robin
// (wrapping) at yield points, and moves on when the running thread cannot.
TEST(StrategyTest, GilKeepsTheRunnerAndSwitchesRoundRobin) {
  const auto strategy = make_strategy({.kind = SchedulerKind::kGil, .switch_interval = 1});
  for (int i = 0; i < 3; ++i) strategy->on_thread_added(i);
  const std::vector<int> all = {0, 1, 2};
  EXPECT_EQ(strategy->choose(all, 0, {.kind = StepKind::kOperation, .number = 1}), 0);
  EXPECT_EQ(strategy->choose(all, 0, {.kind = StepKind::kOperation, .number = 2}), 0);
  EXPECT_EQ(strategy->choose(all, 0, {.kind = StepKind::kYield, .number = 3}), 1);
  EXPECT_EQ(strategy->choose(all, 1, {.kind = StepKind::kYield, .number = 4}), 2);
  EXPECT_EQ(strategy->choose(all, 2, {.kind = StepKind::kYield, .number = 5}), 0);  // wraps
  // The running thread blocked (it is not enabled): the next one after it.
  EXPECT_EQ(strategy->choose({0, 2}, 1, {.kind = StepKind::kBlocked, .number = 6}), 2);
  EXPECT_EQ(strategy->choose({0, 1}, 2, {.kind = StepKind::kBlocked, .number = 7}), 0);
  // Round robin skips threads that are not enabled.
  EXPECT_EQ(strategy->choose({0, 2}, 0, {.kind = StepKind::kYield, .number = 8}), 2);
}

// With a switch interval, a yield point switches only once that many steps
// have passed since the last switch.
TEST(StrategyTest, GilSwitchesAtAYieldOnlyAfterTheInterval) {
  const auto strategy = make_strategy({.kind = SchedulerKind::kGil, .switch_interval = 5});
  for (int i = 0; i < 2; ++i) strategy->on_thread_added(i);
  std::vector<int> chosen;
  int running = 0;
  for (std::int64_t step = 1; step <= 12; ++step) {
    running = strategy->choose({0, 1}, running, {.kind = StepKind::kYield, .number = step});
    chosen.push_back(running);
  }
  EXPECT_THAT(chosen, ElementsAre(0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0));
}

// walk picks only enabled threads, and over many steps every one of them.
TEST(StrategyTest, WalkChoosesAmongTheEnabledAndReachesEachOne) {
  const auto strategy = make_strategy({.kind = SchedulerKind::kWalk, .seed = 9});
  for (int i = 0; i < 6; ++i) strategy->on_thread_added(i);
  const std::vector<int> enabled = {1, 3, 4};
  std::map<int, int> counts;
  for (std::int64_t step = 1; step <= 3000; ++step) ++counts[strategy->choose(enabled, 1, {.kind = StepKind::kYield, .number = step})];
  EXPECT_EQ(counts.size(), 3u);
  for (int thread : enabled) EXPECT_GT(counts[thread], 700) << "thread " << thread;
}

// walk's choices are a function of its seed.
TEST(StrategyTest, WalkIsAFunctionOfItsSeed) {
  auto choices = [](std::uint64_t seed) {
    const auto strategy = make_strategy({.kind = SchedulerKind::kWalk, .seed = seed});
    for (int i = 0; i < 4; ++i) strategy->on_thread_added(i);
    std::vector<int> out;
    for (std::int64_t step = 1; step <= 200; ++step) {
      out.push_back(strategy->choose({0, 1, 2, 3}, 0, {.kind = StepKind::kYield, .number = step}));
    }
    return out;
  };
  EXPECT_EQ(choices(4), choices(4));
  EXPECT_NE(choices(4), choices(5));
}

}  // namespace
}  // namespace hazardlab
