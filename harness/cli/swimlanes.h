#pragma once

#include <string>
#include <vector>

#include "harness/run/runner.h"

namespace hazardlab {

// A traced controlled run drawn as swimlanes: one lane per thread, the steps
// top to bottom in schedule order, each labelled with its operation and case
// line; a switch from one thread to another is a connector between lanes;
// the steps the hazard happens at are highlighted; the outcome closes the
// picture. A repeating stretch of the schedule (a thread's run of yields, a
// round-robin round) is drawn once with its repeat count, so a counting
// case's 40,000 steps fit on a page (docs/schedulers.md, "Pictures").
std::string render_swimlanes_svg(const RunPlan& plan, const Judgement& judgement);

// The pictures of one or more runs in one self-contained HTML page.
std::string render_swimlanes_html(const std::vector<std::pair<RunPlan, Judgement>>& runs);

}  // namespace hazardlab
