#include "harness/schedule/sync.h"

namespace hazardlab {

// In a controlled run only the thread holding the turn runs, so the
// controlled fields (held_, owner_, count_, readers_, ...) need no synchronization of their
// own; each operation is a step first, so that another thread may be
// scheduled in front of it, and re-checks its condition after every wakeup.

void Mutex::lock() {
  Controller* c = Controller::current();
  if (!c) return native_.lock();
  c->operation("lock");
  while (held_) c->block(this, "lock");
  held_ = true;
}

bool Mutex::try_lock() {
  Controller* c = Controller::current();
  if (!c) return native_.try_lock();
  c->operation("try_lock");
  if (held_) return false;
  held_ = true;
  return true;
}

void Mutex::unlock() {
  Controller* c = Controller::current();
  if (!c) return native_.unlock();
  held_ = false;
  c->wake_all(this);
  c->operation("unlock");
}

void RecursiveMutex::lock() {
  Controller* c = Controller::current();
  if (!c) return native_.lock();
  c->operation("lock");
  while (depth_ > 0 && owner_ != c->running_thread()) c->block(this, "lock");
  owner_ = c->running_thread();
  ++depth_;
}

bool RecursiveMutex::try_lock() {
  Controller* c = Controller::current();
  if (!c) return native_.try_lock();
  c->operation("try_lock");
  if (depth_ > 0 && owner_ != c->running_thread()) return false;
  owner_ = c->running_thread();
  ++depth_;
  return true;
}

void RecursiveMutex::unlock() {
  Controller* c = Controller::current();
  if (!c) return native_.unlock();
  if (--depth_ == 0) {
    owner_ = -1;
    c->wake_all(this);
  }
  c->operation("unlock");
}

void SharedMutex::lock() {
  Controller* c = Controller::current();
  if (!c) return native_.lock();
  c->operation("lock");
  while (writer_ || readers_ > 0) c->block(this, "lock");
  writer_ = true;
}

bool SharedMutex::try_lock() {
  Controller* c = Controller::current();
  if (!c) return native_.try_lock();
  c->operation("try_lock");
  if (writer_ || readers_ > 0) return false;
  writer_ = true;
  return true;
}

void SharedMutex::unlock() {
  Controller* c = Controller::current();
  if (!c) return native_.unlock();
  writer_ = false;
  c->wake_all(this);
  c->operation("unlock");
}

void SharedMutex::lock_shared() {
  Controller* c = Controller::current();
  if (!c) return native_.lock_shared();
  c->operation("lock_shared");
  while (writer_) c->block(this, "lock_shared");
  ++readers_;
}

bool SharedMutex::try_lock_shared() {
  Controller* c = Controller::current();
  if (!c) return native_.try_lock_shared();
  c->operation("try_lock_shared");
  if (writer_) return false;
  ++readers_;
  return true;
}

void SharedMutex::unlock_shared() {
  Controller* c = Controller::current();
  if (!c) return native_.unlock_shared();
  if (--readers_ == 0) c->wake_all(this);
  c->operation("unlock_shared");
}

void ConditionVariable::wait(std::unique_lock<Mutex>& lock) {
  Mutex& mutex = *lock.mutex();
  Controller* c = Controller::current();
  if (!c) {
    // The std::mutex inside is what this lock holds: wait on it directly.
    std::unique_lock<std::mutex> native_lock(mutex.native_, std::adopt_lock);
    native_.wait(native_lock);
    native_lock.release();
    return;
  }
  mutex.held_ = false;
  c->wake_all(&mutex);
  c->wait_for_notification(this, "wait");
  while (mutex.held_) c->block(&mutex, "lock after wait");
  mutex.held_ = true;
}

void ConditionVariable::notify_one() {
  Controller* c = Controller::current();
  if (!c) return native_.notify_one();
  c->wake_one(this);
  c->operation("notify_one");
}

void ConditionVariable::notify_all() {
  Controller* c = Controller::current();
  if (!c) return native_.notify_all();
  c->wake_all(this);
  c->operation("notify_all");
}

void Latch::count_down(std::ptrdiff_t update) {
  Controller* c = Controller::current();
  if (!c) return native_.count_down(update);
  count_ -= update;
  if (count_ == 0) c->wake_all(this);
  c->operation("count_down");
}

void Latch::wait() {
  Controller* c = Controller::current();
  if (!c) return native_.wait();
  c->operation("latch wait");
  while (count_ > 0) c->block(this, "latch wait");
}

void Latch::arrive_and_wait(std::ptrdiff_t update) {
  Controller* c = Controller::current();
  if (!c) return native_.arrive_and_wait(update);
  count_ -= update;
  if (count_ == 0) c->wake_all(this);
  while (count_ > 0) c->block(this, "arrive_and_wait");
  c->operation("arrive_and_wait");
}

void sleep_for(std::chrono::nanoseconds duration) {
  Controller* c = Controller::current();
  if (!c) return std::this_thread::sleep_for(duration);
  c->spin("sleep");
}

void spin_point() {
  Controller* c = Controller::current();
  if (!c) return yield_point();
  c->spin("spin");
}

}  // namespace hazardlab
