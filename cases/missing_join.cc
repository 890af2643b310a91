// Missing join: main reads the workers' results before they are done.
#include <array>
#include <thread>
#include <vector>

#include "harness/case.h"

namespace hazardlab {
namespace {

constexpr char kLesson[] = R"(Main starts four workers, each of which computes a result and stores it in
its own slot, and then main reads the slots. Starting a thread does not wait
for it: without a join, main reads whatever is there when it looks.

  1. main starts W1..W4
  2. main reads the four slots at once and announces "done"
  3. W3 and W4 are still computing; their slots are empty
  4. main joins them only afterwards (or never): the read was already made

The outcome is how many results main saw. ThreadSanitizer reports the read of
a slot that a worker is still writing, because nothing orders the two. The
fix is to wait before reading: join() every thread, or let std::jthread
join when its scope ends. A join is also what makes the worker's writes
visible to main.)";

constexpr int kWorkers = 4;
constexpr int kWork = 2'000;

// Some work with switch points, so a worker takes a while.
int compute(int index) {
  int sum = 0;
  for (int i = 0; i < kWork; ++i) {
    sum += i % (index + 2);
    yield_point();
  }
  return sum + 1;  // never 0: 0 marks an empty slot
}

int count_ready(const std::array<int, kWorkers>& results) {
  int ready = 0;
  for (int value : results) ready += value != 0 ? 1 : 0;
  return ready;
}

// Reads the slots right after starting the workers; joins only afterwards,
// so that no thread is left running when the run ends.
Outcome broken(Threads& threads) {
  std::array<int, kWorkers> results{};
  std::vector<std::thread> workers;
  for (int i = 0; i < kWorkers; ++i) {
    workers.emplace_back(threads.instrumented([&results, i] { results[i] = compute(i); }));
  }
  const int ready = count_ready(results);  // "done!" -- but are they?
  for (std::thread& worker : workers) join(worker);
  return ready;
}

// Join first, then read.
Outcome fixed(Threads& threads) {
  std::array<int, kWorkers> results{};
  std::vector<std::thread> workers;
  for (int i = 0; i < kWorkers; ++i) {
    workers.emplace_back(threads.instrumented([&results, i] { results[i] = compute(i); }));
  }
  if (essential("the joins")) {
    for (std::thread& worker : workers) join(worker);
  }
  return count_ready(results);
}

// std::jthread joins in its destructor: the scope ending is the wait.
Outcome fixed_jthread(Threads& threads) {
  std::array<int, kWorkers> results{};
  {
    std::vector<JThread> workers;
    for (int i = 0; i < kWorkers; ++i) {
      workers.emplace_back(threads.instrumented([&results, i] { results[i] = compute(i); }));
    }
  }
  return count_ready(results);
}

HAZARDLAB_CASE({
    .name = "missing_join",
    .title = "Results read before the threads finished",
    .order = 30,
    .notebook = "a program prints that it is done while its threads are still working, because it "
                "never waits for them",
    .lesson = kLesson,
    .outcome_meaning = "results seen by main",
    .outcomes = {acceptable(equals(kWorkers), "every result was there"),
                 forbidden(below(kWorkers), "main read before some workers had finished")},
    .variants = {{"broken", broken,
                  {sees(Detector::kDrd, report("Conflicting")),
                   sees(Detector::kHelgrind, report("Possible data race")),
                   misses(Detector::kThreadSafety, "a missing join is a question of lifetime, not "
                                                   "of a lock held at an access"),
                   pct_sees(forbidden_outcome()).within(4),
                   outcome_sees(forbidden_outcome()),
                   tsan_sees(report("data race")),
                   // clang 19 (tsan19 build, -O1 as tsan): 0 of 20 trials reported,
                   // every one with a forbidden outcome. Its object code of broken()
                   // has no 4-byte TSan read at all (clang 14's reads each slot),
                   // so main's early read of the slots is not instrumented.
                   misses(Detector::kTsan19, "clang 19 at -O1 compiles main's read of the std::array without "
                                             "a TSan read of the int slots: measured 0 of 20"),
                   misses(Detector::kAsan, "every slot is valid memory for the whole run: a read "
                                           "that comes too early is not a memory error"),
                   misses(Detector::kAbsl, "a read before the join: no lock is taken, so there is no lock order to "
                                           "check")}},
                 {"fixed", fixed, {}, mutant("the joins").caught_by(Detector::kOutcome, Detector::kTsan)},
                 {"fixed_jthread", fixed_jthread, {},
                  no_mutant("the join is each JThread's destructor, not one removable line")}},
});

}  // namespace
}  // namespace hazardlab
