#include "harness/cli/render.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "harness/evidence/symbolize.h"

namespace hazardlab {
namespace {

std::string trial_summary(const Judgement& j) {
  std::string text = absl::StrCat(j.trials_with_evidence, " of ", j.trials, " trials");
  if (j.first_evidence_trial) absl::StrAppend(&text, ", first at trial ", *j.first_evidence_trial);
  return text;
}

double milliseconds(std::chrono::microseconds us) { return static_cast<double>(us.count()) / 1000.0; }

// The flags that, with the seed, fix a controlled schedule.
std::string schedule_flags(const ScheduleSpec& spec) {
  switch (spec.kind) {
    case SchedulerKind::kPct: return absl::StrCat(" --depth=", spec.depth, " --pct-steps=", spec.steps);
    case SchedulerKind::kGil: return absl::StrCat(" --switch-interval=", spec.switch_interval);
    default: return "";
  }
}

// pct's guarantee for this run: a bug of depth d shows in one schedule with
// probability at least 1/(n * k^(d-1)).
double pct_bound_denominator(const RunPlan& plan, const Judgement& j) {
  return static_cast<double>(j.max_threads) *
         std::pow(static_cast<double>(std::max<std::int64_t>(1, plan.spec.steps)), plan.spec.depth - 1);
}

std::string controlled_summary(const RunPlan& plan, const Judgement& j) {
  // A schedule reports n and k when it ends; one that crashed first did not.
  if (j.max_threads == 0) return "n and k unknown: no schedule got as far as reporting them (each ended early: a crash or the watchdog)";
  std::string text = absl::StrFormat("n = %d threads, k = %d steps (most in one schedule)", j.max_threads, j.max_steps);
  if (plan.spec.kind == SchedulerKind::kPct) {
    absl::StrAppend(&text, absl::StrFormat("; depth %d over %d steps: a depth-%d bug shows per schedule with "
                                           "probability >= 1/(n*k^(d-1)) = 1 in %.3g",
                                           plan.spec.depth, plan.spec.steps, plan.spec.depth,
                                           pct_bound_denominator(plan, j)));
  }
  return text;
}

}  // namespace

std::vector<TraceLine> trace_lines(const std::vector<StepRecord>& trace) {
  std::vector<const CallStack*> stacks;
  for (const StepRecord& step : trace) stacks.push_back(&step.stack);
  symbolizer().prepare(stacks);
  std::vector<TraceLine> lines;
  for (const StepRecord& step : trace) {
    lines.push_back({step.step, thread_name(step.thread), step.op, symbolizer().case_location(step.stack)});
  }
  return lines;
}

std::string replay_command(const std::string& program, const RunPlan& plan, const Judgement& judgement) {
  const bool single = judgement.first_evidence_seed.has_value();
  // --trace only when the run was traced: a trace prints every step, tens of
  // thousands of lines for a counting case, so it is something to ask for.
  return absl::StrCat(program, " run ", plan.c->name, " --variant=", plan.variant->name,
                      " --detector=", detector_name(plan.detector), " --scheduler=", scheduler_name(plan.spec.kind),
                      schedule_flags(plan.spec), " --seed=", single ? *judgement.first_evidence_seed : plan.spec.seed,
                      " --trials=", single ? 1 : plan.trials, plan.spec.trace ? " --trace" : "");
}

std::string render_report_text(const Report& report, const UserCode& code) {
  std::string text = absl::StrCat(report.tool, ": ", report.kind);
  const std::string location = code.report_location(report);
  if (!location.empty()) absl::StrAppend(&text, " at ", location);
  for (const Frame& frame : code.first_frames(report)) {
    absl::StrAppend(&text, "\n      ", code.location(frame), "  ", frame.function);
  }
  return text;
}

namespace {

// The first few seeds of a histogram row, for the text table (JSON has all).
std::string seeds_text(const std::vector<std::uint64_t>& seeds) {
  constexpr std::size_t kShown = 5;
  if (seeds.empty()) return "";
  const std::vector<std::uint64_t> shown(seeds.begin(), seeds.begin() + std::min(seeds.size(), kShown));
  return absl::StrCat(seeds.size() == 1 ? "  seed " : "  seeds ", absl::StrJoin(shown, ", "),
                      seeds.size() > kShown ? ", ..." : "");
}

}  // namespace

std::string render_text(const std::string& program, const RunPlan& plan, const Judgement& j) {
  std::string out = absl::StrFormat("%s / %s  (detector %s, scheduler %s, seed %d)\n", plan.c->name,
                                    plan.variant->name, detector_name(plan.detector), scheduler_name(plan.spec.kind),
                                    plan.spec.seed);
  absl::StrAppend(&out, absl::StrFormat("  %6s  %-11s %s\n", "trials", "class", plan.c->outcome_meaning));
  for (const Histogram::Row& row : j.histogram.rows()) {
    const std::string label = row.description.empty() ? row.label : absl::StrCat(row.label, "  (", row.description, ")");
    absl::StrAppend(&out, absl::StrFormat("  %6d  %-11s %s%s\n", row.count, row.kind ? outcome_kind_name(*row.kind) : "-",
                                          label, seeds_text(row.seeds)));
  }
  for (const auto& [kind, count] : j.report_kinds) {
    absl::StrAppend(&out, absl::StrFormat("  report: %s in %d of %d trials\n", kind, count, j.trials));
  }
  // An unverified variant is never "as declared": looking right proves nothing.
  const char* standing = j.verdict == Verdict::kUnverified ? "  (declared: "
                         : j.expected                       ? "  (as declared: "
                                                            : "  (NOT as declared: ";
  absl::StrAppend(&out, "  verdict:  ", verdict_name(j.verdict), standing, j.declared, ")\n");
  if (j.evidence) {
    absl::StrAppend(&out, "  evidence: ", j.evidence->report ? render_report_text(*j.evidence->report) : j.evidence->text,
                    "\n            ", trial_summary(j), "\n");
  } else {
    absl::StrAppend(&out, "  evidence: none in ", j.trials, " trials\n");
  }
  for (const UnexpectedFinding& u : j.unexpected) {
    absl::StrAppend(&out, absl::StrFormat("  unexpected: trial %d (seed %d): %s\n", u.trial, u.seed, u.finding.text));
  }
  if (j.unexpected_count > static_cast<int>(j.unexpected.size())) {
    absl::StrAppend(&out, absl::StrFormat("  unexpected: ... %d more\n", j.unexpected_count - j.unexpected.size()));
  }
  if (is_controlled(plan.spec.kind)) {
    absl::StrAppend(&out, "  schedule: ", controlled_summary(plan, j), "\n");
    if (j.first_evidence_trial) {
      absl::StrAppend(&out, absl::StrFormat("            first failure at schedule %d (seed %d)\n",
                                            *j.first_evidence_trial, *j.first_evidence_seed));
    }
  }
  absl::StrAppend(&out, absl::StrFormat("  time:     %.1f ms in all, slowest trial %.1f ms\n",
                                        milliseconds(j.total_time), milliseconds(j.slowest_trial)));
  if (!j.trace.empty()) {
    absl::StrAppend(&out, "  trace:\n");
    for (const TraceLine& line : trace_lines(j.trace)) {
      absl::StrAppend(&out, absl::StrFormat("  %7d  %-9s %-16s %s\n", line.step, line.thread, line.op, line.location));
    }
  }
  absl::StrAppend(&out, "  replay:   ", replay_command(program, plan, j), "\n");
  if (is_controlled(plan.spec.kind) && j.first_evidence_seed && !plan.spec.trace) {
    absl::StrAppend(&out, "            (add --trace to it to print that schedule step by step)\n");
  }
  return out;
}

// A report's headline as JSON shows it: without the "(pid=N)" its tool
// appends, which differs in every run, so that the same seed gives
// byte-identical JSON in the tsan build too (the text output keeps it).
namespace {
std::string without_pid(const std::string& headline) {
  const std::size_t at = headline.rfind(" (pid=");
  if (at == std::string::npos || headline.back() != ')') return headline;
  return headline.substr(0, at);
}
}  // namespace

nlohmann::json report_json(const Report& report, const UserCode& code) {
  const auto frames_json = [&](const std::vector<Frame>& frames) {
    nlohmann::json out = nlohmann::json::array();
    for (const Frame& frame : frames) out.push_back({{"function", frame.function}, {"location", code.location(frame)}});
    return out;
  };
  // case_frames: frames in cases/ (a case's report); user_frames: the first
  // frames in the user's code (the same for a case, else another program's).
  return {{"tool", report.tool},
          {"kind", report.kind},
          {"location", code.report_location(report)},
          {"headline", without_pid(report.headline)},
          {"case_frames", frames_json(report.case_frames())},
          {"user_frames", frames_json(code.first_frames(report))}};
}

nlohmann::json render_json(const std::string& program, const RunPlan& plan, const Judgement& j) {
  nlohmann::json histogram = nlohmann::json::array();
  for (const Histogram::Row& row : j.histogram.rows()) {
    nlohmann::json entry = {{"label", row.label}, {"count", row.count}};
    entry["outcome"] = row.outcome ? nlohmann::json(row.outcome->values()) : nlohmann::json(nullptr);
    entry["class"] = row.kind ? nlohmann::json(outcome_kind_name(*row.kind)) : nlohmann::json(nullptr);
    entry["description"] = row.description;
    if (!row.seeds.empty()) entry["seeds"] = row.seeds;
    histogram.push_back(entry);
  }
  nlohmann::json out = {
      {"case", plan.c->name},
      {"variant", plan.variant->name},
      {"detector", detector_name(plan.detector)},
      {"scheduler", scheduler_name(plan.spec.kind)},
      {"seed", plan.spec.seed},
      {"trials", j.trials},
      {"planned_trials", plan.trials},
      {"histogram", histogram},
      {"reports", j.report_kinds},
      {"verdict", verdict_name(j.verdict)},
      {"expected", j.expected},
      {"declared", j.declared},
      {"trials_with_evidence", j.trials_with_evidence},
      {"replay", replay_command(program, plan, j)},
  };
  if (is_controlled(plan.spec.kind)) {
    // Nothing here depends on timing: the same seed gives the same bytes
    // (cli.same_seed_gives_byte_identical_json). So no total_ms: wall time
    // differs from run to run; the text output shows it.
    out["schedule"] = {{"threads", j.max_threads}, {"steps", j.max_steps}};
    if (plan.spec.kind == SchedulerKind::kPct) {
      out["schedule"]["depth"] = plan.spec.depth;
      out["schedule"]["pct_steps"] = plan.spec.steps;
      if (j.max_threads > 0) out["schedule"]["bound_one_in"] = pct_bound_denominator(plan, j);
    }
    if (plan.spec.kind == SchedulerKind::kGil) out["schedule"]["switch_interval"] = plan.spec.switch_interval;
    if (plan.spec.trace) {
      nlohmann::json trace = nlohmann::json::array();
      for (const TraceLine& line : trace_lines(j.trace)) {
        trace.push_back({{"step", line.step}, {"thread", line.thread}, {"op", line.op}, {"location", line.location}});
      }
      out["trace"] = trace;
    }
  } else {
    out["total_ms"] = milliseconds(j.total_time);
  }
  out["first_evidence_trial"] = j.first_evidence_trial ? nlohmann::json(*j.first_evidence_trial) : nullptr;
  out["first_evidence_seed"] = j.first_evidence_seed ? nlohmann::json(*j.first_evidence_seed) : nullptr;
  nlohmann::json unexpected = nlohmann::json::array();
  for (const UnexpectedFinding& u : j.unexpected) {
    unexpected.push_back({{"trial", u.trial}, {"seed", u.seed}, {"kind", evidence_kind_name(u.finding.kind)},
                          {"text", u.finding.text}});
  }
  out["unexpected"] = unexpected;
  out["unexpected_count"] = j.unexpected_count;
  if (j.evidence) {
    out["evidence"] = {{"kind", evidence_kind_name(j.evidence->kind)}, {"text", j.evidence->text}};
    if (j.evidence->report) out["evidence"]["report"] = report_json(*j.evidence->report);
  } else {
    out["evidence"] = nullptr;
  }
  return out;
}

std::string render_table(const std::vector<std::pair<RunPlan, Judgement>>& runs) {
  std::string out = absl::StrFormat("%-24s %-20s %-8s %-7s %-12s %-9s %s\n", "case", "variant", "detector",
                                    "sched", "verdict", "declared", "evidence");
  int unexpected = 0;
  int unverified = 0;
  for (const auto& [plan, j] : runs) {
    if (!j.expected) ++unexpected;
    if (j.verdict == Verdict::kUnverified) ++unverified;
    std::string evidence = j.evidence ? (j.evidence->report ? absl::StrCat(j.evidence->report->tool, " ",
                                                                           j.evidence->report->kind, " at ",
                                                                           j.evidence->report->location)
                                                            : j.evidence->text)
                                      : absl::StrCat("nothing in ", j.trials, " trials");
    if (j.evidence) absl::StrAppend(&evidence, " [", j.trials_with_evidence, "/", j.trials, "]");
    if (j.unexpected_count > 0) absl::StrAppend(&evidence, " (+", j.unexpected_count, " unexpected)");
    absl::StrAppend(&out, absl::StrFormat("%-24s %-20s %-8s %-7s %-12s %-9s %s\n", plan.c->name, plan.variant->name,
                                          detector_name(plan.detector), scheduler_name(plan.spec.kind),
                                          verdict_name(j.verdict),
                                          j.verdict == Verdict::kUnverified ? "unverif." : j.expected ? "yes" : "NO",
                                          evidence));
  }
  absl::StrAppend(&out, absl::StrFormat("%d runs, %d as declared, %d unverified, %d not as declared\n", runs.size(),
                                        runs.size() - unexpected - unverified, unverified, unexpected));
  return out;
}

}  // namespace hazardlab
