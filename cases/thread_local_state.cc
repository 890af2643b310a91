// Thread-local state: a "per thread" scratch buffer that is really one
// buffer shared by every thread.
#include <array>

#include "harness/case.h"

namespace hazardlab {
namespace {

constexpr char kLesson[] = R"(Python's threading.local gives each thread its own copy of an attribute:
the same name, a different object per thread. Code written without it keeps
its working state in one shared place and only looks per-thread because it
was written and tested with one thread. In C++ the usual culprit is a
static scratch buffer, kept to avoid setting one up on every call: static
storage exists once for the whole program, not once per thread.

Four threads each fill the scratch buffer with their own mark, are
switched out, and then read the buffer back to use what they wrote:

  1. T1 fills the scratch buffer with its mark
  2. T1 is switched out at the yield point
  3. T2 fills the same buffer with its mark
  4. T1 resumes and reads T2's data as if it were its own

The outcome is how many times a thread read back data that was not its
own. ThreadSanitizer reports the unordered writes and reads of the buffer.

The fix gives each thread its own buffer: `thread_local` storage exists
once per thread, created on the thread's first use and destroyed when the
thread ends, exactly like an attribute of threading.local (`fixed`). When
the state need not outlive one call, a plain local variable is simpler
still: every call has its own (`fixed_local`).)";

constexpr int kThreads = 4;
constexpr int kRounds = 2'000;
constexpr int kScratchSize = 16;

using Scratch = std::array<int, kScratchSize>;

// A mark no other thread or round uses.
int mark_of(int index, int round) { return index * kRounds + round + 1; }

// True if every cell still holds `mark`.
bool holds_only(const Scratch& scratch, int mark) {
  for (int cell : scratch) {
    if (cell != mark) return false;
  }
  return true;
}

int total(const std::array<int, kThreads>& counts) {
  int sum = 0;
  for (int count : counts) sum += count;
  return sum;
}

// Meant as "my scratch space"; static storage makes it one buffer that
// every thread fills and reads.
Outcome broken(Threads& threads) {
  static Scratch scratch;
  std::array<int, kThreads> foreign{};
  threads.run(kThreads, [&](int index) {
    for (int round = 0; round < kRounds; ++round) {
      const int mark = mark_of(index, round);
      scratch.fill(mark);
      yield_point();
      if (!holds_only(scratch, mark)) ++foreign[index];
    }
  });
  return total(foreign);
}

// thread_local: the same name, one buffer per thread. Each thread's buffer
// lives as long as the thread and is seen by no other thread.
Outcome fixed(Threads& threads) {
  thread_local Scratch scratch;
  std::array<int, kThreads> foreign{};
  threads.run(kThreads, [&](int index) {
    for (int round = 0; round < kRounds; ++round) {
      const int mark = mark_of(index, round);
      scratch.fill(mark);
      yield_point();
      if (!holds_only(scratch, mark)) ++foreign[index];
    }
  });
  return total(foreign);
}

// Scratch space that only one call needs: a local variable, one per call.
Outcome fixed_local(Threads& threads) {
  std::array<int, kThreads> foreign{};
  threads.run(kThreads, [&](int index) {
    for (int round = 0; round < kRounds; ++round) {
      Scratch scratch;
      const int mark = mark_of(index, round);
      scratch.fill(mark);
      yield_point();
      if (!holds_only(scratch, mark)) ++foreign[index];
    }
  });
  return total(foreign);
}

HAZARDLAB_CASE({
    .name = "thread_local_state",
    .title = "A per-thread scratch buffer that every thread shares",
    .order = 140,
    .notebook = "threading.local: each thread keeps its own value under one shared name",
    .lesson = kLesson,
    .outcome_meaning = "reads of another thread's data",
    .outcomes = {acceptable(equals(0), "every thread read back only what it wrote"),
                 forbidden(above(0), "a thread read another thread's data as its own")},
    .variants = {{"broken", broken,
                  {sees(Detector::kDrd, report("Conflicting")),
                   sees(Detector::kHelgrind, report("Possible data race")),
                   misses(Detector::kThreadSafety, "state shared where it should be per thread: no "
                                                   "lock is involved, so there is nothing to check"),
                   pct_sees(forbidden_outcome()).within(6),
                   outcome_sees(forbidden_outcome()),
                   tsan_sees(report("data race")),
                   misses(Detector::kAsan, "the shared buffer is valid memory for the whole run: "
                                           "reading the wrong thread's data is not a memory error"),
                   misses(Detector::kAbsl, "one buffer shared where each thread needs its own: no lock order "
                                           "involved")}},
                 {"fixed", fixed, {},
                  no_mutant("the fix is a storage duration (thread_local), not one removable line")},
                 {"fixed_local", fixed_local, {},
                  no_mutant("the fix is where the scratch lives (a local), not one removable line")}},
});

}  // namespace
}  // namespace hazardlab
