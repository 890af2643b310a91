// Runner isolation: whatever a trial's child does (segfault, abort,
// terminate, hang, print garbage), the parent gets a result and carries on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <exception>
#include <thread>

#include "harness/case.h"
#include "harness/registry.h"
#include "harness/run/trial.h"

namespace hazardlab {
namespace {

Outcome returns_seven(Threads&) { return {7, 1}; }

Outcome segfaults(Threads&) {
  volatile int* nowhere = nullptr;
  *nowhere = 1;
  return 0;
}

Outcome aborts(Threads&) { std::abort(); }

Outcome terminates_program(Threads&) { std::terminate(); }

Outcome hangs(Threads&) {
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
}

Outcome reports_seed(Threads& threads) { return static_cast<std::int64_t>(threads.seed()); }

HAZARDLAB_CASE({
    .name = "test_isolation",
    .title = "children that misbehave (harness test only)",
    .order = 10'000,
    .outcomes = {acceptable(anything_else(), "any")},
    .variants = {{"ok", returns_seven, {}},
                 {"segfault", segfaults, {}},
                 {"abort", aborts, {}},
                 {"terminate", terminates_program, {}},
                 {"hang", hangs, {}},
                 {"seed", reports_seed, {}}},
    // Long enough for AddressSanitizer to print a symbolized SEGV report on
    // a loaded machine (300 ms was not, once); the hang costs it once.
    .deadline = std::chrono::milliseconds(1500),
});

TrialResult run(const std::string& variant, std::uint64_t seed = 1) {
  const Case& c = *find_case("test_isolation");
  return run_trial(c, *c.find_variant(variant), {.kind = SchedulerKind::kNone, .seed = seed});
}

TEST(ChildIsolationTest, AnOrdinaryChildReturnsItsOutcome) {
  const TrialResult t = run("ok");
  ASSERT_TRUE(t.outcome.has_value());
  EXPECT_EQ(*t.outcome, (Outcome{7, 1}));
  EXPECT_EQ(t.exit_code, 0);
  EXPECT_FALSE(t.hung);
}

TEST(ChildIsolationTest, TheSeedReachesTheChild) {
  const TrialResult t = run("seed", 123456789);
  ASSERT_TRUE(t.outcome.has_value());
  EXPECT_EQ(*t.outcome, Outcome(123456789));
}

TEST(ChildIsolationTest, ASegfaultIsCapturedNotFatal) {
  const TrialResult t = run("segfault");
  EXPECT_FALSE(t.outcome.has_value());
  EXPECT_FALSE(t.hung);
  // Natively the signal ends it; under a sanitizer, the runtime's SEGV report.
  EXPECT_TRUE(t.signal == SIGSEGV || t.output.find("SEGV") != std::string::npos) << t.output;
}

TEST(ChildIsolationTest, AnAbortIsCaptured) {
  const TrialResult t = run("abort");
  EXPECT_FALSE(t.outcome.has_value());
  EXPECT_TRUE(t.signal == SIGABRT || t.output.find("ABRT") != std::string::npos) << t.output;
}

TEST(ChildIsolationTest, TerminateIsCapturedAndClassified) {
  const TrialResult t = run("terminate");
  EXPECT_FALSE(t.outcome.has_value());
  EXPECT_THAT(t.output, testing::HasSubstr("terminate called"));
  ASSERT_FALSE(t.reports.empty());
  EXPECT_EQ(t.reports.front().kind, "terminate");
}

TEST(ChildIsolationTest, AHangIsKilledAtTheDeadline) {
  const TrialResult t = run("hang");
  EXPECT_TRUE(t.hung);
  EXPECT_FALSE(t.outcome.has_value());
  EXPECT_EQ(t.signal, SIGKILL);
  // Generous: the watchdog acts at 1500 ms; this only proves it acted at all.
  EXPECT_LT(t.wall, std::chrono::seconds(30));
  EXPECT_GE(t.wall, std::chrono::milliseconds(1500));
}

TEST(ChildIsolationTest, TheParentCarriesOnAfterEveryKindOfFailure) {
  for (const char* variant : {"segfault", "abort", "terminate", "hang"}) run(variant);
  const TrialResult t = run("ok");
  ASSERT_TRUE(t.outcome.has_value());
  EXPECT_EQ(*t.outcome, (Outcome{7, 1}));
}

}  // namespace
}  // namespace hazardlab
