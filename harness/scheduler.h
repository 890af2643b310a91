#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include "absl/strings/string_view.h"
#include <vector>

namespace hazardlab {

// Stress schedulers run real OS threads and only decide what a thread does at
// its own yield points. They never order one thread against another, so they
// cannot hide a race from ThreadSanitizer.
enum class SchedulerKind {
  kNone,    // free-running threads: the notebooks' own approach, the baseline
  kYield,   // std::this_thread::yield() at every yield point
  kRandom,  // with small probabilities, yield or sleep briefly (seeded)
};

inline constexpr SchedulerKind kAllSchedulers[] = {SchedulerKind::kNone, SchedulerKind::kYield,
                                                  SchedulerKind::kRandom};

absl::string_view scheduler_name(SchedulerKind kind);
std::optional<SchedulerKind> parse_scheduler(absl::string_view name);

// What one thread does at one yield point.
enum class YieldDecision { kContinue, kYield, kSleep };

// The per-thread half of a scheduler. Each worker thread owns one, seeded from
// the run's seed and the thread's index, so decisions are a function of
// (seed, index, how many yield points the thread has passed).
class ThreadSchedule {
 public:
  // Probabilities of the random scheduler, per yield point.
  static constexpr double kYieldProbability = 0.01;
  static constexpr double kSleepProbability = 0.001;
  static constexpr int kSleepMicroseconds = 50;

  ThreadSchedule(SchedulerKind kind, std::uint64_t run_seed, int thread_index);

  // Chooses and performs this thread's action at a yield point.
  void at_yield_point();
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
  ThreadSchedule* previous_;
};

}  // namespace hazardlab
