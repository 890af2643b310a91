// The verdict rules, on hand-made trial results (no processes involved).
#include "harness/evidence/verdict.h"

#include <gtest/gtest.h>

#include <csignal>

namespace hazardlab {

// Found by GoogleTest through argument-dependent lookup: verdicts print by name.
void PrintTo(Verdict v, std::ostream* os) { *os << verdict_name(v); }

namespace {

Outcome unused_body(Threads&) { return 0; }

Case counter_case(std::vector<Expectation> broken, std::vector<Expectation> fixed = {}) {
  return Case{.name = "counter",
              .outcomes = {acceptable(equals(10), "all"), forbidden(below(10), "lost")},
              .variants = {{"broken", unused_body, std::move(broken)}, {"fixed", unused_body, std::move(fixed)}},
              .deadline = std::chrono::milliseconds(500)};
}

TrialResult finished(std::int64_t value, std::uint64_t seed = 1) {
  TrialResult t;
  t.seed = seed;
  t.outcome = Outcome(value);
  t.exit_code = 0;
  return t;
}

TrialResult with_report(TrialResult t, std::string tool, std::string kind) {
  Report r;
  r.tool = std::move(tool);
  r.kind = std::move(kind);
  r.location = "cases/counter.cc:12";
  t.reports.push_back(r);
  t.exit_code = 66;
  return t;
}

TrialResult hung() {
  TrialResult t;
  t.hung = true;
  t.signal = SIGKILL;
  t.deadline = std::chrono::milliseconds(500);
  return t;
}

TrialResult aborted() {
  TrialResult t;
  t.signal = SIGABRT;
  return t;
}

// A controlled run in which every thread waited: main in join, thread 1 in lock.
TrialResult deadlocked(std::uint64_t seed = 1) {
  TrialResult t;
  t.seed = seed;
  t.exit_code = 0;
  t.controlled.emplace();
  t.controlled->deadlock = {{7, 0, "join", {}}, {7, 1, "lock", {}}};
  return t;
}

Judgement judge(const Case& c, const std::string& variant, Detector d, const std::vector<TrialResult>& trials) {
  Judge j(c, *c.find_variant(variant), d, SchedulerKind::kRandom, /*keep_going=*/false);
  for (const TrialResult& t : trials) {
    if (!j.add(t)) break;
  }
  return j.result();
}

TEST(VerdictTest, ForbiddenOutcomeIsDetectionWithItsTrialAndSeed) {
  const Case c = counter_case({outcome_sees(forbidden_outcome())});
  const Judgement j = judge(c, "broken", Detector::kOutcome, {finished(10, 5), finished(7, 6), finished(8, 7)});
  EXPECT_EQ(j.verdict, Verdict::kDetected);
  EXPECT_TRUE(j.expected);
  EXPECT_EQ(j.trials, 3);  // the outcome detector keeps going: its histogram is a rate
  EXPECT_EQ(j.trials_with_evidence, 2);
  EXPECT_EQ(j.first_evidence_trial, 2);
  EXPECT_EQ(j.first_evidence_seed, 6u);
  EXPECT_EQ(j.histogram.count_of(OutcomeKind::kForbidden), 2);
}

TEST(VerdictTest, BrokenVariantWithoutEvidenceIsMissed) {
  const Case c = counter_case({outcome_sees(forbidden_outcome())});
  const Judgement j = judge(c, "broken", Detector::kOutcome, {finished(10), finished(10)});
  EXPECT_EQ(j.verdict, Verdict::kMissed);
  EXPECT_FALSE(j.expected);
}

TEST(VerdictTest, SanitizerStopsAtTheFirstMatchingReport) {
  const Case c = counter_case({tsan_sees(report("data race"))});
  const Judgement j = judge(c, "broken", Detector::kTsan,
                            {finished(10), with_report(finished(9), "ThreadSanitizer", "data race"), finished(8)});
  EXPECT_EQ(j.verdict, Verdict::kDetected);
  EXPECT_TRUE(j.expected);
  EXPECT_EQ(j.trials, 2);
  ASSERT_TRUE(j.evidence && j.evidence->report);
  EXPECT_EQ(j.evidence->report->location, "cases/counter.cc:12");
  EXPECT_EQ(j.report_kinds.at("data race"), 1);
}

TEST(VerdictTest, AReportOfAnotherKindIsNotTheDeclaredEvidence) {
  const Case c = counter_case({tsan_sees(report("lock-order-inversion"))});
  const Judgement j =
      judge(c, "broken", Detector::kTsan, {with_report(finished(9), "ThreadSanitizer", "data race")});
  EXPECT_EQ(j.verdict, Verdict::kMissed);
  EXPECT_FALSE(j.expected);
}

TEST(VerdictTest, ASanReportsDoNotCountForTheTsanDetector) {
  const Case c = counter_case({tsan_sees(report("heap-use-after-free"))});
  TrialResult trial = with_report(finished(9), "AddressSanitizer", "heap-use-after-free");
  trial.exit_code = 0;  // only the report itself is under test here
  const Judgement j = judge(c, "broken", Detector::kTsan, {trial});
  EXPECT_EQ(j.verdict, Verdict::kMissed);
}

TEST(VerdictTest, CleanFixedVariant) {
  const Case c = counter_case({});
  const Judgement j = judge(c, "fixed", Detector::kTsan, {finished(10), finished(10)});
  EXPECT_EQ(j.verdict, Verdict::kClean);
  EXPECT_TRUE(j.expected);
  EXPECT_EQ(j.declared, "clean");
}

TEST(VerdictTest, AReportOnAFixedVariantIsAFalseAlarm) {
  const Case c = counter_case({});
  const Judgement j =
      judge(c, "fixed", Detector::kTsan, {finished(10), with_report(finished(10), "ThreadSanitizer", "data race")});
  EXPECT_EQ(j.verdict, Verdict::kFalseAlarm);
  EXPECT_FALSE(j.expected);
}

TEST(VerdictTest, ADeclaredFalseAlarmIsExpectedAndItsAbsenceIsNot) {
  const Case c = counter_case({}, {false_alarm(Detector::kTsan, report("data race"), "fences")});
  EXPECT_TRUE(judge(c, "fixed", Detector::kTsan, {with_report(finished(10), "ThreadSanitizer", "data race")}).expected);
  const Judgement fixed_toolchain = judge(c, "fixed", Detector::kTsan, {finished(10)});
  EXPECT_EQ(fixed_toolchain.verdict, Verdict::kClean);
  EXPECT_FALSE(fixed_toolchain.expected);
}

TEST(VerdictTest, DeclaredMissIsExpectedUntilTheDetectorSeesIt) {
  const Case c = counter_case({misses(Detector::kAsan, "no memory error")});
  EXPECT_EQ(judge(c, "broken", Detector::kAsan, {finished(3)}).verdict, Verdict::kMissed);
  EXPECT_TRUE(judge(c, "broken", Detector::kAsan, {finished(3)}).expected);
  const Judgement saw = judge(c, "broken", Detector::kAsan, {with_report(finished(3), "AddressSanitizer", "x")});
  EXPECT_EQ(saw.verdict, Verdict::kDetected);
  EXPECT_FALSE(saw.expected);
}

TEST(VerdictTest, DeclaredHangIsTheHangVerdictAndStopsTheRun) {
  const Case c = counter_case({outcome_sees(hang())});
  const Judgement j = judge(c, "broken", Detector::kOutcome, {finished(10), hung(), finished(10)});
  EXPECT_EQ(j.verdict, Verdict::kHang);
  EXPECT_TRUE(j.expected);
  EXPECT_EQ(j.trials, 2);
  EXPECT_NE(j.evidence->text.find("500 ms deadline"), std::string::npos) << j.evidence->text;
}

TEST(VerdictTest, UndeclaredHangOrCrashIsNeverAsDeclared) {
  const Case c = counter_case({outcome_sees(forbidden_outcome())});
  const Judgement hang_verdict = judge(c, "fixed", Detector::kOutcome, {hung()});
  EXPECT_EQ(hang_verdict.verdict, Verdict::kHang);
  EXPECT_FALSE(hang_verdict.expected);
  const Judgement crash = judge(c, "broken", Detector::kOutcome, {finished(10), aborted()});
  EXPECT_EQ(crash.verdict, Verdict::kCrash);
  EXPECT_FALSE(crash.expected);
  EXPECT_EQ(crash.evidence->text, "SIGABRT");
}

TEST(VerdictTest, AnUndeclaredHangOfABrokenVariantDoesNotEndTheSearch) {
  const Case c = counter_case({tsan_sees(report("data race"))});
  const Judgement j = judge(c, "broken", Detector::kTsan,
                            {hung(), with_report(finished(9), "ThreadSanitizer", "data race")});
  EXPECT_EQ(j.trials, 2);
  EXPECT_EQ(j.verdict, Verdict::kDetected);
  EXPECT_TRUE(j.expected);
  EXPECT_EQ(j.first_evidence_trial, 2);
}

TEST(VerdictTest, ReportKindsCountTrialsNotReports) {
  const Case c = counter_case({tsan_sees(report("data race"))});
  TrialResult twice = with_report(with_report(finished(9), "ThreadSanitizer", "data race"), "ThreadSanitizer",
                                  "data race");
  Judge judge_all(c, *c.find_variant("broken"), Detector::kTsan, SchedulerKind::kRandom, /*keep_going=*/true);
  judge_all.add(twice);
  judge_all.add(twice);
  EXPECT_EQ(judge_all.result().report_kinds.at("data race"), 2);
}

TEST(VerdictTest, DeclaredTerminationMatchesTheRuntimeMessage) {
  const Case c = counter_case({outcome_sees(terminates("terminate called without an active exception"))});
  TrialResult t = aborted();
  t.output = "terminate called without an active exception\n";
  Report r;
  r.tool = "C++ runtime";
  r.kind = "terminate";
  r.headline = "terminate called without an active exception";
  t.reports.push_back(r);
  const Judgement j = judge(c, "broken", Detector::kOutcome, {t});
  EXPECT_EQ(j.verdict, Verdict::kCrash);
  EXPECT_TRUE(j.expected);
  EXPECT_EQ(j.evidence->text, "SIGABRT: terminate called without an active exception");
}

// A controlled run's deadlock is its own verdict, with every waiter named,
// and meets a declared hang (the same bug seen by a scheduler that can tell
// that every thread waits); it is not a crash for want of an outcome.
TEST(VerdictTest, ADeadlockIsItsOwnVerdictAndMeetsADeclaredHang) {
  const Case c = counter_case({outcome_sees(hang())});
  const Judgement j = judge(c, "broken", Detector::kOutcome, {finished(10), deadlocked(2)});
  EXPECT_EQ(j.verdict, Verdict::kDeadlock);
  EXPECT_TRUE(j.expected);
  EXPECT_EQ(j.evidence->kind, Evidence::Kind::kDeadlock);
  EXPECT_EQ(*j.first_evidence_seed, 2u);
  EXPECT_NE(j.evidence->text.find("main waits in join"), std::string::npos) << j.evidence->text;
  EXPECT_NE(j.evidence->text.find("thread 1 waits in lock"), std::string::npos) << j.evidence->text;
}

// A deadlock in a variant declared clean is a deadlock verdict, not as declared.
TEST(VerdictTest, ADeadlockInACorrectVariantIsNotAsDeclared) {
  const Case c = counter_case({outcome_sees(forbidden_outcome())});
  const Judgement j = judge(c, "fixed", Detector::kOutcome, {finished(10), deadlocked()});
  EXPECT_EQ(j.verdict, Verdict::kDeadlock);
  EXPECT_FALSE(j.expected);
}

}  // namespace
}  // namespace hazardlab
