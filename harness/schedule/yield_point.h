#pragma once

namespace hazardlab {

// What a thread does at its yield points when a scheduler acts on it: a
// stress schedule (yield or sleep now and then) or a controlled run (a step
// at which the strategy picks who runs next). One hook per thread, so that a
// yield point with no scheduler costs one thread-local load and a branch.
class YieldHook {
 public:
  virtual void at_yield_point() = 0;

 protected:
  ~YieldHook() = default;
};

namespace internal {
// The calling thread's hook; null when no scheduler acts on it. Set by
// ScheduleScope (stress schedulers) and by the controller (controlled runs).
extern constinit thread_local YieldHook* t_yield_hook;
}  // namespace internal

// Marks the place in case code where a thread switch exposes the hazard: the
// notebooks' `time.sleep(0)` between a read and a write.
//
// With no scheduler active it costs a thread-local load and a branch
// (measured in bench/yield_point_bench.cc). It is also a compiler barrier: a
// racy read-modify-write written around it cannot be folded into a single
// load and store, so the race stays real at -O2.
inline void yield_point() noexcept {
  asm volatile("" ::: "memory");
  if (YieldHook* hook = internal::t_yield_hook) [[unlikely]] {
    hook->at_yield_point();
  }
  asm volatile("" ::: "memory");
}

}  // namespace hazardlab
