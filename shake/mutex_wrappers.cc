// Mutexes and reader-writer locks (std::mutex, std::timed_mutex,
// std::shared_mutex all end here).
//
// Why each point: a delay before a lock lets another thread take the lock
// first (reorders critical sections; with a lock already held, widens an
// ABBA window); a delay after an unlock lets a waiting thread run before the
// unlocking one goes on (the handoff that check-then-act code across two
// critical sections gets wrong). A trylock is delayed before, like a lock: it
// decides who wins.

#include <pthread.h>

#include "shake/injector.h"
#include "shake/real.h"

extern "C" {

int pthread_mutex_lock(pthread_mutex_t* mutex) {
  shake::perturb();
  return SHAKE_NEXT(pthread_mutex_lock)(mutex);
}

int pthread_mutex_trylock(pthread_mutex_t* mutex) {
  shake::perturb();
  return SHAKE_NEXT(pthread_mutex_trylock)(mutex);
}

int pthread_mutex_timedlock(pthread_mutex_t* mutex, const struct timespec* deadline) {
  shake::perturb();
  return SHAKE_NEXT(pthread_mutex_timedlock)(mutex, deadline);
}

// std::timed_mutex::try_lock_for with the steady clock.
int pthread_mutex_clocklock(pthread_mutex_t* mutex, clockid_t clock, const struct timespec* deadline) {
  shake::perturb();
  return SHAKE_NEXT(pthread_mutex_clocklock)(mutex, clock, deadline);
}

int pthread_mutex_unlock(pthread_mutex_t* mutex) {
  const int result = SHAKE_NEXT(pthread_mutex_unlock)(mutex);
  shake::perturb();
  return result;
}

int pthread_rwlock_rdlock(pthread_rwlock_t* lock) {
  shake::perturb();
  return SHAKE_NEXT(pthread_rwlock_rdlock)(lock);
}

int pthread_rwlock_wrlock(pthread_rwlock_t* lock) {
  shake::perturb();
  return SHAKE_NEXT(pthread_rwlock_wrlock)(lock);
}

int pthread_rwlock_tryrdlock(pthread_rwlock_t* lock) {
  shake::perturb();
  return SHAKE_NEXT(pthread_rwlock_tryrdlock)(lock);
}

int pthread_rwlock_trywrlock(pthread_rwlock_t* lock) {
  shake::perturb();
  return SHAKE_NEXT(pthread_rwlock_trywrlock)(lock);
}

int pthread_rwlock_timedrdlock(pthread_rwlock_t* lock, const struct timespec* deadline) {
  shake::perturb();
  return SHAKE_NEXT(pthread_rwlock_timedrdlock)(lock, deadline);
}

int pthread_rwlock_timedwrlock(pthread_rwlock_t* lock, const struct timespec* deadline) {
  shake::perturb();
  return SHAKE_NEXT(pthread_rwlock_timedwrlock)(lock, deadline);
}

int pthread_rwlock_unlock(pthread_rwlock_t* lock) {
  const int result = SHAKE_NEXT(pthread_rwlock_unlock)(lock);
  shake::perturb();
  return result;
}

}  // extern "C"
