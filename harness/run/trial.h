#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/case.h"
#include "harness/evidence/trial_result.h"

namespace hazardlab {

// Runs `variant` of `c` once as `spec` says, in a fresh child process with
// the case's deadline. Never throws for anything the child does.
TrialResult run_trial(const Case& c, const Variant& variant, const ScheduleSpec& spec);

// The child side: if argv asks for a trial, runs it and returns the process
// exit code. Every main() of a program that runs trials calls this first.
std::optional<int> run_trial_child_if_requested(int argc, char** argv);

}  // namespace hazardlab
