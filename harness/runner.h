#pragma once

#include <cstdint>
#include <functional>

#include "harness/case.h"
#include "harness/verdict.h"

namespace hazardlab {

// One (case, variant, detector) run: how many trials, under which scheduler,
// from which seed. Trial i runs with seed + i, so `--seed=<that> --trials=1`
// replays any single trial.
struct RunPlan {
  const Case* c = nullptr;
  const Variant* variant = nullptr;
  Detector detector = Detector::kOutcome;
  SchedulerKind scheduler = SchedulerKind::kRandom;
  std::uint64_t seed = 0;
  int trials = 1;
  bool keep_going = false;
};

// Called after each trial with the number done so far.
using TrialProgress = std::function<void(int done, int planned)>;

Judgement execute(const RunPlan& plan, const TrialProgress& progress = {});

// The detector this build runs: outcome (native), tsan or asan.
Detector build_detector();

// The preset (and build/<preset>/ folder) whose binaries run `detector`.
absl::string_view build_preset(Detector detector);

}  // namespace hazardlab
