// Torn invariant: a transfer updates two balances one after the other while
// an auditor adds them up.
#include <atomic>
#include <mutex>

#include "harness/case.h"

namespace hazardlab {
namespace {

constexpr char kLesson[] = R"(Some facts about shared state span several variables: money moves between
two accounts, so their sum never changes. A transfer that is correct on
its own still breaks that fact for a moment, between taking the money out
of one account and putting it into the other. Any thread that looks in
that moment sees a state that never "really" existed.

A teller thread moves 10 back and forth between accounts A and B, 10,000
times; an auditor thread adds up A + B 10,000 times and expects 2,000:

  1. the teller takes 10 out of A: A = 990, B = 1,000
  2. the teller is switched out before it adds 10 to B
  3. the auditor reads A = 990 and B = 1,000: the total is 1,990
  4. the teller resumes and adds 10 to B: the total is 2,000 again

The auditor can also tear the state itself: it reads A, is switched out
while a whole transfer happens, then reads B. The outcome is how many
audits saw a total other than 2,000. ThreadSanitizer reports the
unordered writes and reads of the balances.

The fix makes the transfer and the audit exclusive of each other: both
take the same lock, so the auditor sees the accounts only before or after
a whole transfer (`fixed`). A lock per account would not do: the fact
spans both accounts, so one lock must cover both. Or keep both balances
in one value that is replaced as a whole, here a std::atomic of the pair
(`fixed_atomic_pair`): no thread can see half of an update.)";

constexpr int kTransfers = 10'000;
constexpr int kAudits = 10'000;
constexpr int kOpening = 1'000;
constexpr int kTotal = 2 * kOpening;
constexpr int kAmount = 10;

// Even transfers go from A to B, odd ones back.
Outcome broken(Threads& threads) {
  int a = kOpening;
  int b = kOpening;
  int torn = 0;
  threads.run(2, [&](int index) {
    if (index == 0) {
      for (int i = 0; i < kTransfers; ++i) {
        int& from = i % 2 == 0 ? a : b;
        int& to = i % 2 == 0 ? b : a;
        from -= kAmount;
        yield_point();
        to += kAmount;
      }
    } else {
      for (int i = 0; i < kAudits; ++i) {
        const int seen_a = a;
        yield_point();
        const int seen_b = b;
        if (seen_a + seen_b != kTotal) ++torn;
      }
    }
  });
  return torn;
}

// One lock around the whole transfer and the whole audit: neither can see
// the other half done. ABSL_GUARDED_BY states which lock guards the
// balances, so the compiler checks every access (the thread-safety build).
Outcome fixed(Threads& threads) {
  struct Bank {
    Mutex mutex;
    int a ABSL_GUARDED_BY(mutex) = kOpening;
    int b ABSL_GUARDED_BY(mutex) = kOpening;
  } bank;
  int torn = 0;
  threads.run(2, [&](int index) {
    if (index == 0) {
      for (int i = 0; i < kTransfers; ++i) {
        LockGuard lock(bank.mutex);
        int& from = i % 2 == 0 ? bank.a : bank.b;
        int& to = i % 2 == 0 ? bank.b : bank.a;
        from -= kAmount;
        yield_point();
        to += kAmount;
      }
    } else {
      for (int i = 0; i < kAudits; ++i) {
        EssentialLock lock(bank.mutex, "the auditor's lock");
        const int seen_a = bank.a;
        yield_point();
        const int seen_b = bank.b;
        if (seen_a + seen_b != kTotal) ++torn;
      }
    }
  });
  return torn;
}

struct Accounts {
  int a;
  int b;
};

// Both balances in one atomic value (8 bytes: lock-free): a transfer builds
// the new pair and swaps it in only if the pair is still the one it started
// from; an audit loads one whole pair.
Outcome fixed_atomic_pair(Threads& threads) {
  std::atomic<Accounts> accounts(Accounts{kOpening, kOpening});
  int torn = 0;
  threads.run(2, [&](int index) {
    if (index == 0) {
      for (int i = 0; i < kTransfers; ++i) {
        const int delta = i % 2 == 0 ? kAmount : -kAmount;
        Accounts seen = accounts.load();
        Accounts next;
        do {
          yield_point();
          next = Accounts{seen.a - delta, seen.b + delta};
        } while (!accounts.compare_exchange_weak(seen, next));
      }
    } else {
      for (int i = 0; i < kAudits; ++i) {
        const Accounts seen = accounts.load();
        yield_point();
        if (seen.a + seen.b != kTotal) ++torn;
      }
    }
  });
  return torn;
}

HAZARDLAB_CASE({
    .name = "torn_invariant",
    .title = "A two-account transfer seen half done",
    .order = 160,
    .notebook = "shared state that must stay consistent across several variables is seen in between "
                "two updates that belong together",
    .lesson = kLesson,
    .outcome_meaning = "audits with a wrong total",
    .outcomes = {acceptable(equals(0), "every audit saw the total of 2,000"),
                 forbidden(above(0), "an audit saw a transfer half done")},
    .variants = {{"broken", broken,
                  {sees(Detector::kDrd, report("Conflicting")),
                   sees(Detector::kHelgrind, report("Possible data race")),
                   misses(Detector::kThreadSafety, "no lock at all: the analysis checks the "
                                                   "locking contract the code states "
                                                   "(ABSL_GUARDED_BY), and this code states none, "
                                                   "so there is nothing to break"),
                   pct_sees(forbidden_outcome()).within(26),
                   outcome_sees(forbidden_outcome()),
                   tsan_sees(report("data race")),
                   misses(Detector::kAsan, "a half-done transfer leaves wrong numbers in valid memory, "
                                           "not a memory error"),
                   misses(Detector::kAbsl, "two fields updated apart with no lock: no lock order to check")}},
                 {"fixed", fixed, {}, mutant("the auditor's lock").caught_by(Detector::kOutcome)},
                 {"fixed_atomic_pair", fixed_atomic_pair, {},
                  no_mutant("the fix is one atomic holding both balances, not one removable line")}},
});

}  // namespace
}  // namespace hazardlab
