// Not a case: a program for `hazardlab shake`'s tests. Two threads each add
// one to a balance, reading it in one critical section and writing it in the
// next. Every access is under the mutex (ThreadSanitizer sees no data race),
// yet an update is lost when a thread is preempted between its two sections:
//  1. T1 locks, reads 0, unlocks        3. T1 locks, writes 1, unlocks
//  2. T2 locks, reads 0, unlocks        4. T2 locks, writes 1, unlocks
// Free-running, the second thread starts after the first has finished both
// sections almost every time, so the window is rarely hit.
// Exits 1 when the balance is wrong.

#include <cstdio>
#include <mutex>
#include <thread>

namespace {

std::mutex mutex;
int balance = 0;

void deposit() {
  int seen;
  {
    std::lock_guard lock(mutex);
    seen = balance;
  }
  // The window: another deposit that runs here is overwritten below.
  {
    std::lock_guard lock(mutex);
    balance = seen + 1;
  }
}

}  // namespace

int main() {
  std::thread first(deposit);
  std::thread second(deposit);
  first.join();
  second.join();
  if (balance != 2) {
    std::printf("lost update: balance %d, want 2\n", balance);
    return 1;
  }
  return 0;
}
