// Trials in batches: many trials share a child process, yet every trial
// keeps its own evidence, seed and deadline, and a trial that ends its child
// early (a crash, a hang, a report, a thread left running) never costs the
// trials before or after it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>

#include "harness/case.h"
#include "harness/registry.h"
#include "harness/run/runner.h"
#include "harness/run/trial.h"

namespace hazardlab {
namespace {

// Every variant returns (seed, process id, parent's process id): which trial
// it was, which process ran it, and which process started that one (the
// harness, or in a TSan build the child that forked the trial).
Outcome where(Threads& threads) { return {static_cast<std::int64_t>(threads.seed()), getpid(), getppid()}; }

Outcome ok(Threads& threads) { return where(threads); }

Outcome aborts_at_seed_37(Threads& threads) {
  if (threads.seed() == 37) std::abort();
  return where(threads);
}

Outcome hangs_at_seed_5(Threads& threads) {
  while (threads.seed() == 5) std::this_thread::sleep_for(std::chrono::seconds(1));
  return where(threads);
}

// Each trial takes most of the deadline: a watchdog that bounded the batch
// instead of the trial would kill the child in its third trial.
Outcome takes_400_ms(Threads& threads) {
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  return where(threads);
}

Outcome prints_its_seed(Threads& threads) {
  std::printf("stdout of trial %llu\n", static_cast<unsigned long long>(threads.seed()));
  std::fprintf(stderr, "stderr of trial %llu\n", static_cast<unsigned long long>(threads.seed()));
  return where(threads);
}

Outcome leaves_a_thread_at_seed_3(Threads& threads) {
  if (threads.seed() == 3) std::thread([] { std::this_thread::sleep_for(std::chrono::milliseconds(300)); }).detach();
  return where(threads);
}

// Under a controlled scheduler: in trial 3 a detached thread waits for a
// latch that nobody counts down, so it is still parked on the run's
// controller when the variant returns. The controller must outlive it, and
// the next trial must not share its process.
Outcome leaves_a_parked_thread_at_seed_3(Threads& threads) {
  if (threads.seed() == 3) {
    auto* never = new Latch(1);  // the parked thread holds it to the end of the process
    std::thread(threads.instrumented([never] { never->wait(); })).detach();
    yield_point();  // its turn: it starts and parks
  }
  return where(threads);
}

// Two threads write one plain int, but only in trial 4: a data race for
// ThreadSanitizer, in that trial alone.
Outcome races_at_seed_4(Threads& threads) {
  int shared = 0;
  const bool race = threads.seed() == 4;
  threads.run(2, [&](int) {
    if (race) ++shared;
  });
  return where(threads);
}

// The same data race in every trial: one process would report it once.
Outcome races_in_every_trial(Threads& threads) {
  int shared = 0;
  threads.run(2, [&](int) { ++shared; });
  return where(threads);
}

// A grandchild that keeps writing long after the trial's child is gone; its
// pid is the outcome, so the test can check that it did not survive.
Outcome leaves_a_writing_grandchild(Threads&) {
  const pid_t grandchild = fork();
  if (grandchild == 0) {
    for (int i = 0; i < 3000; ++i) {
      std::printf("grandchild still writing\n");
      std::fflush(stdout);
      usleep(10'000);
    }
    _exit(0);
  }
  return {grandchild};
}

HAZARDLAB_CASE({
    .name = "test_batch",
    .title = "trials that share a child process (harness test only)",
    .order = 10'001,
    .outcomes = {acceptable(anything_else(), "any")},
    .variants = {{"ok", ok, {}},
                 {"aborts_at_seed_37", aborts_at_seed_37, {}},
                 {"hangs_at_seed_5", hangs_at_seed_5, {}},
                 {"takes_400_ms", takes_400_ms, {}},
                 {"prints_its_seed", prints_its_seed, {}},
                 {"leaves_a_thread_at_seed_3", leaves_a_thread_at_seed_3, {}},
                 {"leaves_a_parked_thread_at_seed_3", leaves_a_parked_thread_at_seed_3, {}},
                 {"races_at_seed_4", races_at_seed_4, {}},
                 {"leaves_a_writing_grandchild", leaves_a_writing_grandchild, {}},
                 // Declared as ASan sees a heap error in it: a variant that
                 // may damage the heap for the trial after it.
                 {"may_corrupt_memory", ok, {asan_sees(report("heap-use-after-free"))}},
                 {"only_leaks", ok, {asan_sees(report("detected memory leaks"))}}},
    .deadline = std::chrono::milliseconds(1000),
});

// Trials that each print a symbolized TSan report: under load a report
// alone took more than test_batch's second (the symbolizer starts afresh in
// every trial's process), so these get a deadline for reports, not for hangs.
// (One HAZARDLAB_CASE a file: this one is registered by hand.)
[[maybe_unused]] const bool test_batch_reports_registered = register_case([] {
  Case c{
      .name = "test_batch_reports",
      .title = "trials that each report a race (harness test only)",
      .order = 10'002,
      .outcomes = {acceptable(anything_else(), "any")},
      .variants = {{"races_in_every_trial", races_in_every_trial, {}}},
      .deadline = std::chrono::milliseconds(30'000),
  };
  c.source_file = __FILE__;
  return c;
}());

// These tests are about the batching itself, TSan's included: by default
// they turn off the rule that runs every TSan trial alone.
std::vector<TrialResult> run(const std::string& variant, std::uint64_t first_seed, int count,
                             BatchOptions options = {.tsan_trials_alone = false},
                             const std::string& case_name = "test_batch") {
  const Case& c = *find_case(case_name);
  std::vector<TrialResult> results;
  run_trials(c, *c.find_variant(variant), {.kind = SchedulerKind::kNone, .seed = first_seed}, count,
             [&](TrialResult trial) {
               results.push_back(std::move(trial));
               return true;
             },
             options);
  return results;
}

std::int64_t child_of(const TrialResult& trial) { return trial.outcome ? trial.outcome->values().at(1) : -1; }
std::int64_t parent_of(const TrialResult& trial) { return trial.outcome ? trial.outcome->values().at(2) : -1; }

TEST(BatchTest, TrialsShareOneChildAndKeepTheirSeeds) {
  const std::vector<TrialResult> results = run("ok", 100, 20);
  ASSERT_EQ(results.size(), 20u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(results[i].seed, 100u + i);
    ASSERT_TRUE(results[i].outcome);
    EXPECT_EQ(results[i].outcome->first(), 100 + i);
    EXPECT_EQ(child_of(results[i]), child_of(results[0])) << "trial " << i << " ran in another child";
    EXPECT_EQ(results[i].exit_code, 0);
  }
}

TEST(BatchTest, ACrashInTheMiddleIsTheCrashingTrialsAndLosesNoOther) {
  const std::vector<TrialResult> results = run("aborts_at_seed_37", 1, 50);
  ASSERT_EQ(results.size(), 50u);
  for (const TrialResult& t : results) {
    if (t.seed == 37) {
      EXPECT_FALSE(t.outcome);
      EXPECT_TRUE(t.signal == SIGABRT || t.output.find("ABRT") != std::string::npos) << t.output;
      continue;
    }
    ASSERT_TRUE(t.outcome) << "seed " << t.seed;
    EXPECT_EQ(t.outcome->first(), static_cast<std::int64_t>(t.seed));
    EXPECT_FALSE(t.signal);
  }
  // Trials 1-36 in the first child, 38-50 in a fresh one.
  EXPECT_EQ(child_of(results[0]), child_of(results[35]));
  EXPECT_EQ(child_of(results[37]), child_of(results[49]));
  EXPECT_NE(child_of(results[35]), child_of(results[37]));
}

TEST(BatchTest, AHangIsTheHungTrialsAndTheRunGoesOn) {
  const std::vector<TrialResult> results = run("hangs_at_seed_5", 1, 8);
  ASSERT_EQ(results.size(), 8u);
  EXPECT_TRUE(results[4].hung);
  EXPECT_FALSE(results[4].outcome);
  for (int i : {0, 1, 2, 3, 5, 6, 7}) {
    EXPECT_FALSE(results[i].hung) << "seed " << results[i].seed;
    ASSERT_TRUE(results[i].outcome) << "seed " << results[i].seed;
  }
  EXPECT_NE(child_of(results[3]), child_of(results[5]));
}

TEST(BatchTest, TheWatchdogBoundsEachTrialNotTheBatch) {
  // Five trials of 400 ms under a 1000 ms deadline: 2 s for the batch.
  const std::vector<TrialResult> results = run("takes_400_ms", 1, 5);
  ASSERT_EQ(results.size(), 5u);
  for (const TrialResult& t : results) {
    EXPECT_FALSE(t.hung) << "seed " << t.seed;
    ASSERT_TRUE(t.outcome);
    EXPECT_EQ(child_of(t), child_of(results[0]));
  }
}

TEST(BatchTest, EachTrialGetsExactlyItsOwnOutput) {
  const std::vector<TrialResult> results = run("prints_its_seed", 1, 6);
  ASSERT_EQ(results.size(), 6u);
  for (const TrialResult& t : results) {
    const std::string own = "stdout of trial " + std::to_string(t.seed) + "\n";
    const std::string own_err = "stderr of trial " + std::to_string(t.seed) + "\n";
    EXPECT_THAT(t.output, testing::HasSubstr(own));
    EXPECT_THAT(t.output, testing::HasSubstr(own_err));
    EXPECT_EQ(t.output.size(), own.size() + own_err.size()) << t.output;
  }
}

TEST(BatchTest, AThreadLeftRunningEndsTheBatch) {
  const std::vector<TrialResult> results = run("leaves_a_thread_at_seed_3", 1, 6);
  ASSERT_EQ(results.size(), 6u);
  for (const TrialResult& t : results) ASSERT_TRUE(t.outcome) << "seed " << t.seed << " hung " << t.hung << " exit " << t.exit_code.value_or(-1) << " signal " << t.signal.value_or(-1) << ": " << t.output;
  EXPECT_EQ(child_of(results[0]), child_of(results[2]));
  EXPECT_NE(child_of(results[2]), child_of(results[3]));
  EXPECT_EQ(child_of(results[3]), child_of(results[5]));
}

TEST(BatchTest, AThreadLeftParkedOnItsControllerEndsTheBatchCleanly) {
  // Under TSan every trial is a fork of a child that ran none: no trial
  // follows another in a process (UnderThreadSanitizerEachTrialIsForkedFrom
  // OneFreshChild).
  if (is_tsan(build_detector())) GTEST_SKIP() << "under TSan no trial shares a process";
  const Case& c = *find_case("test_batch");
  std::vector<TrialResult> results;
  run_trials(c, *c.find_variant("leaves_a_parked_thread_at_seed_3"), {.kind = SchedulerKind::kPct, .seed = 1, .steps = 4},
             6, [&](TrialResult trial) {
               results.push_back(std::move(trial));
               return true;
             });
  ASSERT_EQ(results.size(), 6u);
  for (const TrialResult& t : results) {
    ASSERT_TRUE(t.outcome) << "seed " << t.seed << " hung " << t.hung << ": " << t.output;
    // In the asan build a freed controller read by the parked thread is a
    // heap-use-after-free report; nothing may be reported in any trial.
    EXPECT_THAT(t.output, testing::Not(testing::HasSubstr("ERROR:"))) << "seed " << t.seed;
  }
  EXPECT_EQ(child_of(results[0]), child_of(results[2]));
  EXPECT_NE(child_of(results[2]), child_of(results[3]));
  EXPECT_EQ(child_of(results[3]), child_of(results[5]));
}

TEST(BatchTest, AReportIsTheReportingTrialsAndEndsTheBatch) {
  if (!is_tsan(build_detector())) GTEST_SKIP() << "needs ThreadSanitizer";
  const std::vector<TrialResult> results = run("races_at_seed_4", 1, 8);
  ASSERT_EQ(results.size(), 8u);
  for (const TrialResult& t : results) {
    const bool reported = !t.reports.empty() && t.reports.front().kind == "data race";
    EXPECT_EQ(reported, t.seed == 4) << "seed " << t.seed << ": " << t.output;
    ASSERT_TRUE(t.outcome) << "seed " << t.seed;
  }
  // A second identical race in the same process would be silent: the trial
  // after the report runs in a fresh child.
  EXPECT_EQ(child_of(results[0]), child_of(results[3]));
  EXPECT_NE(child_of(results[3]), child_of(results[4]));
}

// Helgrind and DRD, like the sanitizers, show each distinct error once per
// process: the trial that reported is the one the report is given to, and
// the trial after it runs in a fresh child (VALGRIND_COUNT_ERRORS, checked
// after every trial, ends the batch).
TEST(BatchTest, UnderValgrindAReportIsTheReportingTrialsAndEndsTheBatch) {
  if (!is_valgrind(build_detector())) GTEST_SKIP() << "needs the helgrind or drd build";
  const std::vector<TrialResult> results = run("races_at_seed_4", 1, 8);
  ASSERT_EQ(results.size(), 8u);
  for (const TrialResult& t : results) {
    const bool reported = !t.reports.empty() && t.reports.front().is_valgrind();
    EXPECT_EQ(reported, t.seed == 4) << "seed " << t.seed << ": " << t.output;
    if (reported) EXPECT_THAT(t.reports.front().location, testing::StartsWith("tests/batch_test.cc:"));
    ASSERT_TRUE(t.outcome) << "seed " << t.seed;
  }
  EXPECT_NE(child_of(results[3]), child_of(results[4]));
}

bool is_gone(pid_t pid) {
  // Killed, it may linger as a zombie until init reaps it.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(stat, text);
  return text.empty() || text.find(") Z") != std::string::npos;
}

TEST(BatchTest, AGrandchildThatKeepsWritingDiesWithItsTrial) {
  // It would write for 30 s; the trial's child returns at once.
  const auto started = std::chrono::steady_clock::now();
  const std::vector<TrialResult> results = run("leaves_a_writing_grandchild", 1, 1);
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0].outcome);
  const pid_t grandchild = static_cast<pid_t>(results[0].outcome->first());
  EXPECT_FALSE(results[0].hung);
  // Not a timing ceiling on the harness: the grandchild would have held the
  // parent for 30 s; anything far below that shows it did not.
  EXPECT_LT(took, std::chrono::seconds(15));
  for (int i = 0; i < 100 && !is_gone(grandchild); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(is_gone(grandchild)) << "grandchild " << grandchild << " outlived its trial";
  if (!is_gone(grandchild)) kill(grandchild, SIGKILL);
}

TEST(BatchTest, AVariantThatMayCorruptMemoryRunsAloneUnlessASanWatches) {
  const std::vector<TrialResult> results = run("may_corrupt_memory", 1, 5);
  ASSERT_EQ(results.size(), 5u);
  std::set<std::int64_t> children;
  for (const TrialResult& t : results) children.insert(child_of(t));
  // In the asan build a heap error is reported (and ends the batch) in the
  // trial that commits it, so the trials may share a child there.
  EXPECT_EQ(children.size(), build_detector() == Detector::kAsan ? 1u : 5u);
  // A leak damages nothing the next trial uses: batched in every build.
  children.clear();
  for (const TrialResult& t : run("only_leaks", 1, 5)) children.insert(child_of(t));
  EXPECT_EQ(children.size(), 1u);
}

TEST(BatchTest, UnderThreadSanitizerEveryTrialRunsAlone) {
  std::set<std::int64_t> children;
  for (const TrialResult& t : run("ok", 1, 5, BatchOptions{})) children.insert(child_of(t));
  // TSan drops races it can no longer trace back in a process that has run
  // trials before (docs/how-a-verdict-is-made.md): alone there, batched elsewhere.
  EXPECT_EQ(children.size(), is_tsan(build_detector()) ? 5u : 1u);
}

// Alone, but not a start-up each: the child forks every trial from itself
// before it ran any, so TSan reports the same race in every trial, and a
// report, a crash or a hang costs only its own trial.
TEST(BatchTest, UnderThreadSanitizerEachTrialIsForkedFromOneFreshChild) {
  if (!is_tsan(build_detector())) GTEST_SKIP() << "needs ThreadSanitizer";
  const std::vector<TrialResult> racing = run("races_in_every_trial", 1, 6, BatchOptions{}, "test_batch_reports");
  ASSERT_EQ(racing.size(), 6u);
  std::set<std::int64_t> processes;
  for (const TrialResult& t : racing) {
    ASSERT_TRUE(t.outcome) << "seed " << t.seed << " hung " << t.hung << ": " << t.output;
    ASSERT_FALSE(t.reports.empty()) << "seed " << t.seed << ": " << t.output;
    EXPECT_EQ(t.reports.front().kind, "data race") << "seed " << t.seed;
    EXPECT_THAT(t.reports.front().location, testing::StartsWith("tests/batch_test.cc:"));
    EXPECT_EQ(t.exit_code, 66) << "seed " << t.seed << ": TSan's exit code, as the trial's own process ended";
    EXPECT_NE(parent_of(t), getpid()) << "seed " << t.seed << " was started by the harness, not forked by a child";
    EXPECT_EQ(parent_of(t), parent_of(racing[0])) << "seed " << t.seed << " was forked by another child";
    processes.insert(child_of(t));
  }
  EXPECT_EQ(processes.size(), 6u);

  const std::vector<TrialResult> crashing = run("aborts_at_seed_37", 30, 10, BatchOptions{});
  ASSERT_EQ(crashing.size(), 10u);
  for (const TrialResult& t : crashing) {
    if (t.seed == 37) {
      EXPECT_FALSE(t.outcome);
      EXPECT_EQ(t.signal, SIGABRT) << t.output;
      continue;
    }
    ASSERT_TRUE(t.outcome) << "seed " << t.seed;
    EXPECT_FALSE(t.signal) << "seed " << t.seed;
    EXPECT_EQ(t.exit_code, 0) << "seed " << t.seed;
    EXPECT_EQ(parent_of(t), parent_of(crashing[0])) << "seed " << t.seed << ": the crash cost its child";
  }

  const std::vector<TrialResult> hanging = run("hangs_at_seed_5", 4, 3, BatchOptions{});
  ASSERT_EQ(hanging.size(), 3u);
  EXPECT_FALSE(hanging[0].hung);
  EXPECT_TRUE(hanging[1].hung);
  EXPECT_FALSE(hanging[1].outcome);
  ASSERT_TRUE(hanging[2].outcome);
  EXPECT_NE(parent_of(hanging[0]), parent_of(hanging[2])) << "a hang kills the child that forked it";
}

TEST(BatchTest, StoppingEarlyDiscardsTheRest) {
  const Case& c = *find_case("test_batch");
  int seen = 0;
  run_trials(c, *c.find_variant("ok"), {.kind = SchedulerKind::kNone, .seed = 1}, 100, [&](TrialResult) {
    return ++seen < 3;
  });
  EXPECT_EQ(seen, 3);
}

}  // namespace
}  // namespace hazardlab
