#include "shake/injector.h"

#include <dlfcn.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <ctime>

namespace shake {
namespace {

// Set once, in the constructor below, before main and before any thread the
// program creates.
bool g_enabled = false;
std::uint64_t g_seed = 0;
std::atomic<std::uint64_t> g_next_index{1};

// A program with millions of lock calls must not sleep for minutes: each
// thread may sleep this long in all, then only yields.
constexpr std::uint64_t kSleepBudgetMicros = 200'000;
constexpr std::uint64_t kTimerSlackMicros = 50;

struct ThreadState {
  std::uint64_t rng = 0;
  bool seeded = false;
  std::uint64_t slept_micros = 0;
};
// initial-exec: the library is preloaded, so its TLS is static and reading
// it never calls into the dynamic loader (which could allocate).
thread_local ThreadState t_state __attribute__((tls_model("initial-exec")));

// splitmix64: a good 64-bit mix in a few instructions, and a generator when
// stepped.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t draw() {
  // A thread the library did not see created (the main thread, or one made
  // when every start slot was busy) counts as thread 0.
  if (!t_state.seeded) start_thread(0);
  t_state.rng += 0x9e3779b97f4a7c15ULL;
  return mix(t_state.rng);
}

using SyscallFn = long (*)(long, ...);

SyscallFn syscall_function() {
  static std::atomic<SyscallFn> cached{nullptr};
  SyscallFn fn = cached.load(std::memory_order_acquire);
  if (!fn) {
    fn = reinterpret_cast<SyscallFn>(dlsym(RTLD_NEXT, "syscall"));
    cached.store(fn, std::memory_order_release);
  }
  return fn;
}

void sleep_micros(std::uint64_t micros) {
  timespec request{static_cast<time_t>(micros / 1'000'000), static_cast<long>(micros % 1'000'000) * 1000};
  real_syscall(SYS_nanosleep, reinterpret_cast<long>(&request), 0, 0, 0, 0, 0);
}

__attribute__((constructor)) void read_seed() {
  const char* text = std::getenv(kSeedVariable);
  if (!text || !*text) return;
  char* end = nullptr;
  const unsigned long long seed = std::strtoull(text, &end, 10);
  if (*end != '\0') return;  // a malformed seed switches nothing on
  g_seed = seed;
  g_enabled = true;
}

}  // namespace

bool enabled() { return g_enabled; }

std::uint64_t next_thread_index() { return g_next_index.fetch_add(1, std::memory_order_relaxed); }

void start_thread(std::uint64_t index) {
  t_state.rng = mix(g_seed ^ mix(index));
  t_state.seeded = true;
  t_state.slept_micros = 0;
}

long real_syscall(long number, long a0, long a1, long a2, long a3, long a4, long a5) {
  return syscall_function()(number, a0, a1, a2, a3, a4, a5);
}

void perturb(Point point) {
  if (!g_enabled) return;
  const int saved_errno = errno;
  const std::uint64_t r = draw();
  // Of 16: 6 go straight through, 6 yield (another thread on this core runs
  // first), 4 sleep 50 us to 3.2 ms (a thread on another core runs first: on
  // a multi-core machine only a sleep reorders threads that run in parallel).
  // Sleeps are long against thread start-up (~50-100 us), so that what a seed
  // decides, not timing noise, decides the order, and a seed that failed
  // fails again more often.
  // At a window point, 12 of 16 sleep (the 8 lowest rolls become sleeps).
  unsigned roll = r & 15;
  if (point == Point::kWindow && roll < 8) roll = 12 + (roll & 3);
  if (roll >= 6 && roll < 12) {
    real_syscall(SYS_sched_yield, 0, 0, 0, 0, 0, 0);
  } else if (roll >= 12) {
    const std::uint64_t micros = std::uint64_t{50} << ((r >> 8) % 7);
    // A sleep costs at least the timer slack (50 us) on top of what it asks.
    const std::uint64_t cost = micros + kTimerSlackMicros;
    if (t_state.slept_micros + cost <= kSleepBudgetMicros) {
      t_state.slept_micros += cost;
      sleep_micros(micros);
    } else {
      real_syscall(SYS_sched_yield, 0, 0, 0, 0, 0, 0);
    }
  }
  errno = saved_errno;
}

}  // namespace shake
