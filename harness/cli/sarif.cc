#include "harness/cli/sarif.h"

#include <cctype>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "harness/cli/explain.h"
#include "harness/cli/render.h"
#include "harness/registry.h"

namespace hazardlab {
namespace {

constexpr const char* kSchema = "https://json.schemastore.org/sarif-2.1.0.json";
// Relative paths are relative to the repository (or the --source-root):
// code-scanning services resolve this base to the checkout.
constexpr const char* kSourceRoot = "%SRCROOT%";

// "data race" -> "data-race", "runtime error: signed integer overflow" ->
// "runtime-error-signed-integer-overflow": a stable identifier per kind.
std::string rule_id(absl::string_view kind) {
  std::string id;
  for (char ch : kind) {
    if (std::isalnum(static_cast<unsigned char>(ch))) {
      id += absl::ascii_tolower(ch);
    } else if (!id.empty() && id.back() != '-') {
      id += '-';
    }
  }
  while (!id.empty() && id.back() == '-') id.pop_back();
  return id.empty() ? "finding" : id;
}

// A path as a URI reference: relative paths stay relative to kSourceRoot,
// absolute ones become file URIs; bytes outside the unreserved set are
// percent-encoded.
nlohmann::json artifact(const std::string& path) {
  std::string uri;
  for (unsigned char ch : path) {
    if (std::isalnum(ch) || ch == '/' || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
      uri += static_cast<char>(ch);
    } else {
      uri += absl::StrFormat("%%%02X", ch);
    }
  }
  if (!path.empty() && path[0] == '/') return {{"uri", absl::StrCat("file://", uri)}};
  return {{"uri", uri}, {"uriBaseId", kSourceRoot}};
}

nlohmann::json physical(const std::string& path, int line) {
  nlohmann::json location = {{"artifactLocation", artifact(path)}};
  if (line > 0) location["region"] = {{"startLine", line}};
  return location;
}

// The rules seen so far, each once, in the order first seen.
class Rules {
 public:
  int index(const std::string& id, const std::string& description) {
    const auto [it, added] = index_.emplace(id, static_cast<int>(rules_.size()));
    if (added) rules_.push_back({{"id", id}, {"shortDescription", {{"text", description}}}});
    return it->second;
  }
  nlohmann::json json() const { return rules_; }

 private:
  std::map<std::string, int> index_;
  nlohmann::json rules_ = nlohmann::json::array();
};

// The location of a report's first frame in the user's code, and its other
// frames with a source file as related locations.
void add_report_locations(const Report& report, const UserCode& code, nlohmann::json& result) {
  const std::vector<Frame> first = code.first_frames(report, 1);
  if (!first.empty()) {
    result["locations"] = nlohmann::json::array({{{"physicalLocation", physical(code.path(first[0]), first[0].line)}}});
  }
  nlohmann::json related = nlohmann::json::array();
  for (const Frame& frame : report.frames) {
    if (frame.file.empty()) continue;
    if (!first.empty() && frame.file == first[0].file && frame.line == first[0].line) continue;
    const std::string text = frame.function.empty() ? code.location(frame) : frame.function;
    related.push_back({{"id", static_cast<int>(related.size()) + 1},
                       {"message", {{"text", text}}},
                       {"physicalLocation", physical(code.path(frame), frame.line)}});
  }
  if (!related.empty()) result["relatedLocations"] = related;
}

nlohmann::json log_of(const Rules& rules, nlohmann::json results) {
  const nlohmann::json driver = {{"name", "hazardlab"}, {"rules", rules.json()}};
  return {{"$schema", kSchema},
          {"version", "2.1.0"},
          {"runs", nlohmann::json::array({{{"tool", {{"driver", driver}}}, {"results", std::move(results)}}})}};
}

// One finding of a run as a result.
nlohmann::json run_result(const std::string& program, const RunPlan& plan, const Judgement& j, const Finding& finding,
                          bool decisive, Rules& rules) {
  const UserCode code;
  const std::string kind =
      finding.report ? finding.report->kind : std::string(evidence_kind_name(finding.kind));
  const std::string id = rule_id(kind);
  const std::string description =
      finding.report ? absl::StrCat(finding.report->tool, ": ", finding.report->kind) : kind;
  // The declared evidence of a broken variant is the lesson, not a defect:
  // a note. A finding that makes a verdict not as declared is an error.
  const std::string level = !j.expected ? "error" : decisive ? "note" : "warning";
  const std::string replay = replay_command(program, plan, j);
  nlohmann::json result = {
      {"ruleId", id},
      {"ruleIndex", rules.index(id, description)},
      {"level", level},
      {"message",
       {{"text", absl::StrCat(plan.c->name, " / ", plan.variant->name, ": ", finding.text, " (verdict ",
                              verdict_name(j.verdict), j.expected ? ", as declared" : ", NOT as declared",
                              "). Replay: ", replay)}}},
      {"properties",
       {{"case", plan.c->name},
        {"variant", plan.variant->name},
        {"detector", detector_name(plan.detector)},
        {"scheduler", scheduler_name(plan.spec.kind)},
        {"seed", plan.spec.seed},
        {"verdict", verdict_name(j.verdict)},
        {"expected", j.expected},
        {"replay", replay}}},
  };
  if (finding.report) add_report_locations(*finding.report, code, result);
  if (!result.contains("locations")) {
    // No frame in case code (an outcome, a hang): the variant's own line.
    const absl::string_view file = source_file_name(*plan.c);
    const int line = function_line(case_source(file), plan.variant->name);
    result["locations"] = nlohmann::json::array({{{"physicalLocation", physical(absl::StrCat("cases/", file), line)}}});
  }
  return result;
}

}  // namespace

nlohmann::json sarif_for_runs(const std::string& program, const std::vector<std::pair<RunPlan, Judgement>>& runs) {
  Rules rules;
  nlohmann::json results = nlohmann::json::array();
  for (const auto& [plan, j] : runs) {
    if (j.evidence) results.push_back(run_result(program, plan, j, *j.evidence, true, rules));
    for (const UnexpectedFinding& u : j.unexpected) {
      if (j.evidence && u.finding.text == j.evidence->text) continue;  // the same finding, said once
      results.push_back(run_result(program, plan, j, u.finding, false, rules));
    }
  }
  return log_of(rules, std::move(results));
}

nlohmann::json sarif_for_reports(const std::vector<Report>& reports, const UserCode& code) {
  Rules rules;
  nlohmann::json results = nlohmann::json::array();
  for (const Report& report : reports) {
    const std::string id = rule_id(report.kind);
    const std::string location = code.report_location(report);
    nlohmann::json result = {
        {"ruleId", id},
        {"ruleIndex", rules.index(id, absl::StrCat(report.tool, ": ", report.kind))},
        {"level", "error"},
        {"message", {{"text", location.empty() ? report.headline : absl::StrCat(report.headline, " at ", location)}}},
    };
    add_report_locations(report, code, result);
    results.push_back(std::move(result));
  }
  return log_of(rules, std::move(results));
}

}  // namespace hazardlab
