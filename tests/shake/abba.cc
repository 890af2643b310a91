// Not a case: a program for `hazardlab shake`'s tests. One thread takes lock
// a then b, the other b then a, each once:
//  1. T1 locks a                        3. T1 waits for b (T2 holds it)
//  2. T2 locks b                        4. T2 waits for a (T1 holds it): deadlock
// Free-running, the first thread has released both locks before the second
// starts almost every time; the program hangs only when both first locks land
// inside that short window. (Under ThreadSanitizer the inverted order is
// reported as a lock-order inversion whenever the program finishes.)

#include <mutex>
#include <thread>

namespace {

std::mutex a;
std::mutex b;

void a_then_b() {
  std::lock_guard first(a);
  std::lock_guard second(b);
}

void b_then_a() {
  std::lock_guard first(b);
  std::lock_guard second(a);
}

}  // namespace

int main() {
  std::thread one(a_then_b);
  std::thread two(b_then_a);
  one.join();
  two.join();
  return 0;
}
