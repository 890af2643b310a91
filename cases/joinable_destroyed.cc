// A std::thread destroyed while still joinable ends the program.
#include <thread>

#include "harness/case.h"

namespace hazardlab {
namespace {

constexpr char kLesson[] = R"(In Python a thread nobody joins just keeps running. C++ refuses to guess:
destroying a std::thread object that still owns a running (joinable)
thread calls std::terminate, and the whole program ends.

  1. main creates std::thread worker(...)
  2. main leaves the scope (returns, or an exception unwinds) without join()
  3. ~thread() sees joinable() == true and calls std::terminate()
  4. "terminate called without an active exception", SIGABRT

The evidence is the termination itself, under every detector. The fix is
to decide before the scope ends: join() (wait for it) or use std::jthread,
whose destructor joins. detach() also avoids the terminate, but trades it
for the hazards of the detached_daemon case.)";

constexpr int kAnswer = 42;

// The worker is never joined: leaving the scope destroys a joinable thread.
Outcome broken(Threads& threads) {
  int result = 0;
  {
    std::thread worker(threads.instrumented([&result] {
      yield_point();
      result = kAnswer;
    }));
  }  // ~thread() on a joinable thread: std::terminate
  return result;
}

// Joined before the scope ends.
Outcome fixed(Threads& threads) {
  int result = 0;
  {
    std::thread worker(threads.instrumented([&result] {
      yield_point();
      result = kAnswer;
    }));
    if (essential("the join")) join(worker);
  }
  return result;
}

HAZARDLAB_CASE({
    .name = "joinable_destroyed",
    .title = "A joinable std::thread destroyed: std::terminate",
    .order = 40,
    .notebook = "threads that are never joined (a C++ twist: here the program does not wait, it dies)",
    .lesson = kLesson,
    .outcome_meaning = "worker result",
    .outcomes = {acceptable(equals(kAnswer), "the worker ran and was joined")},
    .variants = {{"broken", broken,
                  {sees(Detector::kDrd, terminates("terminate called without an active exception")),
                   sees(Detector::kHelgrind, terminates("terminate called without an active exception")),
                   misses(Detector::kThreadSafety, "a destroyed joinable thread is a question of "
                                                   "lifetime, not of a lock held at an access"),
                   pct_sees(terminates("terminate called without an active exception")).within(4),
                   outcome_sees(terminates("terminate called without an active exception")),
                   tsan_sees(terminates("terminate called without an active exception")),
                   asan_sees(terminates("terminate called without an active exception")),
                   sees(Detector::kAbsl, terminates("terminate called without an active exception"))
                       .because("the C++ runtime's, as in every native build: no lock is involved (30 of 30)")}},
                 {"fixed", fixed, {}, mutant("the join").caught_by(Detector::kOutcome, Detector::kTsan)}},
});

}  // namespace
}  // namespace hazardlab
