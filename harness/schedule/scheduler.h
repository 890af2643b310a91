#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include "absl/strings/string_view.h"
#include <vector>

#include "harness/schedule/yield_point.h"

namespace hazardlab {

// Two families behind one interface (the --scheduler flag, a ScheduleSpec).
//
// Stress schedulers run real OS threads and only decide what a thread does at
// its own yield points. They never order one thread against another, so they
// cannot hide a race from ThreadSanitizer.
//
// Controlled schedulers (harness/controller.h) let one thread run at a time
// and choose, at every yield point and every harness synchronization
// operation, which thread goes next: a run is a function of its seed.
enum class SchedulerKind {
  kNone,    // stress: free-running threads, the notebooks' own approach, the baseline
  kYield,   // stress: std::this_thread::yield() at every yield point
  kRandom,  // stress: with small probabilities, yield or sleep briefly (seeded)
  kWalk,    // controlled: a uniformly random enabled thread at every step
  kPct,     // controlled: probabilistic concurrency testing (priorities, d-1 change points)
  kGil,     // controlled: round robin switching only at yield points and blocking operations
};

inline constexpr SchedulerKind kStressSchedulers[] = {SchedulerKind::kNone, SchedulerKind::kYield,
                                                     SchedulerKind::kRandom};
inline constexpr SchedulerKind kAllSchedulers[] = {SchedulerKind::kNone, SchedulerKind::kYield,
                                                  SchedulerKind::kRandom, SchedulerKind::kWalk,
                                                  SchedulerKind::kPct,  SchedulerKind::kGil};

absl::string_view scheduler_name(SchedulerKind kind);
std::optional<SchedulerKind> parse_scheduler(absl::string_view name);
bool is_controlled(SchedulerKind kind);

// Everything that decides one run's schedule. A controlled run is a function
// of this (and the case), so printing it is enough to replay the run.
struct ScheduleSpec {
  SchedulerKind kind = SchedulerKind::kRandom;
  std::uint64_t seed = 0;
  int depth = 3;             // pct: bug depth d, so d-1 priority change points
  std::int64_t steps = 0;    // pct: k, the steps the change points are spread over
  int switch_interval = 1;   // gil: switch at a yield point once this many steps have passed
  bool spurious_wakeups = false;  // walk, pct: a condition variable's wait may return unnotified
  bool trace = false;        // controlled: record every step

  static constexpr int kDefaultDepth = 3;
};

// What one thread does at one yield point.
enum class YieldDecision { kContinue, kYield, kSleep };

// The per-thread half of a scheduler. Each worker thread owns one, seeded from
// the run's seed and the thread's index, so decisions are a function of
// (seed, index, how many yield points the thread has passed).
class ThreadSchedule final : public YieldHook {
 public:
  // Probabilities of the random scheduler, per yield point.
  static constexpr double kYieldProbability = 0.01;
  static constexpr double kSleepProbability = 0.001;
  static constexpr int kSleepMicroseconds = 50;

  ThreadSchedule(SchedulerKind kind, std::uint64_t run_seed, int thread_index);

  // Chooses and performs this thread's action at a yield point.
  void at_yield_point() override;
  // Chooses only (for tests of seeding and for tracing).
  YieldDecision next_decision();

  int thread_index() const { return thread_index_; }

 private:
  SchedulerKind kind_;
  int thread_index_;
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> unit_{0.0, 1.0};
};

// Derives a well-mixed 64-bit seed for a thread or a trial from a base seed.
std::uint64_t derive_seed(std::uint64_t base, std::uint64_t stream);

// Installs `schedule` as the calling thread's schedule for the lifetime of the
// scope (nullptr: no scheduler, yield points do nothing).
class ScheduleScope {
 public:
  explicit ScheduleScope(ThreadSchedule* schedule);
  ~ScheduleScope();
  ScheduleScope(const ScheduleScope&) = delete;
  ScheduleScope& operator=(const ScheduleScope&) = delete;

 private:
  YieldHook* previous_;
};

}  // namespace hazardlab
