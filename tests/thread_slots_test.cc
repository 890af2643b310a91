// A controlled run holds a slot per thread: a thread that has ended and was
// joined frees its slot for the next one, so a case may create as many
// threads over its run as it likes; only threads alive (or unjoined) at once
// are limited, and reaching that limit is a harness failure whose verdict
// names it, not a bare crash.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "harness/case.h"
#include "harness/registry.h"
#include "harness/run/runner.h"
#include "harness/run/trial.h"

namespace hazardlab {
namespace {

constexpr int kRounds = 20;
constexpr int kThreadsPerRound = 4;

// 20 rounds of 4 workers, each round joined before the next starts, and one
// thread of the case's own per round: 101 threads over the run, never more
// than 5 at once.
Outcome rounds(Threads& threads) {
  Mutex mutex;
  int count = 0;
  for (int round = 0; round < kRounds; ++round) {
    threads.run(kThreadsPerRound, [&](int) {
      yield_point();
      std::lock_guard lock(mutex);
      ++count;
    });
    std::thread own(threads.instrumented([&] {
      std::lock_guard lock(mutex);
      ++count;
    }));
    join(own);
  }
  return Outcome(count);
}

// More threads alive at once than a controlled run has slots for.
Outcome all_at_once(Threads& threads) {
  Latch all_started(Controller::kMaxThreads + 1);
  threads.run(Controller::kMaxThreads + 1, [&](int) { all_started.arrive_and_wait(); });
  return Outcome(0);
}

HAZARDLAB_CASE({
    .name = "test_thread_slots",
    .title = "many threads over one controlled run (harness test only)",
    .order = 10'001,
    .outcomes = {acceptable(equals((kThreadsPerRound + 1) * kRounds), "every increment"),
                 acceptable(equals(0), "all_at_once")},
    .variants = {{"rounds", rounds, {}}, {"all_at_once", all_at_once, {}}},
    .deadline = std::chrono::milliseconds(10'000),
});

class ThreadSlotsTest : public testing::Test {
 protected:
  void SetUp() override {
    if (is_tsan(build_detector())) GTEST_SKIP() << "the controller's own tests run in the dev and asan builds";
  }

  static Judgement run(const std::string& variant, SchedulerKind kind, int trials) {
    const Case& c = *find_case("test_thread_slots");
    RunPlan plan{.c = &c,
                 .variant = c.find_variant(variant),
                 .detector = Detector::kOutcome,
                 .spec = {.kind = kind, .seed = 1},
                 .trials = trials};
    return execute(plan);
  }
};

TEST_F(ThreadSlotsTest, JoinedThreadsFreeTheirSlots) {
  for (SchedulerKind kind : {SchedulerKind::kPct, SchedulerKind::kWalk, SchedulerKind::kGil}) {
    const Judgement j = run("rounds", kind, 20);
    EXPECT_EQ(j.verdict, Verdict::kClean)
        << scheduler_name(kind) << ": " << (j.evidence ? j.evidence->text : "no evidence");
    // n counts every thread the run created, main included.
    EXPECT_EQ(j.max_threads, (kThreadsPerRound + 1) * kRounds + 1) << scheduler_name(kind);
  }
}

TEST_F(ThreadSlotsTest, TooManyThreadsAtOnceIsAHarnessFailureNamingTheLimit) {
  const Judgement j = run("all_at_once", SchedulerKind::kPct, 1);
  EXPECT_EQ(j.verdict, Verdict::kHarnessFailure);
  ASSERT_TRUE(j.evidence.has_value());
  EXPECT_THAT(j.evidence->text, testing::HasSubstr("more than 64 threads alive at once"));
}

}  // namespace
}  // namespace hazardlab
