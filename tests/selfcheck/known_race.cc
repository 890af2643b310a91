// The TSan self-check: two threads write one int with nothing between them.
// If ThreadSanitizer does not report this, no verdict of the tsan suite is
// trusted (CTest fixture `sanitizer_trusted`).
#include <thread>

int shared_value = 0;

int main() {
  std::thread first([] { shared_value = 1; });
  std::thread second([] { shared_value = 2; });
  first.join();
  second.join();
  return shared_value == 0 ? 1 : 0;
}
