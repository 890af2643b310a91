#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/evidence/outcome.h"
#include "harness/evidence/report.h"
#include "harness/schedule/controller.h"

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

}  // namespace hazardlab
