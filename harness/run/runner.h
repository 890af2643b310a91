#pragma once

#include <cstdint>
#include <functional>

#include "harness/case.h"
#include "harness/evidence/verdict.h"
#include "harness/run/trial.h"

namespace hazardlab {

// One (case, variant, detector) run: how many trials, under which scheduler,
// from which seed. Trial i runs with spec.seed + i, so `--seed=<that>
// --trials=1` replays any single trial (exactly, under a controlled
// scheduler).
struct RunPlan {
  const Case* c = nullptr;
  const Variant* variant = nullptr;
  Detector detector = Detector::kOutcome;
  ScheduleSpec spec;
  int trials = 1;
  bool keep_going = false;
  BatchOptions batch;  // how trials share child processes
};

// pct spreads its change points over k steps, so it must know k before a
// run: when the plan leaves it 0, one calibration run (pct without change
// points, at the plan's seed) measures it, and the plan records it so that
// the replay command carries it.
void calibrate_pct_steps(RunPlan& plan);

// Called after each trial with the number done so far.
using TrialProgress = std::function<void(int done, int planned)>;

Judgement execute(RunPlan& plan, const TrialProgress& progress = {});

// The detector this build runs: outcome (native), tsan or asan.
Detector build_detector();

// The preset (and build/<preset>/ folder) whose binaries run `detector`.
absl::string_view build_preset(Detector detector);

}  // namespace hazardlab
