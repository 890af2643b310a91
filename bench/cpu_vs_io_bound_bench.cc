// cpu_vs_io_bound: threads speed up waiting, and speed up computing only when
// nothing (such as a global interpreter lock) serializes the computation.
//
//   Sleep tasks (I/O-bound): 8 tasks of 5 ms, one after another vs on 8
//   threads, and on 8 threads that hold an emulated GIL except while they
//   sleep (CPython releases the GIL around blocking calls).
//   CPU tasks: a fixed amount of arithmetic split over 1, 2 and 4 threads,
//   freely and under the emulated GIL.
//
// Compare the wall times (real_time) within each group; items_per_second is
// tasks (sleep) or work units (CPU) per second of wall time. cores_used is
// the process's CPU time over the wall time: how many cores really computed
// at once. It shows the GIL's effect even on a busy machine, where other
// programs' load blurs the wall-time speed-up.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <mutex>
#include <thread>
#include <vector>

namespace hazardlab {
namespace {

constexpr int kSleepTasks = 8;
constexpr auto kSleep = std::chrono::milliseconds(5);
constexpr std::uint64_t kCpuWork = 16'000'000;  // xorshift rounds in all, split over the threads
constexpr std::uint64_t kSwitchEvery = 50'000;  // rounds between GIL switch points

// The same stand-in for CPython's GIL as in cases/gil_atomicity.cc: one
// std::mutex held while running, let go at switch points and around
// blocking calls.
class Gil {
 public:
  void enter() { mutex_.lock(); }
  void leave() { mutex_.unlock(); }
  void switch_point() {
    mutex_.unlock();
    mutex_.lock();
  }
  template <class Wait>
  void blocking(Wait wait) {
    mutex_.unlock();
    wait();
    mutex_.lock();
  }

 private:
  std::mutex mutex_;
};

// CPU-bound work: a chain of xorshift rounds, each depending on the last.
std::uint64_t crunch(std::uint64_t rounds, std::uint64_t x) {
  for (std::uint64_t i = 0; i < rounds; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
  }
  return x;
}

// Process CPU time and wall time over a benchmark's loop.
class CoreMeter {
 public:
  CoreMeter() : cpu_start_(process_cpu_seconds()), wall_start_(std::chrono::steady_clock::now()) {}
  // CPU seconds used per wall-clock second since construction.
  double cores_used() const {
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - wall_start_;
    return (process_cpu_seconds() - cpu_start_) / wall.count();
  }

 private:
  static double process_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
  }
  double cpu_start_;
  std::chrono::steady_clock::time_point wall_start_;
};

// Runs body(index) on `count` new threads and joins them.
template <class Body>
void on_threads(int count, Body body) {
  std::vector<std::thread> threads;
  for (int i = 0; i < count; ++i) threads.emplace_back(body, i);
  for (std::thread& t : threads) t.join();
}

void BM_SleepTasks_Sequential(benchmark::State& state) {
  for (auto _ : state) {
    for (int i = 0; i < kSleepTasks; ++i) std::this_thread::sleep_for(kSleep);
  }
  state.SetItemsProcessed(state.iterations() * kSleepTasks);
}

void BM_SleepTasks_Threads(benchmark::State& state) {
  for (auto _ : state) {
    on_threads(kSleepTasks, [](int) { std::this_thread::sleep_for(kSleep); });
  }
  state.SetItemsProcessed(state.iterations() * kSleepTasks);
}

void BM_SleepTasks_ThreadsUnderGil(benchmark::State& state) {
  Gil gil;
  for (auto _ : state) {
    on_threads(kSleepTasks, [&gil](int) {
      gil.enter();
      gil.blocking([] { std::this_thread::sleep_for(kSleep); });
      gil.leave();
    });
  }
  state.SetItemsProcessed(state.iterations() * kSleepTasks);
}

void BM_CpuWork_Threads(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  const CoreMeter meter;
  for (auto _ : state) {
    on_threads(threads, [threads](int index) {
      benchmark::DoNotOptimize(crunch(kCpuWork / threads, index + 1));
    });
  }
  state.counters["cores_used"] = meter.cores_used();
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kCpuWork));
}

void BM_CpuWork_ThreadsUnderGil(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  Gil gil;
  const CoreMeter meter;
  for (auto _ : state) {
    on_threads(threads, [threads, &gil](int index) {
      std::uint64_t x = index + 1;
      gil.enter();
      for (std::uint64_t done = 0; done < kCpuWork / threads; done += kSwitchEvery) {
        x = crunch(kSwitchEvery, x);
        gil.switch_point();
      }
      gil.leave();
      benchmark::DoNotOptimize(x);
    });
  }
  state.counters["cores_used"] = meter.cores_used();
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kCpuWork));
}

// Wall time is what a user waits for: real time, not the main thread's CPU.
BENCHMARK(BM_SleepTasks_Sequential)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(0.5);
BENCHMARK(BM_SleepTasks_Threads)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(0.5);
BENCHMARK(BM_SleepTasks_ThreadsUnderGil)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(0.5);
BENCHMARK(BM_CpuWork_Threads)->Arg(1)->Arg(2)->Arg(4)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(0.5);
BENCHMARK(BM_CpuWork_ThreadsUnderGil)
    ->Arg(1)->Arg(2)->Arg(4)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(0.5);

}  // namespace
}  // namespace hazardlab

BENCHMARK_MAIN();
