#include "harness/schedule/strategy.h"

#include <algorithm>
#include <random>

namespace hazardlab {
namespace {

// The choices walk and pct make besides the next thread: which waiter a
// notify_one wakes and, when asked for, spurious wakeups. A stream of their
// own, so that they do not shift the draws of priorities or change points.
class WaiterChoices {
 public:
  explicit WaiterChoices(const ScheduleSpec& spec)
      : rng_(derive_seed(spec.seed, 2)), spurious_(spec.spurious_wakeups) {}

  int choose(const std::vector<int>& waiters) {
    if (waiters.size() == 1) return waiters.front();
    return waiters[std::uniform_int_distribution<std::size_t>(0, waiters.size() - 1)(rng_)];
  }
  // Half of the waits, when spurious wakeups are on: a wait written as `if`
  // instead of `while` shows within a few schedules.
  bool spurious() { return spurious_ && (rng_() & 1) != 0; }

 private:
  std::mt19937_64 rng_;
  bool spurious_;
};

// Uniform choice among the enabled threads at every step: explores freely,
// but switches so often that a thread rarely runs long enough to reach a
// deep state (a bug needing one switch at one exact place among many steps
// is found with probability ~1/n per step, not per run).
class Walk final : public Strategy {
 public:
  explicit Walk(const ScheduleSpec& spec) : rng_(derive_seed(spec.seed, 0)), waiters_(spec) {}

  void on_thread_added(int) override {}

  int choose(const std::vector<int>& enabled, int, const Step&) override {
    return enabled[std::uniform_int_distribution<std::size_t>(0, enabled.size() - 1)(rng_)];
  }
  int choose_waiter(const std::vector<int>& waiters) override { return waiters_.choose(waiters); }
  bool wake_spuriously() override { return waiters_.spurious(); }

 private:
  std::mt19937_64 rng_;
  WaiterChoices waiters_;
};

// Probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi,
// Nagarakatte, ASPLOS 2010). Each thread gets a random priority when it is
// created, and the highest-priority enabled thread always runs. At d-1
// change points, steps drawn uniformly from [1, k], the running thread's
// priority drops below every initial one (to i at the i-th change point). A
// bug that needs d particular orderings is then found in one run with
// probability at least 1/(n * k^(d-1)).
//
// k counts the case's steps only: the harness's own (a thread's start and
// end, the start latch, threads.run's joins) are most of a small case's
// steps, and a change point there would be spent where the case has nothing
// to interleave. A change point that falls on a step at which the running
// thread blocks (or spins, or ends) would lower a thread that cannot run and
// preempt nothing: it moves to the next case step whose thread can go on.
class Pct final : public Strategy {
 public:
  explicit Pct(const ScheduleSpec& spec) : rng_(derive_seed(spec.seed, 0)), waiters_(spec) {
    // The i-th point drawn lowers a thread to priority i, whatever its place
    // in time: a later change point may well rank above an earlier one,
    // which is what lets an early-preempted thread resume in the middle of
    // a later-preempted one's work.
    const std::vector<std::int64_t> points = pct_change_points(spec);
    for (std::size_t i = 0; i < points.size(); ++i) {
      change_points_.push_back({points[i], static_cast<std::int64_t>(i) + 1});
    }
    std::sort(change_points_.begin(), change_points_.end());
  }

  void on_thread_added(int index) override {
    // Initial priorities lie above every change-point priority (1 .. d-1);
    // a random key places the new thread at a random rank among the others.
    // A slot freed by a joined thread is reused: its new thread draws anew.
    if (priority_.size() <= static_cast<std::size_t>(index)) priority_.resize(static_cast<std::size_t>(index) + 1);
    priority_[static_cast<std::size_t>(index)] = kInitialBand + static_cast<std::int64_t>(rng_() >> 24);
  }

  int choose(const std::vector<int>& enabled, int running, const Step& step) override {
    // Steps only grow, so the change points are consumed in step order; one
    // whose step has come waits for a case step whose thread can go on.
    if (!step.harness && std::binary_search(enabled.begin(), enabled.end(), running)) {
      while (next_point_ < change_points_.size() && change_points_[next_point_].first <= step.number) {
        priority_[static_cast<std::size_t>(running)] = change_points_[next_point_++].second;
      }
    }
    int best = enabled.front();
    for (int candidate : enabled) {
      // Ties (vanishingly rare) go to the lower index, deterministically.
      if (priority_[static_cast<std::size_t>(candidate)] > priority_[static_cast<std::size_t>(best)]) best = candidate;
    }
    return best;
  }
  int choose_waiter(const std::vector<int>& waiters) override { return waiters_.choose(waiters); }
  bool wake_spuriously() override { return waiters_.spurious(); }

 private:
  static constexpr std::int64_t kInitialBand = std::int64_t{1} << 40;
  std::mt19937_64 rng_;
  WaiterChoices waiters_;
  std::vector<std::int64_t> priority_;       // by thread index
  std::vector<std::pair<std::int64_t, std::int64_t>> change_points_;  // (step, new priority), by step
  std::size_t next_point_ = 0;
};

// CPython's scheduling as the notebooks see it: the running thread keeps the
// interpreter until it blocks or reaches a switch point (time.sleep(0) is one;
// here, a yield point at least `interval` steps after the last switch), and
// the next thread in round-robin order takes over. No randomness: every seed
// gives the same schedule. notify_one wakes the longest waiter, as CPython's
// Condition does (the default choose_waiter), and no wakeup is spurious.
class Gil final : public Strategy {
 public:
  explicit Gil(int interval) : interval_(std::max(1, interval)) {}

  void on_thread_added(int) override {}

  int choose(const std::vector<int>& enabled, int running, const Step& step) override {
    const bool running_enabled = std::binary_search(enabled.begin(), enabled.end(), running);
    const bool switch_now =
        !running_enabled || (step.kind == StepKind::kYield && step.number - last_switch_ >= interval_);
    if (!switch_now) return running;
    last_switch_ = step.number;
    // The next enabled thread after `running`, wrapping around.
    const auto next = std::upper_bound(enabled.begin(), enabled.end(), running);
    return next != enabled.end() ? *next : enabled.front();
  }

 private:
  int interval_;
  std::int64_t last_switch_ = 0;
};

}  // namespace

std::vector<std::int64_t> pct_change_points(const ScheduleSpec& spec) {
  // A stream of its own, so the points do not depend on how many threads
  // the run creates.
  std::mt19937_64 rng(derive_seed(spec.seed, 1));
  std::vector<std::int64_t> points;
  const std::int64_t k = std::max<std::int64_t>(1, spec.steps);
  for (int i = 1; i < spec.depth; ++i) {
    points.push_back(std::uniform_int_distribution<std::int64_t>(1, k)(rng));
  }
  return points;
}

std::unique_ptr<Strategy> make_strategy(const ScheduleSpec& spec) {
  switch (spec.kind) {
    case SchedulerKind::kWalk: return std::make_unique<Walk>(spec);
    case SchedulerKind::kPct: return std::make_unique<Pct>(spec);
    case SchedulerKind::kGil: return std::make_unique<Gil>(spec.switch_interval);
    case SchedulerKind::kNone:
    case SchedulerKind::kYield:
    case SchedulerKind::kRandom: break;
  }
  return nullptr;
}

}  // namespace hazardlab
