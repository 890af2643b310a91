#pragma once

#include <functional>
#include <optional>

#include "harness/case.h"
#include "harness/evidence/trial_result.h"

namespace hazardlab {

// How trials share child processes.
struct BatchOptions {
  // A child runs up to this many trials in a row (1: every trial alone).
  // Bounded so that no child's captured output or memory grows without end.
  int max_trials_per_child = 1000;
  // Under ThreadSanitizer every trial runs in a process of its own, forked
  // from the child before it ran any trial (see forks_each_trial). Only the
  // tests of the batching machinery itself turn this off, to see a TSan
  // report end a batch.
  bool tsan_trials_alone = true;
};

// Whether the case declares that AddressSanitizer sees `variant` corrupt
// memory (a heap error, not a leak). Such a variant's trial may also read
// memory its schedule does not decide (thread ids, clock readings, the
// harness's own state), so under a controlled scheduler the same seed gives
// the same steps, but a crash after a wild access may end in another signal.
bool may_corrupt_memory(const Variant& variant);

// Whether the child forks every trial from itself, so that each runs in a
// fresh process (ThreadSanitizer builds; docs/how-a-verdict-is-made.md,
// "What may share a process").
bool forks_each_trial(const BatchOptions& options);

// How many trials of `variant` one child runs: options' bound, or 1 for a
// variant that may corrupt memory where no sanitizer would see it happen and
// no fork keeps trials apart.
int trials_per_child(const Variant& variant, const BatchOptions& options);

// Receives each trial's result, in seed order; returns false to stop the run
// (the child running the next trial is killed, its trial discarded).
using TrialSink = std::function<bool(TrialResult)>;

// Runs `count` trials of `variant`, with seeds spec.seed, spec.seed + 1, ...
// A child process runs them in a row and reports each as it ends; a fresh
// child takes over at the next trial when a child ends early: a crash, a
// std::terminate, a hang (the watchdog bounds each trial, not the batch), a
// deadlock or stall, a sanitizer report, or threads a trial left running
// (docs/how-a-verdict-is-made.md says why each ends a batch). Every trial
// keeps its own seed, outcome, output and reports. Never throws for anything
// a child does; throws ChildProcessError when the harness cannot run one.
void run_trials(const Case& c, const Variant& variant, const ScheduleSpec& spec, int count, const TrialSink& sink,
                const BatchOptions& options = {});

// One trial, alone in its own child process.
TrialResult run_trial(const Case& c, const Variant& variant, const ScheduleSpec& spec);

// The child side: if argv asks for trials, runs them and returns the process
// exit code. Every main() of a program that runs trials calls this first.
std::optional<int> run_trial_child_if_requested(int argc, char** argv);

}  // namespace hazardlab
