// Unsynchronized append: threads push their results into one std::vector.
#include <mutex>
#include <vector>

#include "harness/case.h"

namespace hazardlab {
namespace {

constexpr char kLesson[] = R"(Collecting results into one list from several threads is a habit from
Python, where list.append happens to be a single step under the GIL. A
std::vector promises nothing of the kind: push_back reads the end pointer,
writes the element there, and moves the end pointer on; when the storage is
full it allocates a bigger block, moves the elements over and frees the old
block. Two threads doing that at once interleave all of those steps:

  1. T1 and T2 both read the end pointer: slot 41
  2. both write their result into slot 41 (one result overwrites the other)
  3. both store end = slot 42: one result is gone and the size is one short

  or, when the storage is full:
  1. T1 finds the vector full, allocates a bigger block, copies the elements
  2. T2 has already read the old block's address and is about to write
  3. T1 frees the old block and points the vector at the new one
  4. T2 writes its result into the freed block: a use after free, and the
     result is lost; if T2 was growing the vector too, the old block is
     freed twice

The outcome is the vector's size and how many distinct results it holds;
both must equal the number of pushes. A run may also simply crash inside
the allocator. ThreadSanitizer reports the racing accesses to the vector's
pointers; AddressSanitizer sees writes into, and frees of, storage that
another thread has already freed.

The fixes: let one thread at a time append, under a mutex (`fixed`); or
share nothing while working: give every thread its own vector, set up
before the threads start, and let main concatenate them after the join
(`fixed_slots`).)";

constexpr int kThreads = 4;
constexpr int kPushes = 5'000;
constexpr int kExpected = kThreads * kPushes;

// The result that thread `index` produces in its round `i`: unique.
int result_of(int index, int i) { return index * kPushes + i; }

// {size, distinct results present}. A size beyond the pushes made means the
// vector's pointers are corrupt: its contents are not read then.
Outcome tally(const std::vector<int>& results) {
  const auto size = static_cast<std::int64_t>(results.size());
  if (size < 0 || size > kExpected) return {size, -1};
  std::vector<bool> present(kExpected, false);
  std::int64_t distinct = 0;
  for (int value : results) {
    if (value >= 0 && value < kExpected && !present[value]) {
      present[value] = true;
      ++distinct;
    }
  }
  return {size, distinct};
}

// Every thread appends to the one shared vector with no coordination.
Outcome broken(Threads& threads) {
  std::vector<int> results;
  threads.run(kThreads, [&](int index) {
    for (int i = 0; i < kPushes; ++i) {
      results.push_back(result_of(index, i));
      yield_point();
    }
  });
  return tally(results);
}

// One appender at a time: each push_back sees the vector as the previous one
// left it, growth included.
// ABSL_GUARDED_BY states the rule, so the compiler checks every access (the
// thread-safety build).
Outcome fixed(Threads& threads) {
  struct Results {
    Mutex mutex;
    std::vector<int> values ABSL_GUARDED_BY(mutex);
    // Read once every thread is joined: nothing is left to race with.
    const std::vector<int>& after_join() const ABSL_NO_THREAD_SAFETY_ANALYSIS { return values; }
  } results;
  threads.run(kThreads, [&](int index) {
    for (int i = 0; i < kPushes; ++i) {
      {
        EssentialLock lock(results.mutex, "the lock");
        results.values.push_back(result_of(index, i));
      }
      yield_point();
    }
  });
  return tally(results.after_join());
}

// One vector per thread, created before they start (the outer vector never
// grows while they run): each thread touches only its own. The join orders
// their writes before main's merge.
Outcome fixed_slots(Threads& threads) {
  std::vector<std::vector<int>> slots(kThreads);
  threads.run(kThreads, [&](int index) {
    std::vector<int>& mine = slots[index];
    for (int i = 0; i < kPushes; ++i) {
      mine.push_back(result_of(index, i));
      yield_point();
    }
  });
  std::vector<int> results;
  for (const std::vector<int>& slot : slots) results.insert(results.end(), slot.begin(), slot.end());
  return tally(results);
}

HAZARDLAB_CASE({
    .name = "unsynchronized_append",
    .title = "Threads appending to one std::vector",
    .order = 50,
    .notebook = "worker threads append their results to one shared list, which looks safe in Python "
                "because list.append is one step under the GIL",
    .lesson = kLesson,
    .outcome_meaning = "size, distinct results",
    .outcomes = {acceptable(equals({kExpected, kExpected}), "every result arrived exactly once"),
                 forbidden(anything_else(), "results were lost, or the vector's pointers were torn")},
    .variants = {{"broken", broken,
                  {sees(Detector::kDrd, report("Conflicting")),
                   sees(Detector::kHelgrind, report("Possible data race")),
                   misses(Detector::kThreadSafety, "no lock at all: the analysis checks the "
                                                   "locking contract the code states "
                                                   "(ABSL_GUARDED_BY), and this code states none, "
                                                   "so there is nothing to break"),
                   pct_misses("the race is inside std::vector::push_back, where there is no yield point: with "
                              "one thread running at a time every push_back runs whole"),
                   // A torn reallocation also ends in glibc's heap checks aborting ("double
                   // free or corruption (out)"), or a segfault (measured: 36 and 2 of 60 trials).
                   outcome_sees(forbidden_outcome(), terminates("SIGABRT"), terminates("SIGSEGV")).within(30),
                   // TSan may also catch the torn growth itself, as a use after free.
                   tsan_sees(report("data race"), report("heap-use-after-free")),
                   // Which memory error shows depends on where the threads collide:
                   // a write into, or a second free of, a block another thread freed
                   // while growing the vector; a block orphaned by two growths at once.
                   asan_sees(report("heap-use-after-free"), report("double-free"),
                             report("heap-buffer-overflow"), report("SEGV"),
                             report("detected memory leaks"))
                       .within(40),
                   // absl: Abseil reports nothing (no lock is taken, so no lock order); the
                   // run shows what every native build shows (30 of 30 crashed).
                   sees(Detector::kAbsl, forbidden_outcome(), terminates("SIGSEGV"), terminates("SIGABRT"))
                       .because("not Abseil's: the outcome check and the native crash; no lock is taken, "
                                "so there is no lock order to check")}},
                 {"fixed", fixed, {}, mutant("the lock").caught_by(Detector::kOutcome)},
                 {"fixed_slots", fixed_slots, {},
                  no_mutant("the fix is one vector per thread, not one removable line")}},
});

}  // namespace
}  // namespace hazardlab
