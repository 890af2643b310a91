// POSIX semaphores (sem_t). std::counting_semaphore does not use them: in
// libstdc++ it waits on a futex, which futex_wrapper.cc sees.
//
// Why each point: a delay before a wait decides which waiter gets a permit
// first; a delay after a post lets the woken thread run before the poster
// goes on.

#include <semaphore.h>

#include "shake/injector.h"
#include "shake/real.h"

extern "C" {

int sem_wait(sem_t* semaphore) {
  shake::perturb();
  return SHAKE_NEXT(sem_wait)(semaphore);
}

int sem_trywait(sem_t* semaphore) {
  shake::perturb();
  return SHAKE_NEXT(sem_trywait)(semaphore);
}

int sem_timedwait(sem_t* semaphore, const struct timespec* deadline) {
  shake::perturb();
  return SHAKE_NEXT(sem_timedwait)(semaphore, deadline);
}

int sem_post(sem_t* semaphore) {
  const int result = SHAKE_NEXT(sem_post)(semaphore);
  shake::perturb();
  return result;
}

}  // extern "C"
