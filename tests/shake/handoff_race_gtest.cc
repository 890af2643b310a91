// Not a case: handoff_race.cc as a GoogleTest test, for `hazardlab shake` on a
// test binary (one process per run). The test passes free-running almost
// every time and fails when a deposit is preempted between its two critical
// sections (see handoff_race.cc).

#include <mutex>
#include <thread>

#include "gtest/gtest.h"

namespace {

class Account {
 public:
  void deposit() {
    int seen;
    {
      std::lock_guard lock(mutex_);
      seen = balance_;
    }
    std::lock_guard lock(mutex_);
    balance_ = seen + 1;
  }
  int balance() {
    std::lock_guard lock(mutex_);
    return balance_;
  }

 private:
  std::mutex mutex_;
  int balance_ = 0;
};

TEST(Account, TwoConcurrentDepositsBothLand) {
  Account account;
  std::thread first([&] { account.deposit(); });
  std::thread second([&] { account.deposit(); });
  first.join();
  second.join();
  EXPECT_EQ(account.balance(), 2);
}

}  // namespace
