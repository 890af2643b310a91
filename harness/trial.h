#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/case.h"
#include "harness/controller.h"
#include "harness/report.h"

namespace hazardlab {

// What a controlled run adds to a trial: its size, and how it ended when it
// ended early.
struct ControlledRun {
  int threads = 0;                     // n: threads the run created, main included
  std::int64_t steps = 0;              // k: scheduling steps taken
  std::vector<StepRecord> trace;       // every step, when tracing
  std::vector<StepRecord> deadlock;    // every live thread's waiting step, when all were blocked
  std::string stall;                   // why the run stalled, when it did
  std::optional<StepRecord> stalled;   // the thread that stopped the run
};

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
  std::chrono::milliseconds deadline{0};    // the watchdog's, for this trial
  std::optional<ControlledRun> controlled;  // set under walk, pct and gil
};

// Runs `variant` of `c` once as `spec` says, in a fresh child process with
// the case's deadline. Never throws for anything the child does.
TrialResult run_trial(const Case& c, const Variant& variant, const ScheduleSpec& spec);

// The child side: if argv asks for a trial, runs it and returns the process
// exit code. Every main() of a program that runs trials calls this first.
std::optional<int> run_trial_child_if_requested(int argc, char** argv);

}  // namespace hazardlab
