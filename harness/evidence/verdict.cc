#include "harness/evidence/verdict.h"

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstring>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "harness/evidence/symbolize.h"
#include "harness/evidence/valgrind_report.h"

namespace hazardlab {
namespace {

// Exit codes the sanitizer option files give a run that reported (66: TSan,
// 23: ASan/LSan): a report, not a crash.
bool is_report_exit_code(int code) { return code == 66 || code == 23 || code == kValgrindErrorExitCode; }

bool is_own_report(Detector detector, const Report& report) {
  if (detector == Detector::kThreadSafety) return false;  // it reads compiler warnings, not run reports
  // helgrind and drd: native builds whose trials ran under that Valgrind tool.
  if (is_valgrind(detector)) return report.tool == valgrind_report_tool(valgrind_tool_of(detector));
  switch (sanitizer_of(detector)) {
    case Sanitizer::kNone: return false;
    case Sanitizer::kThread: return report.is_tsan();
    case Sanitizer::kAddress: return report.is_asan_family();
    case Sanitizer::kAbslMutex: return report.is_absl_mutex();
  }
  return false;
}

// Abseil's deadlock detector in kAbort mode (the absl build,
// harness/schedule/absl_deadlock.h) ends the run at its report with abort():
// that SIGABRT is the report's, as exit code 66 is TSan's, not a crash.
bool aborted_at_own_report(Detector detector, const TrialResult& trial, bool reported) {
  return reported && sanitizer_of(detector) == Sanitizer::kAbslMutex && trial.signal && *trial.signal == SIGABRT;
}

std::string signal_name(int signal) {
  const char* abbreviation = sigabbrev_np(signal);
  return abbreviation ? absl::StrCat("SIG", abbreviation) : absl::StrCat("signal ", signal);
}

std::string termination_text(const TrialResult& trial) {
  std::string text = trial.signal ? signal_name(*trial.signal)
                                  : absl::StrCat("exit code ", trial.exit_code.value_or(-1));
  for (const Report& report : trial.reports) {
    if (report.kind == "terminate") return absl::StrCat(text, ": ", report.headline);
  }
  if (!trial.outcome && !trial.signal) absl::StrAppend(&text, " without an outcome");
  return text;
}

// The histogram row of a trial that returned no outcome.
std::string no_outcome_label(const TrialResult& trial) {
  if (trial.hung) return "hang";
  if (trial.controlled && !trial.controlled->deadlock.empty()) return "deadlock";
  if (trial.controlled && trial.controlled->stalled) return "stalled";
  for (const Report& report : trial.reports) {
    if (report.tool != "C++ runtime") return absl::StrCat("no outcome: ", report.tool, " ", report.kind);
  }
  return absl::StrCat("crash: ", termination_text(trial));
}

Verdict verdict_for(Evidence::Kind kind, bool correct_variant) {
  switch (kind) {
    case Evidence::Kind::kHang: return Verdict::kHang;
    case Evidence::Kind::kDeadlock: return Verdict::kDeadlock;
    case Evidence::Kind::kTermination: return Verdict::kCrash;
    case Evidence::Kind::kHarnessFailure: return Verdict::kHarnessFailure;
    case Evidence::Kind::kForbiddenOutcome:
    case Evidence::Kind::kReport: return correct_variant ? Verdict::kFixFails : Verdict::kDetected;
  }
  return Verdict::kCrash;
}

// The line a failing harness prints before it aborts ("hazardlab: controlled
// run: ...", "hazardlab: malformed trial request"), if the output has one.
std::optional<std::string> harness_failure_line(absl::string_view output) {
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (absl::StartsWith(line, "hazardlab: ")) return std::string(line);
  }
  return std::nullopt;
}

bool is_identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Whether a symbolized function ("ns::drop(ns::AtomicShared*)",
// "ns::fixed_fences(hazardlab::Threads&)::$_0::operator()(int) const") is,
// or is inside, the function `name`: the name as a whole identifier,
// followed by its parameters or template arguments, or ending the frame's
// name (GCC's libtsan prints bare names: "fixed_fences", "operator()").
bool in_function(absl::string_view function, absl::string_view name) {
  for (std::size_t at = function.find(name); at != absl::string_view::npos; at = function.find(name, at + 1)) {
    const std::size_t end = at + name.size();
    const bool starts = at == 0 || !is_identifier_char(function[at - 1]);
    const bool ends = end == function.size() || function[end] == '(' || function[end] == '<';
    if (starts && ends) return true;
  }
  return false;
}

// Every frame of the report in case code is in one of `functions`.
bool where_declared(const Report& report, const std::vector<std::string>& functions) {
  if (functions.empty()) return true;
  bool any = false;
  for (const Frame& frame : report.frames) {
    if (!frame.in_case_code()) continue;
    any = true;
    const bool inside = std::any_of(functions.begin(), functions.end(),
                                    [&](const std::string& name) { return in_function(frame.function, name); });
    if (!inside) return false;
  }
  return any;
}

}  // namespace

bool matches(const Evidence& declared, const Finding& finding, const TrialResult& trial) {
  // A run that never ends is a hang to free-running threads and a deadlock
  // to a controlled scheduler, which sees every thread wait: a declared
  // hang is shown by either.
  if (declared.kind == Evidence::Kind::kHang && finding.kind == Evidence::Kind::kDeadlock) return true;
  if (declared.kind != finding.kind) return false;
  switch (declared.kind) {
    case Evidence::Kind::kReport:
      return finding.report && absl::StrContains(finding.report->kind, declared.detail) &&
             where_declared(*finding.report, declared.functions);
    case Evidence::Kind::kTermination:
      // The signal that ended it, or a message it printed; an empty
      // declaration matches nothing (it would match any crash).
      if (declared.detail.empty()) return false;
      return (trial.signal && signal_name(*trial.signal) == declared.detail) ||
             absl::StrContains(trial.output, declared.detail);
    case Evidence::Kind::kForbiddenOutcome:
    case Evidence::Kind::kHang:
    case Evidence::Kind::kDeadlock: return true;
    case Evidence::Kind::kHarnessFailure: return false;  // never a case's evidence
  }
  return false;
}

namespace {

// "main waits in join at cases/x.cc:44; thread 1 waits in lock at cases/x.cc:50"
std::string deadlock_text(const std::vector<StepRecord>& waiting) {
  std::vector<const CallStack*> stacks;
  for (const StepRecord& step : waiting) stacks.push_back(&step.stack);
  symbolizer().prepare(stacks);
  std::vector<std::string> parts;
  for (const StepRecord& step : waiting) {
    parts.push_back(absl::StrCat(thread_name(step.thread), " waits in ", step.op, " at ",
                                 symbolizer().case_location(step.stack)));
  }
  return absl::StrCat("deadlock after ", waiting.empty() ? 0 : waiting.front().step,
                      " steps: every live thread waits; ", absl::StrJoin(parts, "; "));
}

std::string evidence_list(const Expectation& e) {
  std::vector<std::string> parts;
  for (const Evidence& evidence : e.evidence) parts.push_back(evidence.describe());
  return absl::StrJoin(parts, " or ");
}

}  // namespace

absl::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::kDetected: return "detected";
    case Verdict::kClean: return "clean";
    case Verdict::kMissed: return "missed";
    case Verdict::kFalseAlarm: return "false alarm";
    case Verdict::kHang: return "hang";
    case Verdict::kCrash: return "crash";
    case Verdict::kDeadlock: return "deadlock";
    case Verdict::kFixFails: return "fix fails";
    case Verdict::kUnverified: return "unverified";
    case Verdict::kHarnessFailure: return "harness failure";
  }
  return "?";
}

std::vector<Finding> findings_of(const Case& c, Detector detector, const TrialResult& trial) {
  std::vector<Finding> found;
  if (trial.outcome) {
    const Classification cls = classify_outcome(c.outcomes, *trial.outcome);
    if (cls.kind == OutcomeKind::kForbidden) {
      found.push_back({Evidence::Kind::kForbiddenOutcome,
                       absl::StrCat("outcome ", trial.outcome->to_string(), ": ", cls.description), std::nullopt});
    }
  }
  bool reported = false;
  for (const Report& report : trial.reports) {
    if (!is_own_report(detector, report)) continue;
    reported = true;
    found.push_back({Evidence::Kind::kReport,
                     absl::StrCat(report.tool, " ", report.kind,
                                  report.location.empty() ? "" : absl::StrCat(" at ", report.location)),
                     report});
  }
  const ControlledRun* run = trial.controlled ? &*trial.controlled : nullptr;
  if (trial.hung) {
    found.push_back({Evidence::Kind::kHang,
                     absl::StrCat("no result within the ", trial.deadline.count(), " ms deadline; killed by the watchdog"),
                     std::nullopt});
  } else if (run && !run->deadlock.empty()) {
    found.push_back({Evidence::Kind::kDeadlock, deadlock_text(run->deadlock), std::nullopt});
  } else if (run && run->stalled) {
    found.push_back({Evidence::Kind::kHang,
                     absl::StrCat(run->stall, "; last step ", run->stalled->step, " (", run->stalled->op, "), now at ",
                                  symbolizer().case_location(run->stalled->stack)),
                     std::nullopt});
  } else if (!aborted_at_own_report(detector, trial, reported) &&
             (trial.signal || !trial.outcome ||
              (trial.exit_code && *trial.exit_code != 0 && !(reported && is_report_exit_code(*trial.exit_code))))) {
    // The harness says when it is the one failing: such a death is not the
    // case's, whatever the case declares about terminations.
    if (std::optional<std::string> line = harness_failure_line(trial.output)) {
      found.push_back({Evidence::Kind::kHarnessFailure, absl::StrCat(termination_text(trial), ": ", *line),
                       std::nullopt});
    } else {
      found.push_back({Evidence::Kind::kTermination, termination_text(trial), std::nullopt});
    }
  }
  return found;
}

int default_trials(const Variant& variant, Detector detector, SchedulerKind scheduler) {
  const Expectation* e = variant.expectation_for(detector, scheduler);
  // gil has no randomness: every seed gives the same schedule.
  if (scheduler == SchedulerKind::kGil) return 1;
  // A sanitizer's stress declaration may stand for the controlled
  // schedulers too; its budget is in stress trials, not schedules.
  if (e && e->trials > 0 && is_controlled(e->scheduler) == is_controlled(scheduler)) return e->trials;
  // A controlled schedule is a few milliseconds; a correct variant earns
  // its "clean" over a thousand of them.
  if (is_controlled(scheduler)) return variant.is_broken() ? 100 : 1000;
  // Outcome runs cost milliseconds and their histogram is a rate: many.
  // Sanitizer runs cost ~100 ms each once a report is symbolized: a few, and
  // a broken variant stops at its first report.
  if (detector == Detector::kOutcome) return 20;
  // Under Valgrind a trial of a correct variant costs seconds (DRD took 150 s
  // for 5 trials of gil_atomicity/fixed on the loaded 2-core machine), and
  // both tools decide a race from the happens-before order, whatever the
  // interleaving: 3 trials, unless the variant declares a budget (a false
  // alarm that shows in a few trials only).
  if (is_valgrind(detector) && !variant.is_broken()) return 3;
  return variant.is_broken() ? 10 : 5;
}

SchedulerKind default_scheduler(const Variant& variant, Detector detector) {
  const Expectation* e = variant.expectation_for(detector, SchedulerKind::kRandom);
  return e ? e->scheduler : SchedulerKind::kRandom;
}

std::string describe_expectation(const Variant& variant, Detector detector, SchedulerKind scheduler) {
  const Expectation* e = variant.expectation_for(detector, scheduler);
  if (variant.is_unverified()) {
    const std::string looks = e ? absl::StrCat("false alarm, ", evidence_list(*e), ": ", e->why) : "clean";
    return absl::StrCat(looks, "; unverified: no detector here sees this fix (without ", variant.mutant.removes,
                        " it looks the same)");
  }
  if (!e) return "clean";
  if (detector == Detector::kThreadSafety && e->kind == Expectation::Kind::kDetects) {
    std::vector<std::string> warnings;
    for (const Evidence& w : e->evidence) {
      warnings.push_back(absl::StrCat("\"", w.detail, "\"", w.functions.empty() ? "" : " in ",
                                      absl::StrJoin(w.functions, ", ")));
    }
    return absl::StrCat("sees the compiler warning", warnings.size() > 1 ? "s " : " ", absl::StrJoin(warnings, "; "));
  }
  switch (e->kind) {
    case Expectation::Kind::kDetects:
      return e->why.empty() ? absl::StrCat("sees ", evidence_list(*e))
                            : absl::StrCat("sees ", evidence_list(*e), ": ", e->why);
    case Expectation::Kind::kMisses: return absl::StrCat("misses it: ", e->why);
    case Expectation::Kind::kFalseAlarm:
      return absl::StrCat("false alarm, ", evidence_list(*e), ": ", e->why);
  }
  return "?";
}

Judge::Judge(const Case& c, const Variant& variant, Detector detector, SchedulerKind scheduler, bool keep_going)
    : case_(c),
      variant_(variant),
      detector_(detector),
      controlled_(is_controlled(scheduler)),
      expectation_(variant.expectation_for(detector, scheduler)),
      keep_going_(keep_going),
      correct_variant_(!expectation_ || expectation_->kind == Expectation::Kind::kFalseAlarm) {
  judgement_.declared = describe_expectation(variant, detector, scheduler);
}

// A broken variant declared blind: seeing what it is declared not to see,
// which for a tool's report means pointing at the case. A report with no
// frame in case code is the tool's own trouble, not a sight of the hazard
// (GCC 12's libtsan can die at exit under detached_daemon's still-running
// heartbeat, a SEGV without a frame, in about 1 trial in 8 on a loaded
// machine and never on an idle one): it stays visible as unexpected.
bool Judge::counts_as_evidence(const Finding& finding) const {
  if (!expectation_ || expectation_->kind != Expectation::Kind::kMisses) return false;
  if (detector_ == Detector::kOutcome) return finding.kind == Evidence::Kind::kForbiddenOutcome;
  return finding.kind == Evidence::Kind::kReport && finding.report &&
         std::any_of(finding.report->frames.begin(), finding.report->frames.end(),
                     [](const Frame& frame) { return frame.in_case_code(); });
}

// The finding is what the case declares for this detector (seen, or a
// known false alarm where it is expected).
bool Judge::declared(const Finding& finding, const TrialResult& trial) const {
  if (!expectation_ || expectation_->kind == Expectation::Kind::kMisses) return false;
  return std::any_of(expectation_->evidence.begin(), expectation_->evidence.end(),
                     [&](const Evidence& e) { return matches(e, finding, trial); });
}

void Judge::note_unexpected(const Finding& finding, const TrialResult& trial) {
  Judgement& j = judgement_;
  ++j.unexpected_count;
  if (static_cast<int>(j.unexpected.size()) < kUnexpectedFindingsKept) {
    j.unexpected.push_back({j.trials, trial.seed, finding});
  }
}

bool Judge::add(const TrialResult& trial) {
  Judgement& j = judgement_;
  ++j.trials;
  j.total_time += trial.wall;
  j.slowest_trial = std::max(j.slowest_trial, trial.wall);
  if (trial.controlled) {
    j.max_threads = std::max(j.max_threads, trial.controlled->threads);
    j.max_steps = std::max(j.max_steps, trial.controlled->steps);
    if (j.trials == 1) {
      j.trace = trial.controlled->trace;
      j.deadlock = trial.controlled->deadlock;
    }
  }
  if (trial.outcome) {
    j.histogram.add(*trial.outcome, classify_outcome(case_.outcomes, *trial.outcome), trial.seed);
  } else {
    j.histogram.add_without_outcome(no_outcome_label(trial), trial.seed);
  }

  const std::vector<Finding> found = findings_of(case_, detector_, trial);
  std::set<std::string> kinds_this_trial;  // report_kinds counts trials, not reports
  for (const Finding& f : found) {
    if (f.report) kinds_this_trial.insert(f.report->kind);
  }
  for (const std::string& kind : kinds_this_trial) ++j.report_kinds[kind];

  // Each finding is the declared evidence, or unexpected. A correct
  // variant's unexpected finding counts against it; a broken variant's is
  // kept visible but does not decide the verdict (the declared evidence may
  // come in a later trial), unless it is a hang, crash or deadlock and no
  // declared evidence ever comes.
  const Finding* evidence = nullptr;
  const Finding* against = nullptr;
  for (const Finding& f : found) {
    if (f.kind != Evidence::Kind::kHarnessFailure && (declared(f, trial) || counts_as_evidence(f))) {
      if (!evidence) evidence = &f;
      continue;
    }
    // A broken variant's forbidden outcome is its hazard showing, whatever
    // the detector: not a surprise worth listing.
    if (!correct_variant_ && f.kind == Evidence::Kind::kForbiddenOutcome) continue;
    note_unexpected(f, trial);
    if (f.kind == Evidence::Kind::kHarnessFailure) {
      if (!harness_failure_) harness_failure_ = f;
    } else if (correct_variant_) {
      if (!against) against = &f;
    } else if (!first_undeclared_failure_ &&
               (f.kind == Evidence::Kind::kHang || f.kind == Evidence::Kind::kTermination ||
                f.kind == Evidence::Kind::kDeadlock)) {
      first_undeclared_failure_ = f;
      if (!j.first_evidence_seed) j.first_evidence_seed = trial.seed;
    }
  }
  if (against && !against_) {
    // What the verdict rests on: its trial is the one to replay.
    against_ = *against;
    j.first_evidence_trial = j.trials;
    j.first_evidence_seed = trial.seed;
    if (trial.controlled) {
      j.trace = trial.controlled->trace;
      j.deadlock = trial.controlled->deadlock;
    }
  }
  // Trials with something to show: the declared evidence, or what counts
  // against a correct variant.
  if (evidence || against) ++j.trials_with_evidence;
  if (evidence) {
    if (!j.evidence) {
      j.evidence = *evidence;
      if (!against_) {
        j.first_evidence_trial = j.trials;
        j.first_evidence_seed = trial.seed;
        if (trial.controlled) {
      j.trace = trial.controlled->trace;
      j.deadlock = trial.controlled->deadlock;
    }
      }
    }
  }

  if (keep_going_) return true;
  // The harness failed: nothing more this run shows can be trusted.
  if (harness_failure_) return false;
  // A correct variant's first undeclared finding decides its verdict.
  if (against_) return false;
  // A hang that decides the verdict ends the run: another would only cost
  // another deadline. A broken variant's undeclared hang does not decide it:
  // the declared evidence may still come in a later trial.
  if (trial.hung && (evidence || correct_variant_)) return false;
  // Exploring schedules stops at the first failure: its seed replays it.
  if (evidence && (correct_variant_ || detector_ != Detector::kOutcome || controlled_)) return false;
  return true;
}

Judgement Judge::result() const {
  Judgement j = judgement_;
  if (harness_failure_) {
    j.verdict = Verdict::kHarnessFailure;
    j.evidence = harness_failure_;
    j.expected = false;
    return j;
  }
  if (correct_variant_) {
    if (against_) {
      j.evidence = against_;
      j.verdict = verdict_for(against_->kind, /*correct_variant=*/true);
      j.expected = false;
    } else if (expectation_) {  // a declared false alarm
      j.verdict = j.evidence ? Verdict::kFalseAlarm : Verdict::kClean;
      j.expected = j.evidence.has_value();
    } else {
      j.verdict = Verdict::kClean;
      j.expected = true;
    }
    // Looking right proves nothing when the mutant looks the same.
    if (j.expected && variant_.is_unverified()) j.verdict = Verdict::kUnverified;
    return j;
  }
  const bool misses = expectation_->kind == Expectation::Kind::kMisses;
  if (j.evidence) {
    j.verdict = verdict_for(j.evidence->kind, /*correct_variant=*/false);
    if (misses && j.verdict != Verdict::kHang && j.verdict != Verdict::kCrash && j.verdict != Verdict::kDeadlock) {
      j.verdict = Verdict::kDetected;  // a detector declared blind saw it
    }
    j.expected = !misses;
  } else if (first_undeclared_failure_) {
    j.evidence = first_undeclared_failure_;
    j.verdict = verdict_for(first_undeclared_failure_->kind, false);
    j.expected = false;
  } else {
    j.verdict = Verdict::kMissed;
    j.expected = misses;
  }
  return j;
}

}  // namespace hazardlab
