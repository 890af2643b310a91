// The cost of a yield point: with no scheduler installed (what every case
// pays when no stress scheduler runs) against an empty loop with the same
// compiler barrier, and under each stress scheduler.
#include <benchmark/benchmark.h>

#include "harness/schedule/scheduler.h"
#include "harness/schedule/yield_point.h"

namespace hazardlab {
namespace {

void BM_EmptyLoopWithBarrier(benchmark::State& state) {
  for (auto _ : state) asm volatile("" ::: "memory");
}
BENCHMARK(BM_EmptyLoopWithBarrier);

void BM_YieldPointNoScheduler(benchmark::State& state) {
  for (auto _ : state) yield_point();
}
BENCHMARK(BM_YieldPointNoScheduler);

void BM_YieldPointRandomScheduler(benchmark::State& state) {
  ThreadSchedule schedule(SchedulerKind::kRandom, 1, 0);
  ScheduleScope scope(&schedule);
  for (auto _ : state) yield_point();
}
BENCHMARK(BM_YieldPointRandomScheduler);

void BM_YieldPointYieldScheduler(benchmark::State& state) {
  ThreadSchedule schedule(SchedulerKind::kYield, 1, 0);
  ScheduleScope scope(&schedule);
  for (auto _ : state) yield_point();
}
BENCHMARK(BM_YieldPointYieldScheduler);

}  // namespace
}  // namespace hazardlab

BENCHMARK_MAIN();
