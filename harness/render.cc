#include "harness/render.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace hazardlab {
namespace {

std::string trial_summary(const Judgement& j) {
  std::string text = absl::StrCat(j.trials_with_evidence, " of ", j.trials, " trials");
  if (j.first_evidence_trial) absl::StrAppend(&text, ", first at trial ", *j.first_evidence_trial);
  return text;
}

double milliseconds(std::chrono::microseconds us) { return static_cast<double>(us.count()) / 1000.0; }

}  // namespace

std::string replay_command(const std::string& program, const RunPlan& plan, const Judgement& judgement) {
  const bool single = judgement.first_evidence_seed.has_value();
  return absl::StrCat(program, " run ", plan.c->name, " --variant=", plan.variant->name,
                      " --detector=", detector_name(plan.detector), " --scheduler=", scheduler_name(plan.scheduler),
                      " --seed=", single ? *judgement.first_evidence_seed : plan.seed,
                      " --trials=", single ? 1 : plan.trials);
}

std::string render_report_text(const Report& report) {
  std::string text = absl::StrCat(report.tool, ": ", report.kind);
  if (!report.location.empty()) absl::StrAppend(&text, " at ", report.location);
  for (const Frame& frame : report.case_frames()) {
    absl::StrAppend(&text, "\n      ", frame.location(), "  ", frame.function);
  }
  return text;
}

std::string render_text(const std::string& program, const RunPlan& plan, const Judgement& j) {
  std::string out = absl::StrFormat("%s / %s  (detector %s, scheduler %s, seed %d)\n", plan.c->name,
                                    plan.variant->name, detector_name(plan.detector), scheduler_name(plan.scheduler),
                                    plan.seed);
  absl::StrAppend(&out, absl::StrFormat("  %6s  %-11s %s\n", "trials", "class", plan.c->outcome_meaning));
  for (const Histogram::Row& row : j.histogram.rows()) {
    const std::string label = row.description.empty() ? row.label : absl::StrCat(row.label, "  (", row.description, ")");
    absl::StrAppend(&out, absl::StrFormat("  %6d  %-11s %s\n", row.count, row.kind ? outcome_kind_name(*row.kind) : "-",
                                          label));
  }
  for (const auto& [kind, count] : j.report_kinds) {
    absl::StrAppend(&out, absl::StrFormat("  report: %s in %d of %d trials\n", kind, count, j.trials));
  }
  absl::StrAppend(&out, "  verdict:  ", verdict_name(j.verdict), j.expected ? "  (as declared: " : "  (NOT as declared: ",
                  j.declared, ")\n");
  if (j.evidence) {
    absl::StrAppend(&out, "  evidence: ", j.evidence->report ? render_report_text(*j.evidence->report) : j.evidence->text,
                    "\n            ", trial_summary(j), "\n");
  } else {
    absl::StrAppend(&out, "  evidence: none in ", j.trials, " trials\n");
  }
  absl::StrAppend(&out, absl::StrFormat("  time:     %.1f ms in all, slowest trial %.1f ms\n",
                                        milliseconds(j.total_time), milliseconds(j.slowest_trial)));
  absl::StrAppend(&out, "  replay:   ", replay_command(program, plan, j), "\n");
  return out;
}

nlohmann::json report_json(const Report& report) {
  nlohmann::json frames = nlohmann::json::array();
  for (const Frame& frame : report.case_frames()) {
    frames.push_back({{"function", frame.function}, {"location", frame.location()}});
  }
  return {{"tool", report.tool}, {"kind", report.kind}, {"location", report.location},
          {"headline", report.headline}, {"case_frames", frames}};
}

nlohmann::json render_json(const std::string& program, const RunPlan& plan, const Judgement& j) {
  nlohmann::json histogram = nlohmann::json::array();
  for (const Histogram::Row& row : j.histogram.rows()) {
    nlohmann::json entry = {{"label", row.label}, {"count", row.count}};
    entry["outcome"] = row.outcome ? nlohmann::json(row.outcome->values()) : nlohmann::json(nullptr);
    entry["class"] = row.kind ? nlohmann::json(outcome_kind_name(*row.kind)) : nlohmann::json(nullptr);
    entry["description"] = row.description;
    histogram.push_back(entry);
  }
  nlohmann::json out = {
      {"case", plan.c->name},
      {"variant", plan.variant->name},
      {"detector", detector_name(plan.detector)},
      {"scheduler", scheduler_name(plan.scheduler)},
      {"seed", plan.seed},
      {"trials", j.trials},
      {"planned_trials", plan.trials},
      {"histogram", histogram},
      {"reports", j.report_kinds},
      {"verdict", verdict_name(j.verdict)},
      {"expected", j.expected},
      {"declared", j.declared},
      {"trials_with_evidence", j.trials_with_evidence},
      {"replay", replay_command(program, plan, j)},
      {"total_ms", milliseconds(j.total_time)},
  };
  out["first_evidence_trial"] = j.first_evidence_trial ? nlohmann::json(*j.first_evidence_trial) : nullptr;
  out["first_evidence_seed"] = j.first_evidence_seed ? nlohmann::json(*j.first_evidence_seed) : nullptr;
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
  for (const auto& [plan, j] : runs) {
    if (!j.expected) ++unexpected;
    std::string evidence = j.evidence ? (j.evidence->report ? absl::StrCat(j.evidence->report->tool, " ",
                                                                           j.evidence->report->kind, " at ",
                                                                           j.evidence->report->location)
                                                            : j.evidence->text)
                                      : absl::StrCat("nothing in ", j.trials, " trials");
    if (j.evidence) absl::StrAppend(&evidence, " [", j.trials_with_evidence, "/", j.trials, "]");
    absl::StrAppend(&out, absl::StrFormat("%-24s %-20s %-8s %-7s %-12s %-9s %s\n", plan.c->name, plan.variant->name,
                                          detector_name(plan.detector), scheduler_name(plan.scheduler),
                                          verdict_name(j.verdict), j.expected ? "yes" : "NO", evidence));
  }
  absl::StrAppend(&out, absl::StrFormat("%d runs, %d as declared, %d not as declared\n", runs.size(),
                                        runs.size() - unexpected, unexpected));
  return out;
}

}  // namespace hazardlab
