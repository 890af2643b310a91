#include "harness/schedule/scheduler.h"

#include <gtest/gtest.h>

#include <vector>

namespace hazardlab {
namespace {

std::vector<YieldDecision> decisions(SchedulerKind kind, std::uint64_t seed, int thread, int count) {
  ThreadSchedule schedule(kind, seed, thread);
  std::vector<YieldDecision> out;
  for (int i = 0; i < count; ++i) out.push_back(schedule.next_decision());
  return out;
}

TEST(SchedulerTest, SameSeedAndThreadGiveTheSameDecisions) {
  EXPECT_EQ(decisions(SchedulerKind::kRandom, 42, 1, 5000), decisions(SchedulerKind::kRandom, 42, 1, 5000));
}

TEST(SchedulerTest, OtherSeedOrThreadGivesOtherDecisions) {
  const auto base = decisions(SchedulerKind::kRandom, 42, 1, 5000);
  EXPECT_NE(base, decisions(SchedulerKind::kRandom, 43, 1, 5000));
  EXPECT_NE(base, decisions(SchedulerKind::kRandom, 42, 2, 5000));
}

TEST(SchedulerTest, RandomSchedulerYieldsAtItsDeclaredRate) {
  const auto made = decisions(SchedulerKind::kRandom, 7, 0, 200'000);
  int yields = 0;
  int sleeps = 0;
  for (YieldDecision d : made) {
    yields += d == YieldDecision::kYield;
    sleeps += d == YieldDecision::kSleep;
  }
  // Binomial: 200,000 draws at p = 0.01 give 2,000 +- 45 (1 sd).
  EXPECT_NEAR(yields, 200'000 * ThreadSchedule::kYieldProbability, 400);
  EXPECT_NEAR(sleeps, 200'000 * ThreadSchedule::kSleepProbability, 100);
}

TEST(SchedulerTest, NoneNeverAndYieldAlwaysSwitches) {
  for (YieldDecision d : decisions(SchedulerKind::kNone, 1, 0, 100)) EXPECT_EQ(d, YieldDecision::kContinue);
  for (YieldDecision d : decisions(SchedulerKind::kYield, 1, 0, 100)) EXPECT_EQ(d, YieldDecision::kYield);
}

TEST(SchedulerTest, NamesRoundTripAndUnknownNamesAreRejected) {
  for (SchedulerKind kind : kAllSchedulers) EXPECT_EQ(parse_scheduler(scheduler_name(kind)), kind);
  EXPECT_EQ(parse_scheduler("PCT"), std::nullopt);
  EXPECT_EQ(parse_scheduler(""), std::nullopt);
}

TEST(SchedulerTest, DerivedSeedsDifferForNeighbouringStreams) {
  EXPECT_NE(derive_seed(1, 0), derive_seed(1, 1));
  EXPECT_NE(derive_seed(1, 0), derive_seed(2, 0));
  EXPECT_EQ(derive_seed(99, 3), derive_seed(99, 3));
}

}  // namespace
}  // namespace hazardlab
