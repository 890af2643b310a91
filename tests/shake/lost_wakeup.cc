// Not a case: a program for `hazardlab shake`'s tests. A waiter checks a flag
// with `if` and then waits; the notifier sets the flag and notifies without
// taking the waiter's mutex:
//  1. the waiter locks, sees ready == false
//  2. the notifier sets ready and notifies: nobody is waiting yet
//  3. the waiter waits for a notify that has already happened
// Free-running, the notifier starts long after the waiter is asleep almost
// every time. The waiter gives up after a while instead of hanging: exits 1.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

namespace {

std::mutex mutex;
std::condition_variable wakeup;
std::atomic<bool> ready{false};
std::atomic<bool> lost{false};

void waiter() {
  std::unique_lock lock(mutex);
  if (!ready.load()) {
    // The window between the check above and the wait.
    if (wakeup.wait_for(lock, std::chrono::milliseconds(500)) == std::cv_status::timeout) lost = true;
  }
}

void notifier() {
  ready.store(true);
  wakeup.notify_one();
}

}  // namespace

int main() {
  std::thread w(waiter);
  std::thread n(notifier);
  w.join();
  n.join();
  if (lost) {
    std::printf("lost wakeup: the notify came before the wait\n");
    return 1;
  }
  return 0;
}
