#include "harness/evidence/outcome.h"

#include <gtest/gtest.h>

namespace hazardlab {
namespace {

const std::vector<OutcomeClass> kCounter = {
    acceptable(equals(40'000), "every increment landed"),
    interesting(equals(39'999), "exactly one lost"),
    forbidden(below(40'000), "increments were overwritten"),
};

TEST(OutcomeTest, FirstMatchingClassWins) {
  EXPECT_EQ(classify_outcome(kCounter, 40'000).kind, OutcomeKind::kAcceptable);
  EXPECT_EQ(classify_outcome(kCounter, 39'999).kind, OutcomeKind::kInteresting);
  EXPECT_EQ(classify_outcome(kCounter, 12'345).kind, OutcomeKind::kForbidden);
  EXPECT_EQ(classify_outcome(kCounter, 12'345).description, "increments were overwritten");
}

TEST(OutcomeTest, AnOutcomeNoClassListsIsForbidden) {
  const Classification c = classify_outcome(kCounter, 50'000);
  EXPECT_EQ(c.kind, OutcomeKind::kForbidden);
  EXPECT_EQ(c.description, "not an outcome the case lists");
}

TEST(OutcomeTest, TuplesPrintAndCompare) {
  const Outcome pair{3, 1};
  EXPECT_EQ(pair.to_string(), "3, 1");
  EXPECT_EQ(Outcome(7).to_string(), "7");
  EXPECT_LT(Outcome(1), Outcome(2));
  EXPECT_EQ(equals(Outcome{3, 1}).text, "= 3, 1");
  EXPECT_TRUE(equals(Outcome{3, 1}).matches(pair));
  EXPECT_FALSE(equals(Outcome{3, 2}).matches(pair));
}

}  // namespace
}  // namespace hazardlab
