// The thread-safety detector: clang's warnings parsed from a recorded log
// (tests/reports/clang_thread_safety.txt: gil_atomicity.cc before its Gil was
// annotated), placed in the case function that holds their line, and judged
// per variant.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "harness/cli/warnings.h"
#include "harness/evidence/compiler_warning.h"
#include "harness/registry.h"

namespace hazardlab {
namespace {

std::string recorded(const std::string& name) {
  std::ifstream file(std::string(HAZARDLAB_REPORTS_DIR) + "/" + name);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The 1-based line of the first line of case `name`'s source containing `text`.
int line_of(const std::string& case_file, const std::string& text) {
  int line = 0;
  for (absl::string_view l : absl::StrSplit(case_source(case_file), '\n')) {
    ++line;
    if (absl::StrContains(l, text)) return line;
  }
  ADD_FAILURE() << "no line with " << text << " in " << case_file;
  return 0;
}

TEST(WarningsTest, ParsesEachThreadSafetyWarningOfARecordedLog) {
  const std::vector<CompilerWarning> warnings = thread_safety_warnings(recorded("clang_thread_safety.txt"));
  ASSERT_EQ(warnings.size(), 8u);  // its 5 notes are not findings
  EXPECT_EQ(warnings[0].file, "cases/gil_atomicity.cc");
  EXPECT_EQ(warnings[0].line, 50);
  EXPECT_EQ(warnings[0].column, 33);
  EXPECT_EQ(warnings[0].message, "mutex 'mutex_' is still held at the end of function");
  EXPECT_EQ(warnings[0].flag, "-Wthread-safety-analysis");
}

TEST(WarningsTest, OtherWarningsAndErrorsAreNotFindings) {
  EXPECT_TRUE(thread_safety_warnings("a.cc:3:7: warning: unused variable 'x' [-Wunused-variable]\n"
                                     "a.cc:4:1: error: expected ';'\n")
                  .empty());
  EXPECT_EQ(thread_safety_warnings("a.cc:9:2: warning: mutex 'a' must be acquired before 'b' "
                                   "[-Wthread-safety-analysis]\n")
                .size(),
            1u);
}

CompilerWarning at(const std::string& file, int line, const std::string& message) {
  return {file, line, 1, message, "-Wthread-safety-analysis"};
}

TEST(WarningsTest, AWarningBelongsToTheFunctionHoldingItsLineLambdasIncluded) {
  const Case& c = *find_case("lock_order_deadlock");
  const int in_broken_lambda = line_of("lock_order_deadlock.cc", "LockGuard hold_second(locks.a);");
  const int in_struct = line_of("lock_order_deadlock.cc", "Mutex a ABSL_ACQUIRED_BEFORE(b);");
  const std::vector<PlacedWarning> placed = place_warnings(
      c, {at("cases/lock_order_deadlock.cc", in_broken_lambda, "x"), at("cases/lock_order_deadlock.cc", in_struct, "y"),
          at("/src/harness/schedule/sync.h", in_broken_lambda, "z")});
  EXPECT_EQ(placed[0].function, "broken");
  EXPECT_EQ(placed[1].function, "OrderedLocks");
  EXPECT_EQ(placed[2].function, "");  // another file with the same line number
}

TEST(WarningsTest, TheDeclaredWarningIsDetectedAndAFixedVariantStaysClean) {
  const Case& c = *find_case("lock_order_deadlock");
  const int line = line_of("lock_order_deadlock.cc", "LockGuard hold_second(locks.a);");
  const std::vector<PlacedWarning> placed =
      place_warnings(c, {at("cases/lock_order_deadlock.cc", line, "mutex 'a' must be acquired before 'b'")});
  const WarningVerdict broken = judge_warnings(c, *c.find_variant("broken"), placed);
  EXPECT_EQ(broken.verdict, "detected");
  EXPECT_TRUE(broken.expected);
  const WarningVerdict fixed = judge_warnings(c, *c.find_variant("fixed_ordered"), placed);
  EXPECT_EQ(fixed.verdict, "clean");
  EXPECT_TRUE(fixed.expected);
}

TEST(WarningsTest, AMissingOrAnExtraWarningIsNotAsDeclared) {
  const Case& c = *find_case("lock_order_deadlock");
  const Variant& broken = *c.find_variant("broken");
  const WarningVerdict none = judge_warnings(c, broken, {});
  EXPECT_EQ(none.verdict, "missed");
  EXPECT_FALSE(none.expected);
  const int line = line_of("lock_order_deadlock.cc", "LockGuard hold_second(locks.a);");
  const WarningVerdict extra = judge_warnings(
      c, broken,
      place_warnings(c, {at("cases/lock_order_deadlock.cc", line, "mutex 'a' must be acquired before 'b'"),
                         at("cases/lock_order_deadlock.cc", line, "writing variable 'x' requires holding mutex 'a'")}));
  EXPECT_FALSE(extra.expected);
  ASSERT_EQ(extra.unexpected.size(), 1u);
}

TEST(WarningsTest, AWarningInAFixedVariantsCodeOrAHarnessHeaderFailsIt) {
  const Case& c = *find_case("lock_order_deadlock");
  const Variant& fixed = *c.find_variant("fixed_ordered");
  const int in_fixed = line_of("lock_order_deadlock.cc", "LockGuard hold_b(locks.b);");
  const WarningVerdict own = judge_warnings(c, fixed, place_warnings(c, {at("cases/lock_order_deadlock.cc", in_fixed, "m")}));
  EXPECT_EQ(own.verdict, "fix fails");
  EXPECT_FALSE(own.expected);
  // In the struct it uses.
  const int in_struct = line_of("lock_order_deadlock.cc", "Mutex a ABSL_ACQUIRED_BEFORE(b);");
  EXPECT_FALSE(judge_warnings(c, fixed, place_warnings(c, {at("cases/lock_order_deadlock.cc", in_struct, "m")})).expected);
  // In a header every variant includes.
  EXPECT_FALSE(judge_warnings(c, fixed, place_warnings(c, {at("harness/schedule/sync.h", 12, "m")})).expected);
  // A declared miss that the compiler does see is out of date.
  const Case& lost_update = *find_case("lost_update");
  const int in_lost = line_of("lost_update.cc", "counter = seen + 1;");
  const WarningVerdict seen = judge_warnings(lost_update, *lost_update.find_variant("broken"),
                                             place_warnings(lost_update, {at("cases/lost_update.cc", in_lost, "m")}));
  EXPECT_EQ(seen.verdict, "detected");
  EXPECT_FALSE(seen.expected);
}

// The matrix's thread-safety column reads these objects like run's: the
// verdict, and the warning it rests on as the evidence (the declared one of a
// broken variant; an extra one is unexpected).
TEST(WarningsTest, TheJsonVerdictIsShapedLikeARunWithTheWarningAsEvidence) {
  const Case& c = *find_case("lock_order_deadlock");
  const int line = line_of("lock_order_deadlock.cc", "LockGuard hold_second(locks.a);");
  const std::vector<PlacedWarning> placed =
      place_warnings(c, {at("cases/lock_order_deadlock.cc", line, "writing variable 'x' requires holding mutex 'a'"),
                         at("cases/lock_order_deadlock.cc", line, "mutex 'a' must be acquired before 'b'")});
  const Variant& broken = *c.find_variant("broken");
  const nlohmann::json j = warning_verdict_json(c, broken, judge_warnings(c, broken, placed), "x.log");
  EXPECT_EQ(j["case"], "lock_order_deadlock");
  EXPECT_EQ(j["variant"], "broken");
  EXPECT_EQ(j["detector"], "thread-safety");
  EXPECT_EQ(j["verdict"], "detected");
  EXPECT_EQ(j["expected"], false);  // the extra warning
  EXPECT_THAT(j["evidence"]["text"].get<std::string>(), testing::HasSubstr("must be acquired before"));
  ASSERT_EQ(j["unexpected"].size(), 1u);
  EXPECT_THAT(j["unexpected"][0]["text"].get<std::string>(), testing::HasSubstr("requires holding mutex"));
  EXPECT_EQ(j["trials"], 1);

  const Variant& fixed = *c.find_variant("fixed");
  const nlohmann::json clean = warning_verdict_json(c, fixed, judge_warnings(c, fixed, {}), "x.log");
  EXPECT_EQ(clean["verdict"], "clean");
  EXPECT_TRUE(clean["evidence"].is_null());
  EXPECT_EQ(clean["expected"], true);
}

}  // namespace
}  // namespace hazardlab
