#include "harness/runner.h"

#include "harness/trial.h"

namespace hazardlab {

Judgement execute(const RunPlan& plan, const TrialProgress& progress) {
  Judge judge(*plan.c, *plan.variant, plan.detector, plan.keep_going);
  for (int i = 0; i < plan.trials; ++i) {
    const TrialResult trial = run_trial(*plan.c, *plan.variant, plan.scheduler, plan.seed + static_cast<std::uint64_t>(i));
    const bool more = judge.add(trial);
    if (progress) progress(i + 1, plan.trials);
    if (!more) break;
  }
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
