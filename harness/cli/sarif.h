#pragma once

#include <string>
#include <utility>
#include <vector>

#include "harness/evidence/user_code.h"
#include "harness/run/runner.h"
#include "nlohmann/json.hpp"

namespace hazardlab {

// SARIF 2.1.0 logs, the format code-scanning services read, so that a race
// shows at its line in a pull request. One result per finding: the evidence
// a verdict rests on and each unexpected finding of `run`, each report of
// `classify`. ruleId is the report kind ("data-race", "heap-use-after-free")
// or the finding's kind ("forbidden-outcome", "hang", "deadlock"); the
// result's location is the case line (a report's first frame in case code,
// else the variant's first line), the report's other frames are related
// locations, and a run's result carries its replay command.

// What `run --format=sarif` prints.
nlohmann::json sarif_for_runs(const std::string& program, const std::vector<std::pair<RunPlan, Judgement>>& runs);

// What `classify --format=sarif` prints: locations are the user's frames.
nlohmann::json sarif_for_reports(const std::vector<Report>& reports, const UserCode& code);

}  // namespace hazardlab
