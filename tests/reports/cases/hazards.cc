// Small programs whose sanitizer reports are recorded for the classifier
// tests: one hazard per mode, chosen by argv[1]. It lives under a `cases/`
// folder so that its frames count as case code, as a real case's would.
// Re-record with tests/reports/record.sh.
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <pthread.h>
#include <string>
#include <thread>
#include <unistd.h>

namespace {

int counter = 0;

void race_on_counter() {
  std::thread first([] { ++counter; });
  std::thread second([] { ++counter; });
  first.join();
  second.join();
}

void lock_order_inversion() {
  std::mutex a;
  std::mutex b;
  {
    std::lock_guard la(a);
    std::lock_guard lb(b);
  }
  {
    std::lock_guard lb(b);
    std::lock_guard la(a);
  }
}

void thread_leak() {
  pthread_t thread;
  pthread_create(&thread, nullptr, [](void*) -> void* { return nullptr; }, nullptr);
  sleep(1);
}

void use_after_free() {
  // Large enough that the thread's own state is not allocated in its place.
  int* values = new int[256]();
  std::thread t([values] { values[0] = 2; });
  t.join();
  delete[] values;
  std::thread u([values] { values[0] = 3; });
  u.join();
}

// TSan reports a double lock when a mutex it believes held by one thread is
// acquired by another: here through the annotation interface a custom lock
// uses, since a real non-recursive mutex would simply block.
// Weak, so the non-TSan builds of this file link.
extern "C" [[gnu::weak]] void __tsan_mutex_create(void* addr, unsigned flags);
extern "C" [[gnu::weak]] void __tsan_mutex_pre_lock(void* addr, unsigned flags);
extern "C" [[gnu::weak]] void __tsan_mutex_post_lock(void* addr, unsigned flags, int recursion);
int custom_lock = 0;

void lock_custom() {
  __tsan_mutex_pre_lock(&custom_lock, 0);
  __tsan_mutex_post_lock(&custom_lock, 0, 0);
}

void double_lock() {
  if (!__tsan_mutex_create) return;
  __tsan_mutex_create(&custom_lock, 0);
  lock_custom();
  std::thread other(lock_custom);
  other.join();
}

void unlock_unlocked() {
  static std::mutex m;
  m.unlock();
}

// A mutex Valgrind has seen locked and unlocked, unlocked once more: Helgrind
// and DRD know it as a lock (unlock_unlocked's never-locked mutex is "an
// invalid lock" / "not a mutex" to them).
void unlock_not_locked() {
  static std::mutex m;
  m.lock();
  m.unlock();
  m.unlock();
}

void destroy_locked() {
  pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&m);
  pthread_mutex_destroy(&m);
}

void on_signal(int) {
  volatile char* memory = static_cast<char*>(std::malloc(16));  // volatile: not elided
  memory[0] = 1;
  std::free(const_cast<char*>(memory));
}

void signal_unsafe() {
  std::signal(SIGUSR1, on_signal);
  // Sent by another thread: an asynchronous signal, as TSan requires.
  std::thread t([] { kill(getpid(), SIGUSR1); });
  t.join();
  usleep(100'000);
}

void asan_use_after_free() {
  int* value = new int(1);
  delete value;
  std::printf("%d\n", *value);
}

void asan_double_free() {
  int* value = new int(1);
  delete value;
  delete value;
}

int* escaped = nullptr;
void asan_use_after_scope() {
  {
    int local = 5;
    escaped = &local;
  }
  *escaped = 6;
}

void asan_overflow() {
  int* values = new int[4];
  values[4] = 1;
  delete[] values;
}

void leak() {
  int* value = new int(1);
  value = nullptr;
}

void overflow() {
  volatile int big = INT_MAX;
  big = big + 1;
}

void unjoined() {
  std::thread t([] {});
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "race") race_on_counter();
  if (mode == "lock_order") lock_order_inversion();
  if (mode == "thread_leak") thread_leak();
  if (mode == "tsan_use_after_free") use_after_free();
  if (mode == "double_lock") double_lock();
  if (mode == "unlock_unlocked") unlock_unlocked();
  if (mode == "destroy_locked") destroy_locked();
  if (mode == "unlock_not_locked") unlock_not_locked();
  if (mode == "signal_unsafe") signal_unsafe();
  if (mode == "asan_use_after_free") asan_use_after_free();
  if (mode == "double_free") asan_double_free();
  if (mode == "use_after_scope") asan_use_after_scope();
  if (mode == "overflow") asan_overflow();
  if (mode == "leak") leak();
  if (mode == "ubsan") overflow();
  if (mode == "terminate") unjoined();
  return 0;
}
