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

// One step as a strategy sees it.
struct Step {
  StepKind kind = StepKind::kYield;
  // The case's steps so far, this one included when it is the case's: pct's
  // k counts these, and a change point falls on one of them.
  std::int64_t number = 0;
  // The harness's own step (a thread's start or end, the start latch,
  // threads.run's joins): not counted in `number`.
  bool harness = false;
};

// The deciding half of a controlled scheduler: given the enabled threads,
// which one runs next. Only the thread holding the turn calls it, so a
// strategy needs no synchronization; every choice is a function of the seed
// and the calls before it.
class Strategy {
 public:
  virtual ~Strategy() = default;

  // A thread was created in slot `index` (0 is the main thread; a slot
  // freed by a joined thread is reused by a later thread).
  virtual void on_thread_added(int index) = 0;

  // `enabled`: ascending thread slots, never empty. `running` is the
  // thread at this step; it is among `enabled` unless kind is kBlocked.
  virtual int choose(const std::vector<int>& enabled, int running, const Step& step) = 0;

  // Which of the threads waiting on one object a notify_one wakes.
  // `waiters`: in the order they began to wait, never empty.
  virtual int choose_waiter(const std::vector<int>& waiters) { return waiters.front(); }

  // Whether a condition variable's wait that is about to block returns at
  // once instead, as a spurious wakeup (only when the spec asks for them).
  virtual bool wake_spuriously() { return false; }
};

// walk, pct or gil, as `spec` says.
std::unique_ptr<Strategy> make_strategy(const ScheduleSpec& spec);

// The chosen change-point steps of a pct run (for tests and for the trace).
std::vector<std::int64_t> pct_change_points(const ScheduleSpec& spec);

}  // namespace hazardlab
