#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include "harness/case.h"
#include "harness/evidence/histogram.h"
#include "harness/evidence/report.h"
#include "harness/evidence/trial_result.h"

namespace hazardlab {

// kFixFails: a correct variant showed what its detector is there to see (a
// forbidden outcome, a report nobody declared): the detector is right until
// shown otherwise, and the fix is what fails. kUnverified: a correct variant
// looked as declared, but no detector of the suite tells it from its mutant
// (harness/mutation.h), so looking right proves nothing. kHarnessFailure: a
// trial died of the harness's own failure; nothing it showed is the case's.
enum class Verdict {
  kDetected, kClean, kMissed, kFalseAlarm, kHang, kCrash, kDeadlock, kFixFails, kUnverified, kHarnessFailure
};

absl::string_view verdict_name(Verdict verdict);

// What one trial showed a detector.
struct Finding {
  Evidence::Kind kind;
  std::string text;  // one line: "outcome 39871: an increment was overwritten"
  std::optional<Report> report;
};

// The findings of `detector` in one trial: forbidden outcomes, this
// detector's own sanitizer reports, a hang, a termination.
std::vector<Finding> findings_of(const Case& c, Detector detector, const TrialResult& trial);

// A finding that the declaration did not account for, with the trial that
// showed it: kept visible even when another trial decides the verdict.
struct UnexpectedFinding {
  int trial = 0;  // 1-based
  std::uint64_t seed = 0;
  Finding finding;
};

// At most this many unexpected findings are kept; the count goes on.
inline constexpr int kUnexpectedFindingsKept = 10;

// Whether `finding` is the `declared` evidence (a declared hang is also met
// by a controlled run's deadlock: the same never-ending run).
bool matches(const Evidence& declared, const Finding& finding, const TrialResult& trial);

// The verdict on (case, variant, detector) and the evidence behind it.
struct Judgement {
  Verdict verdict = Verdict::kClean;
  bool expected = false;     // the verdict is what the case declares
  std::string declared;      // what the case declares, in words
  int trials = 0;
  int trials_with_evidence = 0;
  std::optional<int> first_evidence_trial;   // 1-based
  std::optional<std::uint64_t> first_evidence_seed;
  std::optional<Finding> evidence;           // the finding the verdict rests on
  std::vector<UnexpectedFinding> unexpected;  // the first kUnexpectedFindingsKept
  int unexpected_count = 0;                   // all of them
  Histogram histogram;
  std::map<std::string, int> report_kinds;   // each report kind of this detector -> trials showing it
  std::chrono::microseconds slowest_trial{0};
  std::chrono::microseconds total_time{0};
  // Controlled runs: the most threads (n) and steps (k) any schedule took,
  // and the trace of the trial the verdict rests on (else of the first).
  int max_threads = 0;
  std::int64_t max_steps = 0;
  std::vector<StepRecord> trace;
  std::vector<StepRecord> deadlock;  // that trial's waiting step of each thread, when all were blocked
};

// Folds trials into a judgement, one at a time.
class Judge {
 public:
  // `keep_going`: never stop early (for measuring detection rates).
  Judge(const Case& c, const Variant& variant, Detector detector, SchedulerKind scheduler, bool keep_going);

  // Returns false when further trials would add nothing: after a hang that
  // decides the verdict (each more would cost a full deadline), after a
  // sanitizer's first matching report (one classified report is the
  // evidence), or after a correct variant's first finding.
  bool add(const TrialResult& trial);

  Judgement result() const;

 private:
  bool counts_as_evidence(const Finding& finding) const;
  bool declared(const Finding& finding, const TrialResult& trial) const;
  void note_unexpected(const Finding& finding, const TrialResult& trial);

  const Case& case_;
  const Variant& variant_;
  Detector detector_;
  bool controlled_;
  const Expectation* expectation_;  // nullptr: declared clean
  bool keep_going_;
  Judgement judgement_;
  bool correct_variant_;            // declared clean or a known false alarm
  std::optional<Finding> first_undeclared_failure_;  // a hang or crash nobody declared
  std::optional<Finding> against_;                   // a correct variant's first undeclared finding
  std::optional<Finding> harness_failure_;           // the first trial the harness itself failed
};

// The run budget for (variant, detector, scheduler) when the command line
// names none.
int default_trials(const Variant& variant, Detector detector, SchedulerKind scheduler);

// The stress scheduler for (variant, detector) when the command line names none.
SchedulerKind default_scheduler(const Variant& variant, Detector detector);

// What the case declares for (variant, detector, scheduler), in words.
std::string describe_expectation(const Variant& variant, Detector detector,
                                 SchedulerKind scheduler = SchedulerKind::kRandom);

}  // namespace hazardlab
