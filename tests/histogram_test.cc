#include "harness/evidence/histogram.h"

#include <gtest/gtest.h>

namespace hazardlab {
namespace {

TEST(HistogramTest, CountsOutcomesInOrderThenRunsWithoutOutcome) {
  Histogram h;
  h.add(39'000, {OutcomeKind::kForbidden, "lost"});
  h.add(40'000, {OutcomeKind::kAcceptable, "all"});
  h.add(39'000, {OutcomeKind::kForbidden, "lost"});
  h.add_without_outcome("hang");
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

}  // namespace
}  // namespace hazardlab
