#include "harness/evidence/histogram.h"

#include <gtest/gtest.h>

namespace hazardlab {
namespace {

TEST(HistogramTest, CountsOutcomesInOrderThenRunsWithoutOutcome) {
  Histogram h;
  h.add(39'000, {OutcomeKind::kForbidden, "lost"}, 7);
  h.add(40'000, {OutcomeKind::kAcceptable, "all"}, 8);
  h.add(39'000, {OutcomeKind::kForbidden, "lost"}, 9);
  h.add_without_outcome("hang", 10);
  const auto rows = h.rows();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].label, "39000");
  EXPECT_EQ(rows[0].count, 2);
  EXPECT_EQ(rows[0].kind, OutcomeKind::kForbidden);
  EXPECT_EQ(rows[1].label, "40000");
  EXPECT_EQ(rows[1].count, 1);
  EXPECT_EQ(rows[2].label, "hang");
  EXPECT_FALSE(rows[2].outcome.has_value());
  EXPECT_EQ(h.total(), 4);
  EXPECT_EQ(h.count_of(OutcomeKind::kForbidden), 2);
  EXPECT_EQ(h.count_of(OutcomeKind::kAcceptable), 1);
}

TEST(HistogramTest, EveryRunThatIsEvidenceKeepsItsSeed) {
  Histogram h;
  h.add(39'000, {OutcomeKind::kForbidden, "lost"}, 7);
  h.add(40'000, {OutcomeKind::kAcceptable, "all"}, 8);
  h.add(39'000, {OutcomeKind::kForbidden, "lost"}, 9);
  h.add(41'000, {OutcomeKind::kInteresting, "odd"}, 11);
  h.add_without_outcome("crash: SIGSEGV", 10);
  const auto rows = h.rows();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].seeds, (std::vector<std::uint64_t>{7, 9}));
  EXPECT_TRUE(rows[1].seeds.empty()) << "an acceptable outcome is no evidence";
  EXPECT_EQ(rows[2].seeds, (std::vector<std::uint64_t>{11}));
  EXPECT_EQ(rows[3].seeds, (std::vector<std::uint64_t>{10}));
}

}  // namespace
}  // namespace hazardlab
