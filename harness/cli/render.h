#pragma once

#include <string>
#include <vector>

#include "harness/evidence/user_code.h"
#include "harness/run/runner.h"
#include "nlohmann/json.hpp"

namespace hazardlab {

// One step of a traced schedule, symbolized: its case line, when in case code.
struct TraceLine {
  std::int64_t step;
  std::string thread;
  std::string op;
  std::string location;
};
std::vector<TraceLine> trace_lines(const std::vector<StepRecord>& trace);

// The command that repeats the first trial that showed evidence (or the
// whole run when none did).
std::string replay_command(const std::string& program, const RunPlan& plan, const Judgement& judgement);

std::string render_text(const std::string& program, const RunPlan& plan, const Judgement& judgement);
nlohmann::json render_json(const std::string& program, const RunPlan& plan, const Judgement& judgement);

// One row per run, as the end of `run --all` and the main job print it.
std::string render_table(const std::vector<std::pair<RunPlan, Judgement>>& runs);

// A report and its first frames in the user's code (`code`: by default a
// case's frames, or any program's outside system folders).
nlohmann::json report_json(const Report& report, const UserCode& code = UserCode());
std::string render_report_text(const Report& report, const UserCode& code = UserCode());

}  // namespace hazardlab
