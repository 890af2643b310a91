// Lost wakeup: a notification sent before anyone waits is gone.
#include <condition_variable>
#include <mutex>

#include "harness/case.h"

namespace hazardlab {
namespace {

constexpr char kLesson[] = R"(A listener thread waits on a condition variable for an announcement; an
announcer thread publishes a value and notifies. A condition variable is not
a mailbox: notify_one() wakes a thread that is waiting at that moment, and
if none is, the notification is simply dropped. A listener that waits
without checking any state trusts that it will be waiting in time:

  1. the listener is still getting ready (switched out at its yield points)
  2. the announcer locks, stores the value, unlocks and notifies: no one
     is waiting yet, so the notification wakes no one and is lost
  3. the listener locks and calls wait(): it now waits for a notification
     that was already sent
  4. nobody will notify again: the listener sleeps forever and the program
     hangs (or, rarely, a spurious wakeup ends the wait before the value
     was published, and the listener reads nothing)

Each run repeats this handshake ten times with fresh state; one lost
notification is enough to hang the run. No data is raced (the value is only
touched under the mutex), so the sanitizers have nothing to report; the
evidence is the hang, which the watchdog turns into a verdict.

The fix is the predicate: the announcement is state (`ready`), written under
the mutex, and the listener waits with `wait(lock, [&] { return ready; })`,
which checks the state before sleeping and again after every wakeup. If the
announcer came first, the listener sees `ready` and never sleeps; if the
listener came first, the check and the sleep happen under the mutex, so the
announcer cannot slip its update and notification in between. The
notification only says "look again"; the state is what is remembered.)";

constexpr int kAnnouncement = 42;
// The handshake is repeated with fresh state; one lost notification is enough.
constexpr int kRounds = 10;
// The listener's start-up work, with a switch point at every step.
constexpr int kGetReadySteps = 20;

void get_ready() {
  for (int step = 0; step < kGetReadySteps; ++step) yield_point();
}

// The listener waits without looking at any state: a notification that
// came before the wait is never seen.
Outcome broken(Threads& threads) {
  int rounds_heard = 0;
  for (int round = 0; round < kRounds; ++round) {
    Mutex mutex;
    ConditionVariable announced;
    int value = 0;  // guarded by mutex
    int heard = 0;
    threads.run(2, [&](int index) {
      if (index == 0) {  // the listener
        get_ready();
        std::unique_lock lock(mutex);
        announced.wait(lock);  // waits for a notification, not for the value
        heard = value;
      } else {  // the announcer
        {
          std::lock_guard lock(mutex);
          value = kAnnouncement;
        }
        announced.notify_one();  // wakes whoever is waiting now, if anyone
      }
    });
    rounds_heard += heard == kAnnouncement ? 1 : 0;
  }
  return rounds_heard;
}

// The announcement is state under the mutex; the listener waits for the
// state, so it does not matter whether the notification came first.
Outcome fixed(Threads& threads) {
  int rounds_heard = 0;
  for (int round = 0; round < kRounds; ++round) {
    Mutex mutex;
    ConditionVariable announced;
    bool ready = false;  // guarded by mutex
    int value = 0;       // guarded by mutex
    int heard = 0;
    threads.run(2, [&](int index) {
      if (index == 0) {  // the listener
        get_ready();
        std::unique_lock lock(mutex);
        announced.wait(lock, [&] { return ready; });  // checks before sleeping and after each wakeup
        heard = value;
      } else {  // the announcer
        {
          std::lock_guard lock(mutex);
          value = kAnnouncement;
          ready = true;
        }
        if (essential("the notify")) announced.notify_one();
      }
    });
    rounds_heard += heard == kAnnouncement ? 1 : 0;
  }
  return rounds_heard;
}

HAZARDLAB_CASE({
    .name = "lost_wakeup",
    .title = "Condition-variable wait without a predicate: a lost wakeup",
    .order = 90,
    .notebook = "a Condition lets a thread sleep until another says the state it waits for has "
                "changed; waiting for the signal instead of for the state misses a signal sent early",
    .lesson = kLesson,
    .outcome_meaning = "rounds in which the listener heard the announcement",
    .outcomes = {acceptable(equals(kRounds), "the listener heard every announcement"),
                 forbidden(below(kRounds), "the listener woke up (spuriously) before a value was announced")},
    .variants = {{"broken", broken,
                  {sees(Detector::kDrd, hang()),
                   sees(Detector::kHelgrind, hang()),
                   misses(Detector::kThreadSafety, "every access to the value holds the mutex: a "
                                                   "wait without a predicate is no access outside "
                                                   "the lock"),
                   pct_sees(deadlock()).within(4),
                   outcome_sees(hang(), forbidden_outcome()),
                   tsan_sees(hang()),
                   asan_sees(hang()),
                   sees(Detector::kAbsl, hang()).because("the watchdog's: a wait for a notification that came "
                                                        "first is no lock-order cycle, Abseil reports nothing "
                                                        "(30 of 30 hung)")}},
                 {"fixed", fixed, {false_alarm(Detector::kDrd, report("Probably a race condition").in("fixed", "operator()"),
                                       "the announcer notifies after releasing the lock, which is correct (the listener waits "
                                       "with a predicate); DRD calls a signal without the mutex probably a race when the "
                                       "listener is waiting (1 of 5 trials)").within(60),
                                   false_alarm(Detector::kHelgrind, report("associated lock is not held").in("fixed", "operator()"),
                                       "the announcer notifies after releasing the lock, which is correct (the listener waits "
                                       "with a predicate); Helgrind calls a signal with the lock free dubious when the "
                                       "listener is not waiting yet (2 of 20 trials)").within(60)},
                  mutant("the notify").caught_by(Detector::kOutcome)}},
    .deadline = std::chrono::milliseconds(1500),
});

}  // namespace
}  // namespace hazardlab
