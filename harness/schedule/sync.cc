#include "harness/schedule/sync.h"

#include <time.h>

#include <cstdio>
#include <cstdlib>

namespace hazardlab {

// In a controlled run only the thread holding the turn runs, so the
// controlled fields (held_, owner_, count_, readers_, ...) need no synchronization of their
// own; each operation is a step first, so that another thread may be
// scheduled in front of it, and re-checks its condition after every wakeup.
//
// What ThreadSanitizer sees (tsan build; tsan_handoff.h). The handoff that
// orders the threads is invisible to it, and so are the accesses to the
// controlled fields (tsan::ControlledFields: they are ordered only by that
// handoff). What TSan must still see is the synchronization the case has:
// - Mutex, RecursiveMutex, SharedMutex: the std mutex inside is really
//   locked and unlocked, once the controller has decided the lock is free,
//   so it never blocks; TSan sees the lock's happens-before (unlock before
//   the next lock) and its lock order (lock-order-inversion reports), and
//   an access outside the lock stays unordered.
// - ConditionVariable: a wait unlocks and relocks the std mutex, as
//   pthread_cond_wait does; TSan orders nothing by a notification itself,
//   and neither does this.
// - Latch, semaphores: the std latch or semaphore is counted down or
//   released for real (never blocks), and a wait the controller lets pass
//   takes it with the non-blocking try_wait / try_acquire, which must then
//   succeed: release and acquire are the standard library's own.
// - sleep_for, spin_point, busy_for: no synchronization, as a real sleep has
//   none.

namespace {

// The controller's model and the std primitive disagree: a harness defect.
void model_disagrees(const char* what) {
  std::fprintf(stderr, "hazardlab: controlled run: %s disagrees with the controller's model\n", what);
  std::abort();
}

}  // namespace

void Mutex::lock() {
  Controller* c = Controller::current();
  if (!c) return native_.lock();
  const tsan::ControlledFields fields;
  c->operation("lock");
  while (held_) c->block(this, "lock");
  held_ = true;
  native_.lock();  // free: the controller says so, and only the turn holder runs
}

bool Mutex::try_lock() {
  Controller* c = Controller::current();
  if (!c) return native_.try_lock();
  const tsan::ControlledFields fields;
  c->operation("try_lock");
  if (held_) return false;
  held_ = true;
  if (!native_.try_lock()) model_disagrees("Mutex::try_lock");
  return true;
}

void Mutex::unlock() {
  Controller* c = Controller::current();
  if (!c) return native_.unlock();
  const tsan::ControlledFields fields;
  native_.unlock();
  held_ = false;
  c->wake_all(this);
  c->operation("unlock");
}

void RecursiveMutex::lock() {
  Controller* c = Controller::current();
  if (!c) return native_.lock();
  const tsan::ControlledFields fields;
  c->operation("lock");
  while (depth_ > 0 && owner_ != c->running_thread()) c->block(this, "lock");
  owner_ = c->running_thread();
  ++depth_;
  native_.lock();
}

bool RecursiveMutex::try_lock() {
  Controller* c = Controller::current();
  if (!c) return native_.try_lock();
  const tsan::ControlledFields fields;
  c->operation("try_lock");
  if (depth_ > 0 && owner_ != c->running_thread()) return false;
  owner_ = c->running_thread();
  ++depth_;
  if (!native_.try_lock()) model_disagrees("RecursiveMutex::try_lock");
  return true;
}

void RecursiveMutex::unlock() {
  Controller* c = Controller::current();
  if (!c) return native_.unlock();
  const tsan::ControlledFields fields;
  native_.unlock();
  if (--depth_ == 0) {
    owner_ = -1;
    c->wake_all(this);
  }
  c->operation("unlock");
}

void SharedMutex::lock() {
  Controller* c = Controller::current();
  if (!c) return native_.lock();
  const tsan::ControlledFields fields;
  c->operation("lock");
  while (writer_ || readers_ > 0) c->block(this, "lock");
  writer_ = true;
  native_.lock();
}

bool SharedMutex::try_lock() {
  Controller* c = Controller::current();
  if (!c) return native_.try_lock();
  const tsan::ControlledFields fields;
  c->operation("try_lock");
  if (writer_ || readers_ > 0) return false;
  writer_ = true;
  if (!native_.try_lock()) model_disagrees("SharedMutex::try_lock");
  return true;
}

void SharedMutex::unlock() {
  Controller* c = Controller::current();
  if (!c) return native_.unlock();
  const tsan::ControlledFields fields;
  native_.unlock();
  writer_ = false;
  c->wake_all(this);
  c->operation("unlock");
}

void SharedMutex::lock_shared() {
  Controller* c = Controller::current();
  if (!c) return native_.lock_shared();
  const tsan::ControlledFields fields;
  c->operation("lock_shared");
  while (writer_) c->block(this, "lock_shared");
  ++readers_;
  native_.lock_shared();
}

bool SharedMutex::try_lock_shared() {
  Controller* c = Controller::current();
  if (!c) return native_.try_lock_shared();
  const tsan::ControlledFields fields;
  c->operation("try_lock_shared");
  if (writer_) return false;
  ++readers_;
  if (!native_.try_lock_shared()) model_disagrees("SharedMutex::try_lock_shared");
  return true;
}

void SharedMutex::unlock_shared() {
  Controller* c = Controller::current();
  if (!c) return native_.unlock_shared();
  const tsan::ControlledFields fields;
  native_.unlock_shared();
  if (--readers_ == 0) c->wake_all(this);
  c->operation("unlock_shared");
}

void ConditionVariable::wait(std::unique_lock<Mutex>& lock) {
  Mutex& mutex = *lock.mutex();
  Controller* c = Controller::current();
  // The native mutex inside is what this lock holds: wait on it directly.
  if (!c) return native_.wait(mutex.native_);
  const tsan::ControlledFields fields;
  mutex.native_.unlock();
  mutex.held_ = false;
  c->wake_all(&mutex);
  c->wait_for_notification(this, "wait");
  while (mutex.held_) c->block(&mutex, "lock after wait");
  mutex.held_ = true;
  mutex.native_.lock();
}

void ConditionVariable::notify_one() {
  Controller* c = Controller::current();
  if (!c) return native_.notify_one();
  const tsan::ControlledFields fields;
  c->wake_one(this);
  c->operation("notify_one");
}

void ConditionVariable::notify_all() {
  Controller* c = Controller::current();
  if (!c) return native_.notify_all();
  const tsan::ControlledFields fields;
  c->wake_all(this);
  c->operation("notify_all");
}

void Latch::count_down(std::ptrdiff_t update) {
  Controller* c = Controller::current();
  if (!c) return native_.count_down(update);
  const tsan::ControlledFields fields;
  native_.count_down(update);  // never blocks: the release TSan must see
  count_ -= update;
  if (count_ == 0) c->wake_all(this);
  c->operation("count_down");
}

void Latch::wait() {
  Controller* c = Controller::current();
  if (!c) return native_.wait();
  const tsan::ControlledFields fields;
  c->operation("latch wait");
  while (count_ > 0) c->block(this, "latch wait");
  if (!native_.try_wait()) model_disagrees("Latch::wait");  // the acquire
}

void Latch::arrive_and_wait(std::ptrdiff_t update) {
  Controller* c = Controller::current();
  if (!c) return native_.arrive_and_wait(update);
  const tsan::ControlledFields fields;
  native_.count_down(update);
  count_ -= update;
  if (count_ == 0) c->wake_all(this);
  while (count_ > 0) c->block(this, "arrive_and_wait");
  if (!native_.try_wait()) model_disagrees("Latch::arrive_and_wait");
  c->operation("arrive_and_wait");
}

void sleep_for(std::chrono::nanoseconds duration) {
  Controller* c = Controller::current();
  if (!c) return std::this_thread::sleep_for(duration);
  c->spin("sleep");
}

void busy_for(std::chrono::nanoseconds duration) {
  if (Controller::current()) return;
  const auto cpu_time = [] {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
  };
  const auto until = cpu_time() + duration;
  while (cpu_time() < until) {
  }
}

void spin_point() {
  Controller* c = Controller::current();
  if (!c) return yield_point();
  c->spin("spin");
}

}  // namespace hazardlab
