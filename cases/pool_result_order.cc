// Pool results paired with their inputs by completion order instead of submission order.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <mutex>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "harness/case.h"

namespace hazardlab {
namespace {

constexpr char kLesson[] = R"(A pool of four worker threads squares eight numbers. Each task takes a
different, unpredictable time. The program then pairs every input with its
result. If it takes the results in the order they *finished* (what Python's
as_completed yields) but pairs them with the inputs in the order they were
*submitted* (what executor.map promises), the pairs are wrong whenever a
later task finishes before an earlier one:

  1. Tasks 0..3 start on the four workers; task 0 is slow, task 1 is quick
  2. Task 1 finishes first: its result (1) is the first to arrive
  3. Task 0 finishes later: its result (0) arrives second
  4. The program pairs input 0 with the first result to arrive (1) and input 1
     with the second (0): both pairs are wrong, and nothing crashes

No memory is shared without a lock here: the list of finished results is
guarded by a mutex, so ThreadSanitizer has no data race to report and
AddressSanitizer no bad access. The bug is in the logic: it assumed an order
that concurrency does not give.

The fixes keep each result tied to its input. `fixed` keeps one future per
task in submission order (std::packaged_task; the same promise as
executor.map): reading the futures in that order gives the results in
input order, whatever order they finished in. `fixed_tagged` keeps the
completion order but sends each result together with its input, as a dict
from future to input does with as_completed.)";

constexpr int kTasks = 8;
constexpr int kWorkers = 4;

// Each task's duration, drawn from the run's seed: unpredictable from run to
// run, the same when a run is replayed.
std::vector<int> task_durations_us(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> duration(50, 1'500);
  std::vector<int> durations;
  for (int i = 0; i < kTasks; ++i) durations.push_back(duration(rng));
  return durations;
}

// The task: takes its time, then squares its input.
int square_slowly(int input, int duration_us) {
  sleep_for(std::chrono::microseconds(duration_us));
  yield_point();
  return input * input;
}

// A minimal pool: kWorkers threads take the tasks in submission order, each
// the next one not yet taken, and run it.
template <class Task>
void run_pool(Threads& threads, std::vector<Task>& tasks) {
  std::atomic<int> next = 0;
  threads.run(kWorkers, [&](int) {
    for (int i = next.fetch_add(1); i < static_cast<int>(tasks.size()); i = next.fetch_add(1)) tasks[i]();
  });
}

// Results arrive in completion order, and the i-th one to arrive is paired
// with the i-th input.
Outcome broken(Threads& threads) {
  const std::vector<int> durations = task_durations_us(threads.seed());
  Mutex finished_mutex;
  std::vector<int> finished;  // results, in the order the tasks finished
  std::vector<std::function<void()>> tasks;
  for (int input = 0; input < kTasks; ++input) {
    tasks.push_back([&, input] {
      const int result = square_slowly(input, durations[input]);
      std::lock_guard lock(finished_mutex);
      finished.push_back(result);
    });
  }
  run_pool(threads, tasks);
  int mismatched = 0;
  for (int input = 0; input < kTasks; ++input) {
    if (finished[input] != input * input) ++mismatched;  // "result of input" -- or of another one?
  }
  return mismatched;
}

// One future per task, kept in submission order: the i-th future belongs to
// the i-th input, whenever its task finished.
Outcome fixed(Threads& threads) {
  const std::vector<int> durations = task_durations_us(threads.seed());
  std::vector<std::packaged_task<int()>> tasks;
  std::vector<std::future<int>> futures;
  for (int input = 0; input < kTasks; ++input) {
    tasks.emplace_back([&durations, input] { return square_slowly(input, durations[input]); });
    futures.push_back(tasks.back().get_future());
  }
  run_pool(threads, tasks);
  int mismatched = 0;
  for (int input = 0; input < kTasks; ++input) {
    if (futures[input].get() != input * input) ++mismatched;
  }
  return mismatched;
}

// Completion order is kept, but every result travels with its input.
Outcome fixed_tagged(Threads& threads) {
  const std::vector<int> durations = task_durations_us(threads.seed());
  Mutex finished_mutex;
  std::vector<std::pair<int, int>> finished;  // (input, result), in completion order
  std::vector<std::function<void()>> tasks;
  for (int input = 0; input < kTasks; ++input) {
    tasks.push_back([&, input] {
      const int result = square_slowly(input, durations[input]);
      std::lock_guard lock(finished_mutex);
      finished.emplace_back(input, result);
    });
  }
  run_pool(threads, tasks);
  int mismatched = 0;
  for (const auto& [input, result] : finished) {
    if (result != input * input) ++mismatched;
  }
  return mismatched;
}

HAZARDLAB_CASE({
    .name = "pool_result_order",
    .title = "Pool results paired by completion order",
    .order = 180,
    .notebook = "a thread pool's map returns results in the order of the inputs, while as_completed "
                "yields them as they finish: mixing the two mispairs results and inputs",
    .lesson = kLesson,
    .outcome_meaning = "inputs paired with a result that is not theirs",
    .outcomes = {acceptable(equals(0), "every input was paired with its own result"),
                 forbidden(above(0), "results were paired with the wrong inputs")},
    .variants = {{"broken", broken,
                  {misses(Detector::kDrd, "the list of finished results is guarded by a mutex: the order "
                       "is wrong, but no access races (0 of 5 trials)"),
                   misses(Detector::kHelgrind, "the list of finished results is guarded by a mutex: the order "
                       "is wrong, but no access races (0 of 5 trials)"),
                   misses(Detector::kThreadSafety, "the results are collected under their lock; "
                                                   "the hazard is the order they arrive in, which "
                                                   "no annotation states"),
                   pct_sees(forbidden_outcome()).within(5),
                   gil_misses("gil has no clock and switches round robin: the tasks finish in the "
                              "order they were handed out, so completion order is submission order"),
                   outcome_sees(forbidden_outcome()),
                   misses(Detector::kTsan, "the list of finished results is guarded by a mutex: the "
                                           "order is wrong, but no access races"),
                   misses(Detector::kAsan, "every access is to valid memory: the results are only "
                                           "paired wrongly"),
                   misses(Detector::kAbsl, "results paired by completion order: one lock at a time (the results'), so "
                                           "no lock-order cycle")}},
                 {"fixed", fixed, {},
                  no_mutant("the fix is how results are paired (one future per input), not one removable line")},
                 {"fixed_tagged", fixed_tagged, {},
                  no_mutant("the fix is the input carried with each result, not one removable line")}},
});

}  // namespace
}  // namespace hazardlab
