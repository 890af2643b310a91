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
  r.frames.push_back({.function = "hazardlab::counter()", .file = "cases/counter.cc", .line = 12});
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
  EXPECT_EQ(j.first_evidence_trial.value_or(0), 2);
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

// Each Valgrind detector reads its own tool's reports, with the exit code its
// options give (67: a report, not a crash), and no other tool's.
TEST(VerdictTest, ValgrindDetectorsReadTheirOwnToolsReports) {
  const Case c = counter_case({sees(Detector::kHelgrind, report("Possible data race"))});
  TrialResult helgrind = with_report(finished(9), "Helgrind", "Possible data race");
  helgrind.exit_code = 67;
  Judgement j = judge(c, "broken", Detector::kHelgrind, {helgrind});
  EXPECT_EQ(j.verdict, Verdict::kDetected);
  EXPECT_TRUE(j.expected);
  // DRD's report or TSan's, in a helgrind run, is not Helgrind's evidence.
  for (const char* tool : {"DRD", "ThreadSanitizer"}) {
    TrialResult other = with_report(finished(9), tool, "Possible data race");
    other.exit_code = 0;
    j = judge(c, "broken", Detector::kHelgrind, {other});
    EXPECT_EQ(j.verdict, Verdict::kMissed) << tool;
  }
}

// A Valgrind error the classifier does not know still fails the fix: the
// process exits with the options' error code and no report to excuse it.
TEST(VerdictTest, AnUnclassifiedValgrindErrorIsATermination) {
  const Case c = counter_case({misses(Detector::kDrd, "why")});
  TrialResult trial = finished(10);
  trial.exit_code = 67;
  const Judgement j = judge(c, "fixed", Detector::kDrd, {trial});
  EXPECT_EQ(j.verdict, Verdict::kCrash);
  EXPECT_FALSE(j.expected);
}

TEST(VerdictTest, CleanFixedVariant) {
  const Case c = counter_case({});
  const Judgement j = judge(c, "fixed", Detector::kTsan, {finished(10), finished(10)});
  EXPECT_EQ(j.verdict, Verdict::kClean);
  EXPECT_TRUE(j.expected);
  EXPECT_EQ(j.declared, "clean");
}

// The detector is right until shown otherwise: an undeclared report on a
// correct variant says the fix fails, not that the tool is wrong.
TEST(VerdictTest, AnUndeclaredReportOnAFixedVariantIsAFixThatFails) {
  const Case c = counter_case({});
  const Judgement j =
      judge(c, "fixed", Detector::kTsan, {finished(10), with_report(finished(10), "ThreadSanitizer", "data race")});
  EXPECT_EQ(verdict_name(j.verdict), "fix fails");
  EXPECT_FALSE(j.expected);
}

// A forbidden outcome from a fixed variant: the fix is broken, whatever
// else the detector says. (It was called a "false alarm".)
TEST(VerdictTest, AForbiddenOutcomeOfAFixedVariantIsAFixThatFailsNotAFalseAlarm) {
  const Case c = counter_case({outcome_sees(forbidden_outcome())});
  const Judgement j = judge(c, "fixed", Detector::kOutcome, {finished(10), finished(7, 2)});
  EXPECT_EQ(verdict_name(j.verdict), "fix fails");
  EXPECT_FALSE(j.expected);
  EXPECT_EQ(j.first_evidence_seed, 2u);
}

TEST(VerdictTest, ADeclaredFalseAlarmIsExpectedAndItsAbsenceIsNot) {
  const Case c = counter_case({}, {false_alarm(Detector::kTsan, report("data race"), "fences")});
  EXPECT_TRUE(judge(c, "fixed", Detector::kTsan, {with_report(finished(10), "ThreadSanitizer", "data race")}).expected);
  const Judgement fixed_toolchain = judge(c, "fixed", Detector::kTsan, {finished(10)});
  EXPECT_EQ(fixed_toolchain.verdict, Verdict::kClean);
  EXPECT_FALSE(fixed_toolchain.expected);
}

// A declared false alarm covers only itself: anything else the variant
// shows in the same run counts against it.
TEST(VerdictTest, AForbiddenOutcomeBesideADeclaredFalseAlarmCountsAgainstTheFix) {
  const Case c = counter_case({}, {false_alarm(Detector::kTsan, report("data race"), "fences")});
  const Judgement j = judge(c, "fixed", Detector::kTsan, {with_report(finished(7), "ThreadSanitizer", "data race")});
  EXPECT_FALSE(j.expected) << verdict_name(j.verdict);
  EXPECT_EQ(verdict_name(j.verdict), "fix fails");
}

TrialResult with_race_in(TrialResult t, std::vector<std::string> functions) {
  Report r;
  r.tool = "ThreadSanitizer";
  r.kind = "data race";
  for (const std::string& function : functions) {
    r.frames.push_back({function, "/src/cases/counter.cc", 20});
    r.frames.push_back({"hazardlab::Threads::run(int, std::function<void (int)>)", "/src/harness/schedule/threads.cc", 9});
  }
  r.location = "cases/counter.cc:20";
  t.reports.push_back(r);
  t.exit_code = 66;
  return t;
}

// A declared false alarm is tied to the functions of the idiom: the same
// kind of report anywhere else is not the known limit of the tool.
TEST(VerdictTest, ADeclaredFalseAlarmMatchesOnlyWhereItIsDeclared) {
  const Case c = counter_case(
      {}, {false_alarm(Detector::kTsan, report("data race").in("drop", "intact"), "TSan and fences")});
  const Judgement there = judge(
      c, "fixed", Detector::kTsan,
      {with_race_in(finished(10), {"ns::drop(ns::AtomicShared*)", "bool ns::intact<ns::AtomicShared>(ns::AtomicShared const*)"})});
  EXPECT_EQ(there.verdict, Verdict::kFalseAlarm);
  EXPECT_TRUE(there.expected);
  // drop_acq_rel is another function: its name only starts the same.
  const Judgement elsewhere = judge(c, "fixed", Detector::kTsan,
                                    {with_race_in(finished(10), {"ns::drop_acq_rel(ns::AtomicShared*)",
                                                                 "bool ns::intact<ns::AtomicShared>(ns::AtomicShared const*)"})});
  EXPECT_EQ(elsewhere.verdict, Verdict::kFixFails);
  EXPECT_FALSE(elsewhere.expected);
}

// A fixed variant whose mutant no detector catches never reads "clean".
TEST(VerdictTest, AFixNoDetectorCanTellFromItsMutantIsUnverified) {
  Case c = counter_case({}, {false_alarm(Detector::kTsan, report("data race"), "fences")});
  c.variants[1].mutant = mutant("the fences").unverified_because("TSan reports the same race either way");
  const Judgement clean = judge(c, "fixed", Detector::kOutcome, {finished(10)});
  EXPECT_EQ(clean.verdict, Verdict::kUnverified);
  EXPECT_TRUE(clean.expected);
  EXPECT_NE(clean.declared.find("unverified: no detector here sees this fix"), std::string::npos) << clean.declared;
  const Judgement alarm = judge(c, "fixed", Detector::kTsan, {with_report(finished(10), "ThreadSanitizer", "data race")});
  EXPECT_EQ(alarm.verdict, Verdict::kUnverified);
  // What is not as declared stays what it is.
  EXPECT_EQ(judge(c, "fixed", Detector::kOutcome, {finished(3)}).verdict, Verdict::kFixFails);
}

TEST(VerdictTest, DeclaredMissIsExpectedUntilTheDetectorSeesIt) {
  const Case c = counter_case({misses(Detector::kAsan, "no memory error")});
  EXPECT_EQ(judge(c, "broken", Detector::kAsan, {finished(3)}).verdict, Verdict::kMissed);
  EXPECT_TRUE(judge(c, "broken", Detector::kAsan, {finished(3)}).expected);
  const Judgement saw = judge(c, "broken", Detector::kAsan, {with_report(finished(3), "AddressSanitizer", "x")});
  EXPECT_EQ(saw.verdict, Verdict::kDetected);
  EXPECT_FALSE(saw.expected);
}

// A declared miss flips on a report that points at the case, not on the
// tool's own crash with no frame there (GCC's libtsan dying at exit).
TEST(VerdictTest, ADeclaredMissFlipsOnlyOnAReportThatPointsAtTheCase) {
  const Case c = counter_case({misses(Detector::kTsanGcc, "no race on a dead frame")});
  TrialResult runtime_crash = with_report(finished(3), "ThreadSanitizer", "SEGV");
  runtime_crash.reports.back().frames.clear();
  runtime_crash.reports.back().location.clear();
  const Judgement crashed = judge(c, "broken", Detector::kTsanGcc, {runtime_crash});
  EXPECT_EQ(crashed.verdict, Verdict::kMissed);
  EXPECT_TRUE(crashed.expected);
  ASSERT_EQ(crashed.unexpected.size(), 1u);
  EXPECT_EQ(crashed.unexpected[0].finding.report->kind, "SEGV");
  const Judgement saw = judge(c, "broken", Detector::kTsanGcc, {with_report(finished(3), "ThreadSanitizer", "data race")});
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
  EXPECT_EQ(j.first_evidence_trial.value_or(0), 2);
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

TrialResult harness_abort() {
  TrialResult t = aborted();
  t.output = "hazardlab: controlled run: deadlock with no handler\n";
  return t;
}

// A termination declared with no message matched any crash, the harness's
// own included; the harness's abort is its own verdict, never a case's
// evidence, whatever the case declares.
TEST(VerdictTest, AHarnessAbortIsNeverTheCasesDeclaredTermination) {
  for (const std::string declared : {"", "SIGABRT"}) {
    const Case c = counter_case({outcome_sees(forbidden_outcome(), terminates(declared))});
    const Judgement j = judge(c, "broken", Detector::kOutcome, {harness_abort(), finished(10)});
    EXPECT_FALSE(j.expected) << "declared '" << declared << "'";
    EXPECT_EQ(verdict_name(j.verdict), "harness failure") << "declared '" << declared << "'";
  }
}

TEST(VerdictTest, AHarnessFailureOutweighsTheDeclaredEvidence) {
  const Case c = counter_case({outcome_sees(forbidden_outcome())});
  Judge judge_all(c, *c.find_variant("broken"), Detector::kOutcome, SchedulerKind::kRandom, /*keep_going=*/true);
  judge_all.add(finished(3));
  judge_all.add(harness_abort());
  const Judgement j = judge_all.result();
  EXPECT_EQ(j.verdict, Verdict::kHarnessFailure);
  EXPECT_FALSE(j.expected);
  EXPECT_NE(j.evidence->text.find("hazardlab: controlled run: deadlock with no handler"), std::string::npos);
}

TEST(VerdictTest, ADeclaredSignalMatchesThatSignalOnly) {
  const Case c = counter_case({outcome_sees(terminates("SIGSEGV"))});
  TrialResult segv;
  segv.signal = SIGSEGV;
  EXPECT_TRUE(judge(c, "broken", Detector::kOutcome, {segv}).expected);
  EXPECT_FALSE(judge(c, "broken", Detector::kOutcome, {aborted()}).expected);
}

// A broken variant's crash in one trial stays visible when another trial
// shows the declared evidence: with its trial and seed.
TEST(VerdictTest, UnexpectedFindingsStayVisibleBesideTheDeclaredEvidence) {
  const Case c = counter_case({tsan_sees(report("data race"))});
  TrialResult crash = aborted();
  crash.seed = 41;
  const Judgement j = judge(c, "broken", Detector::kTsan,
                            {crash, with_report(finished(9, 42), "ThreadSanitizer", "data race")});
  EXPECT_EQ(j.verdict, Verdict::kDetected);
  ASSERT_EQ(j.unexpected.size(), 1u);
  EXPECT_EQ(j.unexpected_count, 1);
  EXPECT_EQ(j.unexpected[0].trial, 1);
  EXPECT_EQ(j.unexpected[0].seed, 41u);
  EXPECT_EQ(j.unexpected[0].finding.text, "SIGABRT");
}

TEST(VerdictTest, UnexpectedFindingsAreCappedButCounted) {
  const Case c = counter_case({outcome_sees(forbidden_outcome())});
  Judge judge_all(c, *c.find_variant("broken"), Detector::kOutcome, SchedulerKind::kRandom, /*keep_going=*/true);
  for (int i = 0; i < kUnexpectedFindingsKept + 5; ++i) judge_all.add(aborted());
  const Judgement j = judge_all.result();
  EXPECT_EQ(static_cast<int>(j.unexpected.size()), kUnexpectedFindingsKept);
  EXPECT_EQ(j.unexpected_count, kUnexpectedFindingsKept + 5);
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

// Abseil's deadlock detector in kAbort mode ends the run with SIGABRT right
// after its report (the absl build): that is its report, as TSan's exit code
// 66 is, not a crash; the same abort without the report is a crash.
TrialResult aborted_at_absl_report() {
  TrialResult t = aborted();
  Report r;
  r.tool = std::string(Report::kAbslMutexTool);
  r.kind = "potential deadlock";
  t.reports.push_back(r);
  return t;
}

TEST(VerdictTest, AbslAbortAtItsReportIsDetectionNotACrash) {
  const Case c = counter_case({sees(Detector::kAbsl, report("potential deadlock"))});
  const Judgement j = judge(c, "broken", Detector::kAbsl, {aborted_at_absl_report()});
  EXPECT_EQ(j.verdict, Verdict::kDetected);
  EXPECT_TRUE(j.expected);
  EXPECT_EQ(j.unexpected_count, 0);
}

TEST(VerdictTest, AbslAbortWithoutItsReportIsACrash) {
  const Case c = counter_case({sees(Detector::kAbsl, report("potential deadlock"))});
  const Judgement j = judge(c, "broken", Detector::kAbsl, {aborted()});
  EXPECT_EQ(j.verdict, Verdict::kCrash);
  EXPECT_FALSE(j.expected);
}

TEST(VerdictTest, AbslReportIsNoOtherDetectorsReport) {
  // The outcome detector reads no reports: the same trial is a crash there.
  const Case c = counter_case({outcome_sees(forbidden_outcome())});
  EXPECT_EQ(judge(c, "broken", Detector::kOutcome, {aborted_at_absl_report()}).verdict, Verdict::kCrash);
}

TEST(VerdictTest, AbslReportOnACorrectVariantIsAFixThatFails) {
  const Case c = counter_case({});
  const Judgement j = judge(c, "fixed", Detector::kAbsl, {finished(10), aborted_at_absl_report()});
  EXPECT_EQ(j.verdict, Verdict::kFixFails);
  EXPECT_EQ(j.first_evidence_trial.value_or(0), 2);
}

}  // namespace
}  // namespace hazardlab
