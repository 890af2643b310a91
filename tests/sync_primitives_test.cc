// call_once, SharedMutex and Barrier are steps of a controlled run, not
// blocking calls the controller cannot see: a correct program using them
// never stalls a pct schedule, and a wrong use of them (writing under a
// shared lock) is found like any other race.
#include <gtest/gtest.h>

#include <algorithm>
#include <shared_mutex>
#include <string>

#include "harness/case.h"
#include "harness/registry.h"
#include "harness/run/runner.h"

namespace hazardlab {
namespace {

constexpr int kThreads = 3;

// What every thread does: initialize the table once, add one to the total
// (under an exclusive lock, or, broken, under a shared one), wait for every
// thread at the barrier, then read the total under a shared lock.
// Outcome: (10 * initializations + the table size seen last, final total, smallest total read after the
// barrier, barrier completions).
template <class AddLock>
Outcome initialize_add_meet_read(Threads& threads) {
  OnceFlag once;
  int initializations = 0;
  int table_size = 0;
  SharedMutex mutex;
  int total = 0;
  int completions = 0;
  Barrier meet(kThreads, [&]() noexcept { ++completions; });
  int smallest_read = kThreads;
  Mutex smallest_mutex;
  threads.run(kThreads, [&](int) {
    call_once(once, [&] {
      yield_point();  // the others arrive while the initialization is under way
      table_size = kThreads;
      ++initializations;
    });
    {
      AddLock lock(mutex);
      const int seen = total;
      yield_point();
      total = seen + 1;
    }
    meet.arrive_and_wait();
    int read;
    {
      std::shared_lock lock(mutex);
      yield_point();
      read = total;
    }
    std::lock_guard lock(smallest_mutex);
    smallest_read = std::min(smallest_read, read);
  });
  return {initializations * 10 + table_size, total, smallest_read, completions};
}

Outcome correct(Threads& threads) { return initialize_add_meet_read<std::unique_lock<SharedMutex>>(threads); }
Outcome writes_under_a_shared_lock(Threads& threads) {
  return initialize_add_meet_read<std::shared_lock<SharedMutex>>(threads);
}

HAZARDLAB_CASE({
    .name = "test_sync_primitives",
    .title = "call_once, SharedMutex and Barrier under every scheduler (harness test only)",
    .order = 10'001,
    .outcomes = {acceptable(equals({10 + kThreads, kThreads, kThreads, 1}), "one initialization, every addition seen")},
    .variants = {{"fixed", correct, {}},
                 {"broken_shared_write", writes_under_a_shared_lock, {pct_sees(forbidden_outcome()).within(100)}}},
    .deadline = std::chrono::milliseconds(10'000),
});

Judgement run(const std::string& variant, SchedulerKind kind, int trials) {
  const Case& c = *find_case("test_sync_primitives");
  RunPlan plan{.c = &c,
               .variant = c.find_variant(variant),
               .detector = Detector::kOutcome,
               .spec = {.kind = kind, .seed = 1},
               .trials = trials};
  return execute(plan);
}

std::string why(const Judgement& j) {
  return j.evidence ? j.evidence->text : "no evidence";
}

class ControlledSyncTest : public testing::Test {
 protected:
  void SetUp() override {
    if (is_tsan(build_detector())) GTEST_SKIP() << "the controller's own tests run in the dev and asan builds";
  }
};

// Before these were harness types, std::call_once and std::shared_mutex
// blocked outside the controller: a stall in a good part of pct schedules.
TEST_F(ControlledSyncTest, CorrectUseIsCleanOverAThousandPctSchedules) {
  const Judgement j = run("fixed", SchedulerKind::kPct, 1000);
  EXPECT_EQ(j.verdict, Verdict::kClean) << why(j);
  EXPECT_EQ(j.trials, 1000);
  EXPECT_EQ(j.unexpected_count, 0);
}

TEST_F(ControlledSyncTest, CorrectUseIsCleanUnderWalkAndGil) {
  EXPECT_EQ(run("fixed", SchedulerKind::kWalk, 200).verdict, Verdict::kClean);
  EXPECT_EQ(run("fixed", SchedulerKind::kGil, 1).verdict, Verdict::kClean);
}

TEST_F(ControlledSyncTest, WritingUnderASharedLockIsDetectedByPct) {
  const Judgement j = run("broken_shared_write", SchedulerKind::kPct, 100);
  EXPECT_EQ(j.verdict, Verdict::kDetected) << why(j);
  ASSERT_TRUE(j.evidence.has_value());
  EXPECT_EQ(j.evidence->kind, Evidence::Kind::kForbiddenOutcome);
}

// Outside controlled runs each is its std:: counterpart, and correct.
TEST(SyncPrimitivesTest, CorrectUseIsCleanUnderAStressScheduler) {
  EXPECT_EQ(run("fixed", SchedulerKind::kRandom, 20).verdict, Verdict::kClean);
}

}  // namespace
}  // namespace hazardlab
