// Not a case: a program for `hazardlab shake`'s tests. One thread locks and
// unlocks a mutex many times, then prints how often it gave up the CPU of its
// own accord (getrusage's voluntary context switches). Alone it almost never
// does; under the shake library its sleeps show up here. The test that the
// library is inert without its seed variable reads this count, not a clock.

#include <sys/resource.h>

#include <cstdio>
#include <mutex>

int main() {
  std::mutex mutex;
  for (int i = 0; i < 2'000; ++i) {
    mutex.lock();
    mutex.unlock();
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("voluntary context switches: %ld\n", usage.ru_nvcsw);
  return 0;
}
