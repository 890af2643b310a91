#include "harness/cli/explain.h"

#include <optional>
#include <set>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "harness/cli/case_source.h"
#include "harness/evidence/verdict.h"
#include "harness/registry.h"

namespace hazardlab {

namespace {

// The index of the line that opens function `name` in `lines`, if any.
std::optional<std::size_t> function_index(const std::vector<absl::string_view>& lines, absl::string_view name) {
  const std::string signature = absl::StrCat(" ", name, "(");
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const absl::string_view line = lines[i];
    if (line.empty() || line[0] == ' ' || line[0] == '/' || !absl::StrContains(line, signature)) continue;
    return i;
  }
  return std::nullopt;
}

}  // namespace

std::string extract_function(absl::string_view source, absl::string_view name) {
  const std::vector<absl::string_view> lines = absl::StrSplit(source, '\n');
  const std::optional<std::size_t> i = function_index(lines, name);
  if (!i) return "";
  std::size_t first = *i;
  while (first > 0 && absl::StartsWith(lines[first - 1], "//")) --first;
  std::string text;
  for (std::size_t k = first; k < lines.size(); ++k) {
    absl::StrAppend(&text, lines[k], "\n");
    if (k > *i && lines[k] == "}") return text;
  }
  return text;
}

int function_line(absl::string_view source, absl::string_view name) {
  const std::optional<std::size_t> i = function_index(absl::StrSplit(source, '\n'), name);
  return i ? static_cast<int>(*i) + 1 : 0;
}

std::string describe_mutant(const Variant& v) {
  const Mutant& m = v.mutant;
  if (m.removes.empty()) return absl::StrCat("none: ", m.none);
  std::string text = absl::StrCat("without ", m.removes, ": ");
  if (!m.unverified.empty()) return absl::StrCat(text, "caught by no detector (unverified): ", m.unverified);
  std::vector<std::string> names;
  for (Detector d : m.detectors) names.emplace_back(detector_name(d));
  return absl::StrCat(text, "caught by ", absl::StrJoin(names, ", "));
}

absl::string_view source_file_name(const Case& c) {
  return absl::string_view(c.source_file).substr(c.source_file.rfind('/') + 1);
}

namespace {

std::vector<std::string> variant_names(const Case& c) {
  std::vector<std::string> names;
  for (const Variant& v : c.variants) names.push_back(v.name);
  return names;
}

std::string try_command(const Case& c, const Variant& v, const std::string& program) {
  return absl::StrCat(program, " run ", c.name, " --variant=", v.name);
}

}  // namespace

std::string explain(const Case& c, const std::string& program) {
  std::string out = absl::StrCat(c.name, ": ", c.title, "\n\n");
  absl::StrAppend(&out, "Notebook idea: ", c.notebook, "\n\n", c.lesson, "\n");
  if (!c.outcomes.empty()) {
    absl::StrAppend(&out, "\nOutcomes (", c.outcome_meaning, "):\n");
    for (const OutcomeClass& oc : c.outcomes) {
      absl::StrAppend(&out, absl::StrFormat("  %-22s %-12s %s\n", oc.matcher.text, outcome_kind_name(oc.kind),
                                            oc.description));
    }
  }
  if (!c.variants.empty()) absl::StrAppend(&out, "\nWhat each detector is declared to see:\n");
  for (const Variant& v : c.variants) {
    absl::StrAppend(&out, "  ", v.name, "\n");
    for (Detector d : kAllDetectors) {
      absl::StrAppend(&out, absl::StrFormat("    %-13s %s\n", detector_name(d), describe_expectation(v, d)));
    }
    absl::StrAppend(&out, absl::StrFormat("    %-13s %s\n", "pct",
                                          describe_expectation(v, Detector::kOutcome, SchedulerKind::kPct)));
    // gil and walk only where they are declared apart from pct.
    for (SchedulerKind s : {SchedulerKind::kGil, SchedulerKind::kWalk}) {
      if (v.expectation_for(Detector::kOutcome, s) == v.expectation_for(Detector::kOutcome, SchedulerKind::kPct)) {
        continue;
      }
      absl::StrAppend(&out, absl::StrFormat("    %-13s %s\n", scheduler_name(s),
                                            describe_expectation(v, Detector::kOutcome, s)));
    }
    // Abseil under the controlled schedulers, where declared apart: it sees
    // only the locks the controller grants.
    if (v.expectation_for(Detector::kAbsl, SchedulerKind::kPct) != v.expectation_for(Detector::kAbsl, SchedulerKind::kRandom)) {
      absl::StrAppend(&out, absl::StrFormat("    %-13s %s\n", "absl pct",
                                            describe_expectation(v, Detector::kAbsl, SchedulerKind::kPct)));
    }
    if (!v.is_broken()) absl::StrAppend(&out, absl::StrFormat("    %-13s %s\n", "mutant", describe_mutant(v)));
  }
  const absl::string_view file = source_file_name(c);
  const absl::string_view source = case_source(file);
  if (!c.variants.empty()) absl::StrAppend(&out, "\nThe code (cases/", file, "):\n");
  // Each variant after what it calls in the file (a helper that takes the
  // lock, a lazy initializer, the shared type), each shown once, in file order.
  const std::vector<Definition> definitions = top_level_definitions(source);
  std::set<const Definition*> shown;
  for (const Variant& v : c.variants) {
    for (const Definition* used : definitions_used_by(definitions, v.name, variant_names(c))) {
      if (shown.insert(used).second) absl::StrAppend(&out, "\n", used->text);
    }
    const std::string code = extract_function(source, v.name);
    absl::StrAppend(&out, "\n", code.empty() ? absl::StrCat("(", v.name, ": source not embedded)\n") : code);
  }
  if (!c.benchmark.empty()) absl::StrAppend(&out, "\nRun the benchmark:\n  ", c.benchmark, "\n");
  if (c.variants.empty()) return out;
  absl::StrAppend(&out, "\nTry it:\n");
  for (const Variant& v : c.variants) {
    absl::StrAppend(&out, "  ", try_command(c, v, program), "\n");
  }
  return out;
}

nlohmann::json explain_json(const Case& c, const std::string& program) {
  nlohmann::json outcomes = nlohmann::json::array();
  for (const OutcomeClass& oc : c.outcomes) {
    outcomes.push_back(
        {{"outcome", oc.matcher.text}, {"class", outcome_kind_name(oc.kind)}, {"description", oc.description}});
  }
  const absl::string_view file = source_file_name(c);
  const absl::string_view source = case_source(file);
  const std::vector<Definition> definitions = top_level_definitions(source);
  nlohmann::json variants = nlohmann::json::array();
  for (const Variant& v : c.variants) {
    nlohmann::json expect;
    for (Detector d : kAllDetectors) expect[std::string(detector_name(d))] = describe_expectation(v, d);
    for (SchedulerKind s : {SchedulerKind::kPct, SchedulerKind::kGil, SchedulerKind::kWalk}) {
      expect[std::string(scheduler_name(s))] = describe_expectation(v, Detector::kOutcome, s);
    }
    if (!v.is_broken()) expect["mutant"] = describe_mutant(v);
    const std::string code = extract_function(source, v.name);
    nlohmann::json calls = nlohmann::json::array();
    for (const Definition* used : definitions_used_by(definitions, v.name, variant_names(c))) {
      calls.push_back({{"name", used->name}, {"code", used->text}});
    }
    variants.push_back({{"name", v.name},
                        {"broken", v.is_broken()},
                        {"expect", expect},
                        {"code", code.empty() ? nlohmann::json(nullptr) : nlohmann::json(code)},
                        {"calls", calls},
                        {"try", try_command(c, v, program)}});
  }
  return {{"name", c.name},
          {"title", c.title},
          {"notebook", c.notebook},
          {"lesson", c.lesson},
          {"outcome_meaning", c.outcome_meaning},
          {"outcomes", outcomes},
          {"variants", variants},
          {"source", absl::StrCat("cases/", file)},
          {"benchmark", c.benchmark.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.benchmark)}};
}

}  // namespace hazardlab
