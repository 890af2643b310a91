#include "harness/schedule/scheduler.h"

#include <chrono>
#include <thread>

#include "harness/schedule/yield_point.h"

namespace hazardlab {
constinit thread_local YieldHook* internal::t_yield_hook = nullptr;

absl::string_view scheduler_name(SchedulerKind kind) {
  switch (kind) {
    case SchedulerKind::kNone: return "none";
    case SchedulerKind::kYield: return "yield";
    case SchedulerKind::kRandom: return "random";
    case SchedulerKind::kWalk: return "walk";
    case SchedulerKind::kPct: return "pct";
    case SchedulerKind::kGil: return "gil";
  }
  return "?";
}

bool is_controlled(SchedulerKind kind) {
  return kind == SchedulerKind::kWalk || kind == SchedulerKind::kPct || kind == SchedulerKind::kGil;
}

std::optional<SchedulerKind> parse_scheduler(absl::string_view name) {
  for (SchedulerKind kind : kAllSchedulers) {
    if (scheduler_name(kind) == name) return kind;
  }
  return std::nullopt;
}

std::uint64_t derive_seed(std::uint64_t base, std::uint64_t stream) {
  // splitmix64 over (base, stream): neighbouring seeds give unrelated streams.
  std::uint64_t z = base + 0x9e3779b97f4a7c15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

ThreadSchedule::ThreadSchedule(SchedulerKind kind, std::uint64_t run_seed, int thread_index)
    : kind_(kind),
      thread_index_(thread_index),
      rng_(derive_seed(run_seed, static_cast<std::uint64_t>(thread_index))) {}

YieldDecision ThreadSchedule::next_decision() {
  switch (kind_) {
    case SchedulerKind::kNone:
    case SchedulerKind::kWalk:  // controlled kinds never reach a ThreadSchedule
    case SchedulerKind::kPct:
    case SchedulerKind::kGil:
      return YieldDecision::kContinue;
    case SchedulerKind::kYield:
      return YieldDecision::kYield;
    case SchedulerKind::kRandom: {
      const double draw = unit_(rng_);
      if (draw < kSleepProbability) return YieldDecision::kSleep;
      if (draw < kSleepProbability + kYieldProbability) return YieldDecision::kYield;
      return YieldDecision::kContinue;
    }
  }
  return YieldDecision::kContinue;
}

void ThreadSchedule::at_yield_point() {
  switch (next_decision()) {
    case YieldDecision::kContinue:
      break;
    case YieldDecision::kYield:
      std::this_thread::yield();
      break;
    case YieldDecision::kSleep:
      std::this_thread::sleep_for(std::chrono::microseconds(kSleepMicroseconds));
      break;
  }
}

ScheduleScope::ScheduleScope(ThreadSchedule* schedule) : previous_(internal::t_yield_hook) {
  internal::t_yield_hook = schedule;
}

ScheduleScope::~ScheduleScope() { internal::t_yield_hook = previous_; }

}  // namespace hazardlab
