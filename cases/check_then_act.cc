// Check then act: threads check that an account can pay, then withdraw.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

#include "harness/case.h"

namespace hazardlab {
namespace {

constexpr char kLesson[] = R"(A withdrawal looks safe when it is written as "if the balance covers the
amount, take the amount". Each line is correct on its own, but the decision
is made on a value that may no longer be true by the time it is acted on.
Four threads work through the same 2,000 accounts, each holding 100, and try
to withdraw 100 from every one of them: each account can pay out once.

  1. T1 checks account 17: balance 100 covers 100
  2. T1 is switched out at the yield point, between the check and the act
  3. T2 checks account 17: still 100, covers 100; T2 withdraws: balance 0
  4. T1 resumes and withdraws on the strength of its old check: balance -100

The outcome is the lowest balance left among the accounts: 0 when every
account paid out exactly once, below 0 when one paid twice. ThreadSanitizer
reports the unordered reads and writes of the balance whether or not an
account was overdrawn in that run.

The fix makes the check and the act one step that nobody can interleave
with: hold one lock across both (`fixed`), or do the check inside an atomic
compare-and-swap that only succeeds if the balance is still the one that was
checked (`fixed_cas`).)";

constexpr int kThreads = 4;
constexpr int kAccounts = 2'000;
constexpr int kOpening = 100;
constexpr int kAmount = 100;

// Check, switch, act: the check may be stale by the time of the withdrawal.
Outcome broken(Threads& threads) {
  std::vector<int> balances(kAccounts, kOpening);
  threads.run(kThreads, [&](int) {
    for (int& balance : balances) {
      if (balance >= kAmount) {
        yield_point();
        balance -= kAmount;
      }
    }
  });
  return *std::min_element(balances.begin(), balances.end());
}

// Check and withdrawal under one lock: no other thread can withdraw between
// them, so the check is still true when it is acted on.
Outcome fixed(Threads& threads) {
  Mutex bank;
  std::vector<int> balances(kAccounts, kOpening);
  threads.run(kThreads, [&](int) {
    for (int& balance : balances) {
      EssentialLock lock(bank, "the bank lock");
      if (balance >= kAmount) {
        yield_point();
        balance -= kAmount;
      }
    }
  });
  return *std::min_element(balances.begin(), balances.end());
}

// The withdrawal succeeds only if the balance is still exactly what was
// checked; otherwise compare_exchange reloads it and the check is redone.
Outcome fixed_cas(Threads& threads) {
  std::vector<std::atomic<int>> balances(kAccounts);
  for (std::atomic<int>& balance : balances) balance.store(kOpening, std::memory_order_relaxed);
  threads.run(kThreads, [&](int) {
    for (std::atomic<int>& balance : balances) {
      int seen = balance.load(std::memory_order_relaxed);
      while (seen >= kAmount) {
        yield_point();
        if (balance.compare_exchange_weak(seen, seen - kAmount, std::memory_order_relaxed)) break;
      }
    }
  });
  int lowest = kOpening;
  for (const std::atomic<int>& balance : balances) lowest = std::min(lowest, balance.load());
  return lowest;
}

HAZARDLAB_CASE({
    .name = "check_then_act",
    .title = "Check the balance, then withdraw",
    .order = 150,
    .notebook = "a value is read, a decision is made on it, and the shared state is changed later: "
                "another thread can change it in between",
    .lesson = kLesson,
    .outcome_meaning = "lowest balance left",
    .outcomes = {acceptable(equals(0), "every account paid out exactly once"),
                 forbidden(below(0), "an account paid out on a stale check: overdrawn")},
    .variants = {{"broken", broken,
                  {sees(Detector::kDrd, report("Conflicting")),
                   sees(Detector::kHelgrind, report("Possible data race")),
                   misses(Detector::kThreadSafety, "no lock at all: the analysis checks the "
                                                   "locking contract the code states "
                                                   "(ABSL_GUARDED_BY), and this code states none, "
                                                   "so there is nothing to break"),
                   pct_sees(forbidden_outcome()).within(4),
                   outcome_sees(forbidden_outcome()),
                   tsan_sees(report("data race")),
                   misses(Detector::kAsan, "an overdrawn balance is a wrong number in valid memory, "
                                           "not a memory error"),
                   misses(Detector::kAbsl, "a check and an act with no lock at all: no lock order to check")}},
                 {"fixed", fixed, {}, mutant("the bank lock").caught_by(Detector::kOutcome)},
                 {"fixed_cas", fixed_cas, {},
                  no_mutant("the compare-exchange is the whole withdrawal: without it nothing is left to test")}},
});

}  // namespace
}  // namespace hazardlab
