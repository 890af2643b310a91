#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "harness/schedule/scheduler.h"

namespace hazardlab {

// Why the running thread reached the controller.
enum class StepKind {
  kYield,      // a yield point: the case marks a switch here as interesting
  kOperation,  // a harness synchronization operation that did not block
  kBlocked,    // the running thread cannot go on (blocked, spinning, finished)
};

// The deciding half of a controlled scheduler: given the enabled threads,
// which one runs next. Only the thread holding the turn calls it, so a
// strategy needs no synchronization; every choice is a function of the seed
// and the calls before it.
class Strategy {
 public:
  virtual ~Strategy() = default;

  // A thread was created (indices count up from 0, the main thread).
  virtual void on_thread_added(int index) = 0;

  // `enabled`: ascending thread indices, never empty. `running` is the
  // thread at this step; it is among `enabled` unless kind is kBlocked.
  // `step` counts from 1.
  virtual int choose(const std::vector<int>& enabled, int running, StepKind kind, std::int64_t step) = 0;
};

// walk, pct or gil, as `spec` says.
std::unique_ptr<Strategy> make_strategy(const ScheduleSpec& spec);

// The chosen change-point steps of a pct run (for tests and for the trace).
std::vector<std::int64_t> pct_change_points(const ScheduleSpec& spec);

}  // namespace hazardlab
