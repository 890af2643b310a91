#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/case.h"
#include "harness/report.h"

namespace hazardlab {

// One run of one variant, in a child process of its own.
struct TrialResult {
  std::uint64_t seed = 0;
  std::optional<Outcome> outcome;  // absent when the run did not finish normally
  bool hung = false;
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::string output;              // what the child printed (sanitizer reports land here)
  std::vector<Report> reports;     // classified from `output`
  std::chrono::microseconds wall{0};
};

// Runs `variant` of `c` once under `scheduler` with `seed`, in a fresh child
// process with the case's deadline. Never throws for anything the child does.
TrialResult run_trial(const Case& c, const Variant& variant, SchedulerKind scheduler, std::uint64_t seed);

// The child side: if argv asks for a trial, runs it and returns the process
// exit code. Every main() of a program that runs trials calls this first.
std::optional<int> run_trial_child_if_requested(int argc, char** argv);

}  // namespace hazardlab
