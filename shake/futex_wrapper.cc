// The futex calls of std::atomic<T>::wait and notify (and so of
// std::counting_semaphore, std::latch and std::barrier). libstdc++ makes them
// through the C library's syscall() from inline header code, so a wrapper of
// syscall() sees them; every other system call goes straight through.
//
// What cannot be reached this way: futex calls the C library makes inside
// itself (its own mutexes, pthread_join's wait) never pass through the
// exported syscall(), and a standard library that issues the instruction
// directly is not seen either. Before a wait, a delay lets the notifier run
// first (the waiter then sees the new value and does not sleep); after a
// wake, the woken thread may run before the notifier goes on.

#include <linux/futex.h>
#include <sys/syscall.h>

#include <cstdarg>

#include "shake/injector.h"

extern "C" long syscall(long number, ...) {
  va_list arguments;
  va_start(arguments, number);
  long a[6];
  for (long& value : a) value = va_arg(arguments, long);
  va_end(arguments);
  if (number != SYS_futex) return shake::real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);

  const int command = static_cast<int>(a[1]) & FUTEX_CMD_MASK;
  const bool waits = command == FUTEX_WAIT || command == FUTEX_WAIT_BITSET;
  const bool wakes = command == FUTEX_WAKE || command == FUTEX_WAKE_BITSET;
  if (waits) shake::perturb();
  const long result = shake::real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
  if (wakes) shake::perturb();
  return result;
}
