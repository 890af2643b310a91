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
#if defined(__SANITIZE_THREAD__)
  return Detector::kTsan;
#elif defined(__SANITIZE_ADDRESS__)
  return Detector::kAsan;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
  return Detector::kTsan;
#elif __has_feature(address_sanitizer)
  return Detector::kAsan;
#else
  return Detector::kOutcome;
#endif
#else
  return Detector::kOutcome;
#endif
}

}  // namespace hazardlab
