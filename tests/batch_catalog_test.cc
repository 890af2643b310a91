// Batching over the whole catalog. Under a controlled scheduler a trial is a
// function of its seed, so a trial must come out the same whether it runs
// alone in a fresh child or somewhere in a batch after other trials: a
// variant whose outcome depends on what earlier trials in the same process
// did (static or thread_local state left behind) is a defect of that case.
// And the replay command printed for a batch's failing trial must give that
// trial again, exactly.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/cli/render.h"
#include "harness/registry.h"
#include "harness/run/runner.h"
#include "harness/run/trial.h"
#include "tests/catalog_variants.h"

namespace hazardlab {
namespace {

constexpr int kSeeds = 6;
constexpr std::uint64_t kFirstSeed = 1;

// What identifies a controlled trial: how it ended and the schedule's size.
// A variant that corrupts memory crashes at the same step every time, but in
// whichever signal the wild access it makes meets (trial.h): "crashed" there.
std::string fingerprint(const Variant& v, const TrialResult& t) {
  std::string text = t.outcome ? "outcome " + t.outcome->to_string() : "no outcome";
  if (t.signal) text += may_corrupt_memory(v) ? " crashed" : " signal " + std::to_string(*t.signal);
  if (t.hung) text += " hung";
  if (t.controlled) {
    text += " n=" + std::to_string(t.controlled->threads) + " k=" + std::to_string(t.controlled->steps);
    for (const StepRecord& step : t.controlled->deadlock) text += " waits:" + std::to_string(step.thread) + step.op;
    if (t.controlled->stalled) text += " stalled";
  }
  return text;
}

class BatchCatalogTest : public testing::TestWithParam<CaseVariant> {};

TEST_P(BatchCatalogTest, EveryTrialInABatchIsTheSameTrialAlone) {
  // Under TSan no trial follows another in a process: each is forked from a
  // child that ran none (BatchTest.UnderThreadSanitizerEachTrialIsForkedFrom
  // OneFreshChild). What a case leaves behind for the next trial, the dev and
  // asan builds compare here. (Measured, for the record: TSan's report in
  // detached_daemon/broken, whose daemon outlives the controlled run, is not
  // a function of the seed: seed 3 alone reported in 5 of 6 runs.)
  if (is_tsan(build_detector())) GTEST_SKIP() << "every TSan trial is forked from a child that ran none";
  if (!checked_in_this_build(GetParam())) GTEST_SKIP() << kCheckedInTheDevBuild;
  const Case& c = *find_case(GetParam().case_name);
  const Variant& variant = *c.find_variant(GetParam().variant);
  RunPlan plan;
  plan.c = &c;
  plan.variant = &variant;
  plan.spec = {.kind = SchedulerKind::kPct, .seed = kFirstSeed};
  calibrate_pct_steps(plan);
  std::vector<std::string> batched;
  run_trials(c, variant, plan.spec, kSeeds, [&](TrialResult t) {
    batched.push_back(fingerprint(variant, t));
    return true;
  });
  ASSERT_EQ(batched.size(), static_cast<std::size_t>(kSeeds));
  for (int i = 0; i < kSeeds; ++i) {
    ScheduleSpec alone = plan.spec;
    alone.seed += static_cast<std::uint64_t>(i);
    EXPECT_EQ(fingerprint(variant, run_trial(c, variant, alone)), batched[static_cast<std::size_t>(i)])
        << c.name << "/" << variant.name << " seed " << alone.seed << " (--pct-steps=" << plan.spec.steps << ")";
  }
}

INSTANTIATE_TEST_SUITE_P(Catalog, BatchCatalogTest, testing::ValuesIn(catalog_variants()), catalog_variant_name);

// The replay printed for the first failing trial of a batch, run alone,
// reports the same verdict, evidence and trace, byte for byte.
TEST(BatchReplayTest, TheReplayOfABatchsFailingTrialIsThatTrial) {
  // TSan reports the lock-order inversion in the first schedule of every pct
  // batch where both orders are taken, Abseil its cycle likewise, and the
  // trial ends: no batch has a failure after its first trial to replay. The
  // dev build tests this; EveryFailingTrialReplaysAloneFromItsSeed covers
  // TSan's batches.
  if (is_tsan(build_detector())) GTEST_SKIP() << "every TSan pct batch fails at its first trial";
  // Abseil reports lock_order_deadlock's cycle in the first schedule of every
  // pct batch (measured: 100 of 100 schedules) and the trial aborts: no batch
  // has a failure after its first trial to replay. The dev build tests this.
  if (build_detector() == Detector::kAbsl) GTEST_SKIP() << "every absl pct batch fails at its first trial";
  // lock_order_deadlock's trials share a child until one deadlocks (refcount's
  // run one to a child outside the asan build: they may corrupt memory).
  const Case& c = *find_case("lock_order_deadlock");
  RunPlan batch;
  batch.c = &c;
  batch.variant = c.find_variant("broken");
  batch.trials = 200;
  // A batch whose first failure is not its first trial: later trials share
  // the child with earlier ones.
  Judgement found;
  for (std::uint64_t first = 1; first < 50; ++first) {
    batch.spec = {.kind = SchedulerKind::kPct, .seed = first, .trace = true};
    found = execute(batch);
    if (found.first_evidence_trial > 1) break;
  }
  ASSERT_GT(found.first_evidence_trial.value_or(0), 1) << "no batch whose failure came after its first trial";

  RunPlan replay = batch;
  replay.spec.seed = *found.first_evidence_seed;
  replay.trials = 1;
  const Judgement again = execute(replay);

  const nlohmann::json a = render_json("hazardlab", batch, found);
  const nlohmann::json b = render_json("hazardlab", replay, again);
  EXPECT_EQ(a["verdict"].dump(), b["verdict"].dump());
  EXPECT_EQ(a["evidence"].dump(), b["evidence"].dump());
  EXPECT_EQ(a["trace"].dump(), b["trace"].dump());
  EXPECT_EQ(a["replay"].dump(), b["replay"].dump());
}

// Every trial of a kept-going controlled run that showed something (its seed
// is in its histogram row) shows the same thing again when run alone from
// that seed: what the replay line of any failing trial promises.
TEST(BatchReplayTest, EveryFailingTrialReplaysAloneFromItsSeed) {
  for (const char* name : {"refcount", "lock_order_deadlock"}) {
    const Case& c = *find_case(name);
    RunPlan run;
    run.c = &c;
    run.variant = c.find_variant("broken");
    // Under ASan a failing trial ends in a symbolized report and its replay
    // in another: 200 schedules took 88 s of the asan test phase. 50 still
    // fail in several schedules of each case; the dev build runs all 200.
    // Under absl every lock_order_deadlock schedule ends in Abseil's report,
    // each a child process and a symbolized report: 200 and their replays
    // took 275 s of the absl test phase.
    // Under TSan every trial is a fork that prints a symbolized report:
    // 10 (30 took 47 s of the tsan test phase).
    run.trials = is_tsan(build_detector())                                                   ? 10
                 : build_detector() == Detector::kAsan || build_detector() == Detector::kAbsl ? 50
                                                                                              : 200;
    run.keep_going = true;
    run.spec = {.kind = SchedulerKind::kPct, .seed = 1000};
    const Judgement all = execute(run);
    ASSERT_EQ(all.histogram.total(), run.trials) << name;
    int replayed = 0;
    for (const Histogram::Row& row : all.histogram.rows()) {
      for (std::uint64_t seed : row.seeds) {
        RunPlan alone = run;  // keeps the calibrated --pct-steps
        alone.spec.seed = seed;
        alone.trials = 1;
        const Judgement again = execute(alone);
        const std::vector<Histogram::Row> rows = again.histogram.rows();
        ASSERT_EQ(rows.size(), 1u);
        // A crash of a variant that corrupts memory may meet another signal
        // (trial.h): it must be a crash again.
        const bool any_crash = may_corrupt_memory(*run.variant) && row.label.starts_with("crash");
        EXPECT_EQ(any_crash ? rows[0].label.substr(0, 5) : rows[0].label, any_crash ? "crash" : row.label)
            << name << " seed " << seed << " --pct-steps=" << run.spec.steps;
        ++replayed;
      }
    }
    EXPECT_GT(replayed, 0) << name << ": no trial of " << run.trials << " showed anything";
  }
}

}  // namespace
}  // namespace hazardlab
