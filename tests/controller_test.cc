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
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "harness/case.h"
#include "harness/registry.h"
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
                 {"two_rounds", two_rounds, {}}},
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

// Controlled runs are refused in the tsan build (the turn handoff would hide
// races from TSan), so their tests run in the dev and asan builds only.
class ControllerTest : public testing::Test {
 protected:
  void SetUp() override {
    if (build_detector() == Detector::kTsan) GTEST_SKIP() << "controlled schedulers do not run under TSan";
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
    // The trace is every step, numbered 1, 2, ..., with a stack each.
    ASSERT_EQ(static_cast<std::int64_t>(trace.size()), first.controlled->steps);
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
      strategy->choose(both, step <= points[1] ? 0 : 1, StepKind::kYield, step);
    }
    EXPECT_EQ(strategy->choose(both, 1, StepKind::kYield, points[0] + 1), 0) << "seed " << seed;
    return;
  }
  FAIL() << "no seed drew its second change point first";
}

// gil keeps the running thread through operations, switches round robin
// (wrapping) at yield points, and moves on when the running thread cannot.
TEST(StrategyTest, GilKeepsTheRunnerAndSwitchesRoundRobin) {
  const auto strategy = make_strategy({.kind = SchedulerKind::kGil, .switch_interval = 1});
  for (int i = 0; i < 3; ++i) strategy->on_thread_added(i);
  const std::vector<int> all = {0, 1, 2};
  EXPECT_EQ(strategy->choose(all, 0, StepKind::kOperation, 1), 0);
  EXPECT_EQ(strategy->choose(all, 0, StepKind::kOperation, 2), 0);
  EXPECT_EQ(strategy->choose(all, 0, StepKind::kYield, 3), 1);
  EXPECT_EQ(strategy->choose(all, 1, StepKind::kYield, 4), 2);
  EXPECT_EQ(strategy->choose(all, 2, StepKind::kYield, 5), 0);  // wraps
  // The running thread blocked (it is not enabled): the next one after it.
  EXPECT_EQ(strategy->choose({0, 2}, 1, StepKind::kBlocked, 6), 2);
  EXPECT_EQ(strategy->choose({0, 1}, 2, StepKind::kBlocked, 7), 0);
  // Round robin skips threads that are not enabled.
  EXPECT_EQ(strategy->choose({0, 2}, 0, StepKind::kYield, 8), 2);
}

// With a switch interval, a yield point switches only once that many steps
// have passed since the last switch.
TEST(StrategyTest, GilSwitchesAtAYieldOnlyAfterTheInterval) {
  const auto strategy = make_strategy({.kind = SchedulerKind::kGil, .switch_interval = 5});
  for (int i = 0; i < 2; ++i) strategy->on_thread_added(i);
  std::vector<int> chosen;
  int running = 0;
  for (std::int64_t step = 1; step <= 12; ++step) {
    running = strategy->choose({0, 1}, running, StepKind::kYield, step);
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
  for (std::int64_t step = 1; step <= 3000; ++step) ++counts[strategy->choose(enabled, 1, StepKind::kYield, step)];
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
      out.push_back(strategy->choose({0, 1, 2, 3}, 0, StepKind::kYield, step));
    }
    return out;
  };
  EXPECT_EQ(choices(4), choices(4));
  EXPECT_NE(choices(4), choices(5));
}

}  // namespace
}  // namespace hazardlab
