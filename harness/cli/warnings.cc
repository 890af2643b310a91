#include "harness/cli/warnings.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "harness/cli/case_source.h"
#include "harness/cli/explain.h"
#include "harness/registry.h"

namespace hazardlab {
namespace {

std::vector<std::string> names_of_variants(const Case& c) {
  std::vector<std::string> names;
  for (const Variant& v : c.variants) names.push_back(v.name);
  return names;
}

// The functions and types whose warnings are variant `v`'s: its own, and
// those it uses (a helper, the class it locks through).
std::set<std::string> code_of(const Case& c, const Variant& v) {
  const std::vector<Definition> definitions = top_level_definitions(case_source(source_file_name(c)));
  std::set<std::string> names = {v.name};
  for (const Definition* d : definitions_used_by(definitions, v.name, names_of_variants(c))) names.insert(d->name);
  return names;
}

bool matches(const Evidence& declared, const PlacedWarning& w, const Variant& v) {
  if (!absl::StrContains(w.warning.message, declared.detail)) return false;
  if (declared.functions.empty()) return w.function == v.name;
  return std::find(declared.functions.begin(), declared.functions.end(), w.function) != declared.functions.end();
}

std::string where(const PlacedWarning& w) {
  return absl::StrFormat("%s:%d:%d  %s  %s [%s]", w.warning.file, w.warning.line, w.warning.column,
                         w.function.empty() ? "(outside the case's functions)" : absl::StrCat("in ", w.function),
                         w.warning.message, w.warning.flag);
}

}  // namespace

std::vector<PlacedWarning> place_warnings(const Case& c, const std::vector<CompilerWarning>& warnings) {
  const absl::string_view file = source_file_name(c);
  const std::vector<Definition> definitions = top_level_definitions(case_source(file));
  std::vector<PlacedWarning> placed;
  for (const CompilerWarning& w : warnings) {
    PlacedWarning p{w, ""};
    const bool in_case_file = w.file == file || absl::EndsWith(w.file, absl::StrCat("/", file));
    const std::size_t line = static_cast<std::size_t>(w.line - 1);
    for (const Definition& d : definitions) {
      if (in_case_file && d.line <= line && line <= d.last_line) p.function = d.name;
    }
    placed.push_back(std::move(p));
  }
  return placed;
}

WarningVerdict judge_warnings(const Case& c, const Variant& v, const std::vector<PlacedWarning>& placed) {
  WarningVerdict out;
  const std::set<std::string> code = code_of(c, v);
  for (const PlacedWarning& w : placed) {
    if (w.function.empty() || code.count(w.function)) out.found.push_back(w);
  }
  const Expectation* e = v.expectation_for(Detector::kThreadSafety, SchedulerKind::kRandom);
  const bool declares_warnings = e && e->kind != Expectation::Kind::kMisses;
  std::vector<bool> accounted(out.found.size(), false);
  if (declares_warnings) {
    for (const Evidence& declared : e->evidence) {
      bool seen = false;
      for (std::size_t i = 0; i < out.found.size(); ++i) {
        if (matches(declared, out.found[i], v)) accounted[i] = seen = true;
      }
      if (!seen) out.not_found.push_back(declared.describe());
    }
  }
  for (std::size_t i = 0; i < out.found.size(); ++i) {
    if (!accounted[i]) out.unexpected.push_back(out.found[i]);
  }
  if (!e) {  // clean
    out.verdict = out.found.empty() ? "clean" : "fix fails";
    out.expected = out.found.empty();
  } else if (e->kind == Expectation::Kind::kMisses) {
    out.verdict = out.found.empty() ? "missed" : "detected";
    out.expected = out.found.empty();
  } else {
    const bool all = out.not_found.empty() && !out.found.empty();
    if (e->kind == Expectation::Kind::kFalseAlarm) {
      out.verdict = all ? "false alarm" : (out.found.empty() ? "clean" : "fix fails");
    } else {
      out.verdict = out.found.empty() ? "missed" : "detected";
    }
    out.expected = all && out.unexpected.empty();
  }
  return out;
}

namespace {

// "what the variant was declared to do", as render_warning_verdict says it.
std::string declaration_text(const Variant& v) {
  const Expectation* e = v.expectation_for(Detector::kThreadSafety, SchedulerKind::kRandom);
  if (!e) return "clean";
  if (e->kind == Expectation::Kind::kMisses) return absl::StrCat("misses: ", e->why);
  std::vector<std::string> parts;
  for (const Evidence& evidence : e->evidence) {
    parts.push_back(absl::StrCat("\"", evidence.detail, "\" in ",
                                 evidence.functions.empty() ? v.name : absl::StrJoin(evidence.functions, ", ")));
  }
  return absl::StrCat(e->kind == Expectation::Kind::kFalseAlarm ? "false alarm: " : "sees ", absl::StrJoin(parts, "; "));
}

nlohmann::json warning_finding(const PlacedWarning& w) {
  return {{"kind", "report"}, {"text", where(w)}, {"trial", 1}};
}

}  // namespace

nlohmann::json warning_verdict_json(const Case& c, const Variant& v, const WarningVerdict& verdict,
                                    const std::string& log_file) {
  // The decisive evidence: a warning the verdict rests on (the first
  // declared one a broken variant shows, or the first warning of a fixed
  // variant); none for a clean or missed verdict.
  nlohmann::json evidence = nullptr;
  const bool declared_verdict = verdict.verdict == "detected" || verdict.verdict == "false alarm";
  for (const PlacedWarning& w : verdict.found) {
    const bool unexpected = std::any_of(verdict.unexpected.begin(), verdict.unexpected.end(), [&](const PlacedWarning& u) {
      return u.warning.line == w.warning.line && u.warning.column == w.warning.column && u.warning.message == w.warning.message;
    });
    if (declared_verdict && unexpected) continue;
    evidence = warning_finding(w);
    break;
  }
  nlohmann::json unexpected = nlohmann::json::array();
  for (const PlacedWarning& w : verdict.unexpected) unexpected.push_back(warning_finding(w));
  nlohmann::json warnings = nlohmann::json::array();
  for (const PlacedWarning& w : verdict.found) warnings.push_back(where(w));
  return {{"case", c.name},
          {"variant", v.name},
          {"detector", "thread-safety"},
          {"verdict", verdict.verdict},
          {"expected", verdict.expected},
          {"declared", declaration_text(v)},
          {"evidence", evidence},
          {"unexpected", unexpected},
          {"unexpected_count", unexpected.size()},
          {"not_printed", verdict.not_found},
          {"warnings", warnings},
          {"trials", 1},
          {"log", log_file}};
}

std::string render_warning_verdict(const Case& c, const Variant& v, const WarningVerdict& verdict,
                                   const std::string& log_file) {
  std::string out = absl::StrCat(c.name, " / ", v.name, "  (detector thread-safety: clang -Wthread-safety on cases/",
                                 source_file_name(c), ")\n");
  absl::StrAppend(&out, "  warnings: ", verdict.found.size(), " in ", v.name, "'s code\n");
  for (const PlacedWarning& w : verdict.found) {
    const bool declared_here = std::none_of(verdict.unexpected.begin(), verdict.unexpected.end(), [&](const PlacedWarning& u) {
      return u.warning.line == w.warning.line && u.warning.column == w.warning.column && u.warning.message == w.warning.message;
    });
    absl::StrAppend(&out, "    ", where(w), declared_here ? "" : "  (not declared)", "\n");
  }
  const Expectation* e = v.expectation_for(Detector::kThreadSafety, SchedulerKind::kRandom);
  std::string declared = "clean";
  if (e && e->kind == Expectation::Kind::kMisses) declared = absl::StrCat("misses: ", e->why);
  if (e && e->kind != Expectation::Kind::kMisses) {
    std::vector<std::string> parts;
    for (const Evidence& evidence : e->evidence) {
      parts.push_back(absl::StrCat("\"", evidence.detail, "\" in ",
                                   evidence.functions.empty() ? v.name : absl::StrJoin(evidence.functions, ", ")));
    }
    declared = absl::StrCat(e->kind == Expectation::Kind::kFalseAlarm ? "false alarm: " : "sees ",
                            absl::StrJoin(parts, "; "));
  }
  absl::StrAppend(&out, "  verdict:  ", verdict.verdict, "  (", verdict.expected ? "as declared" : "NOT as declared",
                  ": ", declared, ")\n");
  for (const std::string& missing : verdict.not_found) absl::StrAppend(&out, "  not printed: ", missing, "\n");
  absl::StrAppend(&out, "  log:      ", log_file, "\n");
  return out;
}

}  // namespace hazardlab
