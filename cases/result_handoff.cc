// Result handoff: a worker passes each result back through a plain variable
// and a plain "ready" flag that the reader polls.
#include <atomic>
#include <future>
#include <vector>

#include "harness/case.h"

namespace hazardlab {
namespace {

constexpr char kLesson[] = R"(A Python thread has no return value, so its result is usually left in a
shared variable for someone else to pick up, and a second variable says
when it is there. In C++ the same pair, a plain int and a plain bool, is a
handoff with nothing holding its two halves together. Here a worker runs
100 jobs and hands each result to a reader that polls the job's flag.
The flag goes up inside the job, when the work is done; the result is
stored by the caller, one step later:

  1. the worker finishes job 17 and raises its ready flag
  2. the worker is switched out before the caller stores the result
  3. the reader sees the flag, takes the result: still 0, stale
  4. the worker resumes and stores the real result, which nobody reads

Putting the two stores in the right order does not make the plain version
correct. Nothing orders a plain store against a plain load in another
thread: the compiler may move the stores, or read the flag once and spin
forever; weaker processors reorder the stores themselves. ThreadSanitizer
reports the race on the flag and the result in every run, stale or not.

The fix hands over the value and its readiness as one thing: a
std::promise that the worker fulfils with set_value, and a std::future
whose get() waits for it and returns it (`fixed`). set_value happens
before get() returns, so the value read is the value stored. If a flag is
wanted, it must be atomic and raised after the value is stored, with a
release store that the reader's acquire load pairs with
(`fixed_atomic_flag`).)";

constexpr int kJobs = 100;
constexpr int kSteps = 4;

// A job's work, with switch points; its result is never 0.
int compute(int job) {
  int sum = 1;
  for (int step = 0; step < kSteps; ++step) {
    sum += job + step;
    yield_point();
  }
  return sum;
}

int expected(int job) { return 1 + kSteps * job + kSteps * (kSteps - 1) / 2; }

struct Handoff {
  int result = 0;
  bool ready = false;
};

// Announces "done" from inside the job; the caller stores the value only
// after this returns.
int run_job(int job, bool& ready) {
  const int value = compute(job);
  ready = true;
  yield_point();
  return value;
}

// The reader trusts the flag; the flag goes up before the value is stored.
Outcome broken(Threads& threads) {
  std::vector<Handoff> handoffs(kJobs);
  int stale = 0;
  threads.run(2, [&](int index) {
    if (index == 0) {
      for (int job = 0; job < kJobs; ++job) handoffs[job].result = run_job(job, handoffs[job].ready);
    } else {
      for (int job = 0; job < kJobs; ++job) {
        while (!handoffs[job].ready) spin_point();
        if (handoffs[job].result != expected(job)) ++stale;
      }
    }
  });
  return stale;
}

// One promise per job: set_value stores the result and makes it ready in
// one step, and get() waits for exactly that.
Outcome fixed(Threads& threads) {
  std::vector<Promise<int>> promises(kJobs);
  std::vector<Future<int>> futures;
  for (Promise<int>& promise : promises) futures.push_back(promise.get_future());
  int stale = 0;
  threads.run(2, [&](int index) {
    if (index == 0) {
      for (int job = 0; job < kJobs; ++job) promises[job].set_value(compute(job));
    } else {
      for (int job = 0; job < kJobs; ++job) {
        if (futures[job].get() != expected(job)) ++stale;
      }
    }
  });
  return stale;
}

struct AtomicHandoff {
  int result = 0;
  std::atomic<bool> ready = false;
};

// Value first, then an atomic flag with release: a reader whose acquire
// load sees the flag also sees everything stored before it.
Outcome fixed_atomic_flag(Threads& threads) {
  std::vector<AtomicHandoff> handoffs(kJobs);
  int stale = 0;
  threads.run(2, [&](int index) {
    if (index == 0) {
      for (int job = 0; job < kJobs; ++job) {
        handoffs[job].result = compute(job);
        handoffs[job].ready.store(true, essential(std::memory_order_release, "release/acquire"));
      }
    } else {
      for (int job = 0; job < kJobs; ++job) {
        while (!handoffs[job].ready.load(essential(std::memory_order_acquire, "release/acquire"))) spin_point();
        if (handoffs[job].result != expected(job)) ++stale;
      }
    }
  });
  return stale;
}

HAZARDLAB_CASE({
    .name = "result_handoff",
    .title = "A result handed over through a plain variable and flag",
    .order = 60,
    .notebook = "a thread cannot return a value, so it leaves its result in a shared variable for the "
                "main program to collect",
    .lesson = kLesson,
    .outcome_meaning = "stale results taken",
    .outcomes = {acceptable(equals(0), "every result was read after it was stored"),
                 forbidden(above(0), "the reader took a result before it was stored")},
    .variants = {{"broken", broken,
                  {sees(Detector::kDrd, report("Conflicting")),
                   sees(Detector::kHelgrind, report("Possible data race")),
                   misses(Detector::kThreadSafety, "an atomic flag and memory orders, no lock: the "
                                                   "analysis reasons about capabilities (locks) "
                                                   "only"),
                   pct_sees(forbidden_outcome()).within(4),
                   outcome_sees(forbidden_outcome()),
                   tsan_sees(report("data race")),
                   misses(Detector::kAsan, "a stale result is an old value in valid memory, not a "
                                           "memory error"),
                   misses(Detector::kAbsl, "an unsynchronized handoff: no lock is taken, so there is no lock order to "
                                           "check")}},
                 {"fixed", fixed, {false_alarm(Detector::kDrd, report("Conflicting").in("fixed", "compute", "operator()"),
                                       "std::promise and std::future hand the value over through an atomic and a futex inside "
                                       "libstdc++, no pthread call: DRD cannot see set_value happen before get (3 of 3 trials; "
                                       "its report also names the other thread's segment, in compute)"),
                                   false_alarm(Detector::kHelgrind, report("Possible data race").in("fixed", "operator()"),
                                       "std::promise and std::future hand the value over through an atomic and a futex inside "
                                       "libstdc++, no pthread call: Helgrind cannot see set_value happen before get (5 of 5 trials)")},
                  no_mutant("the promise and future are the fix, not one removable line")},
                 {"fixed_atomic_flag", fixed_atomic_flag, {false_alarm(Detector::kDrd, report("Conflicting").in("fixed_atomic_flag", "compute", "operator()"),
                                                               "DRD knows pthread synchronization, not C++ atomics: the release store and the acquire "
                                                               "load order nothing for it (3 of 3 trials)"),
                                                           false_alarm(Detector::kHelgrind,
                                                               report("Possible data race").in("fixed_atomic_flag", "operator()"),
                                                               "Helgrind knows pthread synchronization, not C++ atomics: the release store and the "
                                                               "acquire load order nothing for it (5 of 5 trials)")},
                  mutant("release/acquire").caught_by(Detector::kTsan)}},
});

}  // namespace
}  // namespace hazardlab
