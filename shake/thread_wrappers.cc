// Thread creation and join.
//
// pthread_create is wrapped for two reasons: it numbers threads in creation
// order (each thread's decisions are seeded from the run's seed and that
// number, so a seed replays the same decisions per thread whatever order the
// threads start in), and a delay in the parent after creation, or in the
// child before its start routine, decides which of the two runs first.
// pthread_join is delayed before: the joined thread may finish first or not.
//
// The child learns its number through a fixed table of start slots, not a
// heap block: under a sanitizer the trampoline runs before the sanitizer has
// set the new thread up, where calling its malloc or free is not safe.

#include <pthread.h>

#include <atomic>
#include <cstdint>

#include "shake/injector.h"
#include "shake/real.h"

namespace {

struct StartSlot {
  std::atomic<bool> busy{false};
  void* (*routine)(void*) = nullptr;
  void* argument = nullptr;
  std::uint64_t index = 0;
};

// Threads being started at one time, at most; more start unnumbered (thread
// 0's sequence), never blocked.
constexpr int kStartSlots = 256;
StartSlot g_slots[kStartSlots];

StartSlot* claim_slot() {
  for (StartSlot& slot : g_slots) {
    bool expected = false;
    if (slot.busy.compare_exchange_strong(expected, true, std::memory_order_acquire)) return &slot;
  }
  return nullptr;
}

void* start_numbered(void* raw) {
  StartSlot* slot = static_cast<StartSlot*>(raw);
  void* (*routine)(void*) = slot->routine;
  void* argument = slot->argument;
  shake::start_thread(slot->index);
  slot->busy.store(false, std::memory_order_release);
  shake::perturb();
  return routine(argument);
}

}  // namespace

extern "C" {

int pthread_create(pthread_t* thread, const pthread_attr_t* attributes, void* (*routine)(void*), void* argument) {
  const auto next = SHAKE_NEXT(pthread_create);
  if (!shake::enabled()) return next(thread, attributes, routine, argument);
  StartSlot* slot = claim_slot();
  if (!slot) return next(thread, attributes, routine, argument);
  slot->routine = routine;
  slot->argument = argument;
  slot->index = shake::next_thread_index();
  const int result = next(thread, attributes, start_numbered, slot);
  if (result != 0) {
    slot->busy.store(false, std::memory_order_release);
    return result;
  }
  shake::perturb();
  return result;
}

int pthread_join(pthread_t thread, void** result) {
  shake::perturb();
  return SHAKE_NEXT(pthread_join)(thread, result);
}

}  // extern "C"
