#include "harness/run/runner.h"

#include <algorithm>

#include "harness/run/trial.h"

namespace hazardlab {

void calibrate_pct_steps(RunPlan& plan) {
  if (plan.spec.kind != SchedulerKind::kPct || plan.spec.steps > 0) return;
  ScheduleSpec calibration = plan.spec;
  calibration.depth = 1;
  calibration.trace = false;
  const TrialResult trial = run_trial(*plan.c, *plan.variant, calibration);
  plan.spec.steps = trial.controlled ? std::max<std::int64_t>(1, trial.controlled->steps) : 1;
}

Judgement execute(RunPlan& plan, const TrialProgress& progress) {
  calibrate_pct_steps(plan);
  Judge judge(*plan.c, *plan.variant, plan.detector, plan.spec.kind, plan.keep_going);
  int done = 0;
  run_trials(
      *plan.c, *plan.variant, plan.spec, plan.trials,
      [&](TrialResult trial) {
        const bool more = judge.add(trial);
        if (progress) progress(++done, plan.trials);
        return more;
      },
      plan.batch);
  return judge.result();
}

Detector build_detector() {
  // Set from HAZARDLAB_DETECTOR in sanitizers/sanitizers.cmake: the one place
  // that decides which sanitizer a build has.
  return *parse_detector(HAZARDLAB_BUILD_DETECTOR);
}

absl::string_view build_preset(Detector detector) {
  return detector == Detector::kOutcome ? "dev" : detector_name(detector);
}

}  // namespace hazardlab
