// Detached daemon: a background thread outlives the function whose state it uses.
#include <chrono>
#include <cstdint>
#include <stop_token>
#include <thread>

#include "harness/case.h"

namespace hazardlab {
namespace {

constexpr char kLesson[] = R"(Python's daemon threads are background helpers (a heartbeat, a progress
reporter) that nobody joins: when the program ends, they are stopped with
it. The C++ look-alike is a detached std::thread, and it is stopped by
nothing at all: not when the program ends its work, and not when the
function that started it returns. If the thread uses that function's local
state, it keeps using it after the state is gone.

  1. work_with_daemon() has a local `beats` counter and starts a heartbeat
     thread that adds to it every 50 microseconds; it detaches the thread
  2. work_with_daemon() returns: its stack frame, `beats` included, is free
  3. the caller calls the next function from the same place; its frame
     lands on the same stack memory, and it fills its own locals
  4. the heartbeat, still running, adds 1 to "beats": it writes into the
     new function's variables, which change under its feet

The outcome is how many words of that next frame changed while it looked
at them: the damage done by a thread that outlived its data. ThreadSanitizer
reports the heartbeat's writes and the new frame's accesses to the same
stack memory as a data race: nothing orders them. AddressSanitizer keeps a
returned frame poisoned (detect_stack_use_after_return) and reports the
heartbeat's first write after the return as stack-use-after-return.

The fix is to tie the thread's life to the state it uses: a std::jthread
declared in the same scope as `beats`, whose loop asks its stop_token
whether to go on. Leaving the scope destroys the jthread, which requests a
stop and then joins: the heartbeat finishes its last beat and exits before
`beats` goes away, every time, on every path out of the function.)";

constexpr auto kBeatInterval = std::chrono::microseconds(50);
// The detached heartbeat beats this often, then ends (a real daemon would
// loop forever and be killed when the process exits).
constexpr int kBeats = 100;
// How long the next function watches its frame: much longer than the
// heartbeat lives, so that a heartbeat started late is still seen.
constexpr auto kWatch = std::chrono::milliseconds(20);
constexpr std::uint32_t kPattern = 0x5A5A5A5A;
constexpr int kWords = 64;

// Starts a heartbeat that counts into a local, detaches it and returns.
[[gnu::noinline]] void work_with_daemon(Threads& threads) {
  int beats = 0;
  std::thread heartbeat(threads.instrumented([&beats] {
    for (int i = 0; i < kBeats; ++i) {
      ++beats;  // after work_with_daemon() returned: someone else's memory
      yield_point();
      sleep_for(kBeatInterval);
    }
  }));
  heartbeat.detach();
  sleep_for(kBeatInterval);  // the function's own work
}  // `beats` ends here; the heartbeat does not

// The same, with a std::jthread that is asked to stop and joined when the
// scope ends.
[[gnu::noinline]] void work_with_joined_heartbeat(Threads& threads) {
  int beats = 0;
  JThread heartbeat(threads.instrumented([&beats](std::stop_token stop) {
    while (!stop.stop_requested()) {
      ++beats;
      yield_point();
      sleep_for(kBeatInterval);
    }
  }));
  sleep_for(kBeatInterval);  // the function's own work
}  // ~jthread: request_stop(), then join(); only then does `beats` end

// Called right after, from the same place, so that its frame reuses the
// stack memory of the function that just returned. Fills its locals with a
// pattern, watches them, and counts the words that someone else changed.
[[gnu::noinline]] int words_changed_in_next_frame() {
  volatile std::uint32_t fresh[kWords];
  for (int i = 0; i < kWords; ++i) fresh[i] = kPattern;
  sleep_for(kWatch);
  int changed = 0;
  for (int i = 0; i < kWords; ++i) changed += fresh[i] != kPattern ? 1 : 0;
  return changed;
}

// The heartbeat is detached: nothing stops it when its state goes away.
Outcome broken(Threads& threads) {
  work_with_daemon(threads);
  return words_changed_in_next_frame();
}

// The heartbeat is a jthread in the state's own scope: stopped and joined
// before the state ends.
Outcome fixed(Threads& threads) {
  work_with_joined_heartbeat(threads);
  return words_changed_in_next_frame();
}

HAZARDLAB_CASE({
    .name = "detached_daemon",
    .title = "A detached thread outlives the state it uses",
    .order = 70,
    .notebook = "daemon threads run in the background and are simply stopped when the program ends; "
                "nobody waits for them",
    .lesson = kLesson,
    .outcome_meaning = "words of the next stack frame changed by someone else",
    .outcomes = {acceptable(equals(0), "the next frame was left alone"),
                 forbidden(above(0), "a thread wrote into a frame after its function had returned")},
    .variants = {{"broken", broken,
                  {sees(Detector::kDrd, report("Conflicting")),
                   sees(Detector::kHelgrind, report("Possible data race")),
                   misses(Detector::kThreadSafety, "a thread outliving main's locals is a question "
                                                   "of lifetime (detach), not of a lock held at an "
                                                   "access"),
                   pct_sees(forbidden_outcome()).within(13),
                   outcome_sees(forbidden_outcome()),
                   tsan_sees(report("data race")),
                   // tsan19 as tsan. GCC's libtsan reports no race on the dead
                   // frame: 0 of 200 trials (tsan-gcc build, idle). On a loaded
                   // machine its runtime can die at exit while the heartbeat
                   // still beats (a SEGV with no frame, about 1 trial in 8
                   // beside two busy loops, never idle): the tool's trouble,
                   // not a sight of the hazard, and kept visible as such.
                   misses(Detector::kTsanGcc, "GCC 12's libtsan reports no race on a write into a frame "
                                              "whose function has returned (0 of 200 trials)"),
                   asan_sees(report("stack-use-after-return")),
                   // absl: Abseil reports nothing (no lock is taken); the run shows what
                   // every native build shows, the outcome (30 of 30 forbidden) and at
                   // times a crash (SIGSEGV in 1 of 40 trials), so that is declared.
                   sees(Detector::kAbsl, forbidden_outcome(), terminates("SIGSEGV"))
                       .because("not Abseil's: no lock is taken, so no lock order; the outcome check "
                                "and the native crash of a write into a dead frame")}},
                 {"fixed", fixed, {},
                  no_mutant("the join is the JThread's destructor; without it the code is the broken variant")}},
    // A run takes ~25 ms; a heartbeat still beating when the process exits can
    // (rarely) wedge the sanitizer's exit path: end such a run quickly.
    .deadline = std::chrono::milliseconds(2000),
});

}  // namespace
}  // namespace hazardlab
