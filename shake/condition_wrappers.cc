// Condition variables (std::condition_variable and _any).
//
// Why each point: a delay on entry to a wait (a window point: more often a
// sleep), with the mutex still held, widens the window between a waiter's check of its condition and its sleep
// (a notify that lands there is lost when the check is an `if`); a delay
// after a wait returns lets the notifier run on before the woken thread
// (the state it checked may change again); a delay before a signal or
// broadcast lets a waiter reach its wait first, or not.
//
// The GLIBC_2.3.2 versions are the current ABI: an unversioned lookup may
// find the old compatibility ones, which take a different object layout.

#include <pthread.h>

#include "shake/injector.h"
#include "shake/real.h"

namespace {
constexpr char kConditionAbi[] = "GLIBC_2.3.2";
}

extern "C" {

int pthread_cond_wait(pthread_cond_t* condition, pthread_mutex_t* mutex) {
  shake::perturb(shake::Point::kWindow);
  const int result = SHAKE_NEXT_VERSION(pthread_cond_wait, kConditionAbi)(condition, mutex);
  shake::perturb();
  return result;
}

int pthread_cond_timedwait(pthread_cond_t* condition, pthread_mutex_t* mutex, const struct timespec* deadline) {
  shake::perturb(shake::Point::kWindow);
  const int result = SHAKE_NEXT_VERSION(pthread_cond_timedwait, kConditionAbi)(condition, mutex, deadline);
  shake::perturb();
  return result;
}

// std::condition_variable::wait_for and wait_until with the steady clock.
int pthread_cond_clockwait(pthread_cond_t* condition, pthread_mutex_t* mutex, clockid_t clock,
                           const struct timespec* deadline) {
  shake::perturb(shake::Point::kWindow);
  const int result = SHAKE_NEXT(pthread_cond_clockwait)(condition, mutex, clock, deadline);
  shake::perturb();
  return result;
}

int pthread_cond_signal(pthread_cond_t* condition) {
  shake::perturb();
  return SHAKE_NEXT_VERSION(pthread_cond_signal, kConditionAbi)(condition);
}

int pthread_cond_broadcast(pthread_cond_t* condition) {
  shake::perturb();
  return SHAKE_NEXT_VERSION(pthread_cond_broadcast, kConditionAbi)(condition);
}

}  // extern "C"
