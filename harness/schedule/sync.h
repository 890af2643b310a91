#pragma once

// Synchronization for case code. Outside a controlled run each type here is
// exactly its std:: counterpart, so ThreadSanitizer, AddressSanitizer and the
// stress schedulers see the standard library at work. In a controlled run
// (--scheduler=walk|pct|gil) every operation is a step of the schedule, and
// whether a thread blocks is the controller's decision: that is what makes a
// run replayable and lets it end in a deadlock verdict the moment every
// thread waits, instead of at a watchdog's deadline.
//
// A thread that blocks in a raw std:: primitive during a controlled run holds
// the turn and stops the whole run; the controller reports it after a short
// stall instead of hanging. docs/writing-a-case.md lists which std facility
// each type here stands for, and what a case may not block in.
//
// The mutexes and lock guards carry clang's capability annotations (Abseil's
// macros), so that case code which marks its shared state ABSL_GUARDED_BY a
// mutex is checked by -Wthread-safety (the thread-safety preset): an access
// outside the lock, or locks taken against a declared ABSL_ACQUIRED_BEFORE
// order, is a compiler warning. std::lock_guard and friends carry none (the
// analysis would not know the lock is held): cases lock with the guards
// below. The annotations change nothing at run time.

#include <atomic>
#include <barrier>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <future>
#include <latch>
#include <memory>
#include <mutex>
#include <semaphore>
#include <shared_mutex>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "harness/schedule/controller.h"
#include "harness/schedule/native_mutex.h"
#include "harness/schedule/tsan_handoff.h"
#include "harness/schedule/yield_point.h"

namespace hazardlab {

// std::mutex (absl::Mutex in the absl build: native_mutex.h).
class ABSL_LOCKABLE Mutex {
 public:
  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION();
  bool try_lock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true);
  void unlock() ABSL_UNLOCK_FUNCTION();

 private:
  friend class ConditionVariable;
  NativeMutex native_;
  bool held_ = false;  // controlled runs
};

// std::recursive_mutex. (clang 14's analysis has no reentrant capability:
// code that locks it again while holding it must not say so with
// ABSL_LOCKS_EXCLUDED.)
class ABSL_LOCKABLE RecursiveMutex {
 public:
  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION();
  bool try_lock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true);
  void unlock() ABSL_UNLOCK_FUNCTION();

 private:
  std::recursive_mutex native_;
  int owner_ = -1;  // controlled runs: the owning thread
  int depth_ = 0;
};

// std::shared_mutex: one writer (lock) or any number of readers
// (lock_shared), with std::unique_lock / std::shared_lock as usual. In a
// controlled run a writer waits for every reader to leave and readers wait
// while a writer holds it; which waiter goes first is the schedule's choice
// (the standard leaves it open, and so does this).
class ABSL_LOCKABLE SharedMutex {
 public:
  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION();
  bool try_lock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true);
  void unlock() ABSL_UNLOCK_FUNCTION();
  void lock_shared() ABSL_SHARED_LOCK_FUNCTION();
  bool try_lock_shared() ABSL_SHARED_TRYLOCK_FUNCTION(true);
  void unlock_shared() ABSL_UNLOCK_FUNCTION();

 private:
  std::shared_mutex native_;
  bool writer_ = false;  // controlled runs
  int readers_ = 0;
};

// std::lock_guard, annotated: to the thread-safety analysis `mutex` is held
// from here to the end of the scope.
template <class Lockable>
class ABSL_SCOPED_LOCKABLE LockGuard {
 public:
  explicit LockGuard(Lockable& mutex) ABSL_EXCLUSIVE_LOCK_FUNCTION(mutex) : native_(mutex) {}
  ~LockGuard() ABSL_UNLOCK_FUNCTION() {}
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;

 private:
  std::lock_guard<Lockable> native_;
};

// std::unique_lock, annotated; it is one (ConditionVariable::wait takes it),
// and unlock()/lock() in between are seen by the analysis too.
template <class Lockable>
class ABSL_SCOPED_LOCKABLE UniqueLock : public std::unique_lock<Lockable> {
 public:
  explicit UniqueLock(Lockable& mutex) ABSL_EXCLUSIVE_LOCK_FUNCTION(mutex) : std::unique_lock<Lockable>(mutex) {}
  ~UniqueLock() ABSL_UNLOCK_FUNCTION() {}
  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { std::unique_lock<Lockable>::lock(); }
  void unlock() ABSL_UNLOCK_FUNCTION() { std::unique_lock<Lockable>::unlock(); }
};

// std::shared_lock over a SharedMutex, annotated: held shared (readers).
class ABSL_SCOPED_LOCKABLE SharedLock {
 public:
  explicit SharedLock(SharedMutex& mutex) ABSL_SHARED_LOCK_FUNCTION(mutex) : native_(mutex) {}
  ~SharedLock() ABSL_UNLOCK_FUNCTION() {}

 private:
  std::shared_lock<SharedMutex> native_;
};

// std::scoped_lock of two mutexes, annotated: both taken as one step
// (std::lock's deadlock avoidance), so no acquisition order applies to it.
template <class First, class Second>
class ABSL_SCOPED_LOCKABLE ScopedLock {
 public:
  ScopedLock(First& first, Second& second) ABSL_EXCLUSIVE_LOCK_FUNCTION(first, second) : native_(first, second) {}
  ~ScopedLock() ABSL_UNLOCK_FUNCTION() {}

 private:
  std::scoped_lock<First, Second> native_;
};

// std::once_flag, for hazardlab::call_once.
class OnceFlag {
 public:
  OnceFlag() = default;
  OnceFlag(const OnceFlag&) = delete;
  OnceFlag& operator=(const OnceFlag&) = delete;

 private:
  template <class F, class... Args>
  friend void call_once(OnceFlag& flag, F&& body, Args&&... args);
  std::once_flag native_;
  bool running_ = false;  // controlled runs: a call is under way
  bool done_ = false;     // controlled runs: a call returned
};

// std::call_once. In a controlled run a thread that finds the call under way
// blocks until it returns (a step the schedule sees); a call that throws
// lets the next caller try, as the standard says.
template <class F, class... Args>
void call_once(OnceFlag& flag, F&& body, Args&&... args) {
  Controller* c = Controller::current();
  if (!c) return std::call_once(flag.native_, std::forward<F>(body), std::forward<Args>(args)...);
  // TSan (tsan_handoff.h): the call's return happens before every caller
  // that finds it done, as std::call_once promises.
  const tsan::ControlledFields fields;
  c->operation("call_once");
  while (flag.running_) c->block(&flag, "call_once");
  if (flag.done_) return tsan::acquire(&flag);
  flag.running_ = true;
  try {
    const tsan::CaseCode body_is_the_case;
    std::invoke(std::forward<F>(body), std::forward<Args>(args)...);
  } catch (...) {
    flag.running_ = false;
    c->wake_one(&flag);
    throw;
  }
  tsan::release(&flag);
  flag.running_ = false;
  flag.done_ = true;
  c->wake_all(&flag);
  c->operation("call_once done");
}

// The completion step of a Barrier that has none.
struct NoCompletion {
  void operator()() noexcept {}
};

// std::barrier<Completion>, with its blocking operations: arrive_and_wait
// and arrive_and_drop. In a controlled run the last thread to arrive runs
// the completion and releases the phase; the others block until it has.
template <class Completion = NoCompletion>
class Barrier {
 public:
  explicit Barrier(std::ptrdiff_t expected, Completion completion = Completion())
      : native_(expected, completion), completion_(std::move(completion)), expected_(expected), remaining_(expected) {}
  Barrier(const Barrier&) = delete;
  Barrier& operator=(const Barrier&) = delete;

  void arrive_and_wait() {
    Controller* c = Controller::current();
    if (!c) return native_.arrive_and_wait();
    // TSan (tsan_handoff.h): every arrival happens before the completion
    // and every return from the phase, as in std::barrier.
    const tsan::ControlledFields fields;
    c->operation("barrier arrive");
    const std::uint64_t phase = phase_;
    tsan::release(this);
    if (arrive()) return;
    while (phase_ == phase) c->block(this, "barrier wait");
    tsan::acquire(this);
  }
  void arrive_and_drop() {
    Controller* c = Controller::current();
    if (!c) return native_.arrive_and_drop();
    const tsan::ControlledFields fields;
    c->operation("arrive_and_drop");
    --expected_;
    tsan::release(this);
    arrive();
  }

 private:
  // Controlled runs: counts the calling thread in; the last to arrive
  // completes the phase (true).
  bool arrive() {
    if (--remaining_ > 0) return false;
    tsan::acquire(this);
    {
      const tsan::CaseCode completion_is_the_case;
      completion_();
    }
    tsan::release(this);
    remaining_ = expected_;
    ++phase_;
    Controller::current()->wake_all(this);
    return true;
  }

  std::barrier<Completion> native_;
  Completion completion_;  // controlled runs
  std::ptrdiff_t expected_;
  std::ptrdiff_t remaining_;
  std::uint64_t phase_ = 0;
};

// std::condition_variable, waiting with a std::unique_lock<Mutex>. In a
// controlled run a notification wakes only threads already waiting, as the
// standard says; which waiter notify_one wakes is the scheduler's choice, and
// a wait returns spuriously only when the schedule asks for spurious wakeups
// (ScheduleSpec::spurious_wakeups). Outside one it is std::condition_variable
// (absl::CondVar in the absl build: native_mutex.h).
class ConditionVariable {
 public:
  void wait(std::unique_lock<Mutex>& lock);
  template <class Predicate>
  void wait(std::unique_lock<Mutex>& lock, Predicate ready) {
    while (!ready()) wait(lock);
  }
  void notify_one();
  void notify_all();

 private:
  NativeConditionVariable native_;
};

// std::counting_semaphore.
template <std::ptrdiff_t Max = 1'000'000>
class CountingSemaphore {
 public:
  explicit CountingSemaphore(std::ptrdiff_t initial) : native_(initial), count_(initial) {}

  void acquire() {
    Controller* c = Controller::current();
    if (!c) return native_.acquire();
    const tsan::ControlledFields fields;
    c->operation("acquire");
    while (count_ == 0) c->block(this, "acquire");
    --count_;
    // The std semaphore holds a permit too (never blocks): its acquire.
    if (!native_.try_acquire()) std::abort();
  }
  bool try_acquire() {
    Controller* c = Controller::current();
    if (!c) return native_.try_acquire();
    const tsan::ControlledFields fields;
    c->operation("try_acquire");
    if (count_ == 0) return false;
    --count_;
    if (!native_.try_acquire()) std::abort();
    return true;
  }
  void release(std::ptrdiff_t update = 1) {
    Controller* c = Controller::current();
    if (!c) return native_.release(update);
    const tsan::ControlledFields fields;
    native_.release(update);  // never blocks: the release TSan must see
    count_ += update;
    c->wake_all(this);
    c->operation("release");
  }

 private:
  std::counting_semaphore<Max> native_;
  std::ptrdiff_t count_;  // controlled runs
};

// std::latch.
class Latch {
 public:
  explicit Latch(std::ptrdiff_t expected) : native_(expected), count_(expected) {}
  void count_down(std::ptrdiff_t update = 1);
  void wait();
  void arrive_and_wait(std::ptrdiff_t update = 1);

 private:
  std::latch native_;
  std::ptrdiff_t count_;  // controlled runs
};

// std::atomic<T>::wait / notify_all, as steps of a controlled run.
template <class T>
void atomic_wait(const std::atomic<T>& value, T old) {
  Controller* c = Controller::current();
  if (!c) return value.wait(old);
  c->operation("atomic wait");
  while (value.load() == old) c->block(&value, "atomic wait");
}
template <class T>
void atomic_notify_all(std::atomic<T>& value) {
  Controller* c = Controller::current();
  if (!c) return value.notify_all();
  c->wake_all(&value);
  c->operation("atomic notify");
}

// std::this_thread::sleep_for. A controlled run has no clock: a sleep lets
// every other thread go first (and guarantees, as a real sleep does, no
// order at all).
void sleep_for(std::chrono::nanoseconds duration);

// Work on the thread's own data that takes real time: a stand-in for what a
// thread does before it touches anything shared (a start-up, a computation).
// Outside a controlled run the thread spins until it has used `duration` of
// CPU time: it holds its CPU as real work would (a sleep would hand it to the
// other threads), and on a loaded machine it takes longer in wall time, as
// real work does (a deadline on the wall clock would end it early exactly
// when the other threads are held up). A controlled run has no clock and the
// work is no step, so there it returns at once: which thread goes first is
// the schedule's choice, not the clock's.
void busy_for(std::chrono::nanoseconds duration);

// A wait loop's yield point: `while (!ready) spin_point();`. Outside a
// controlled run it is yield_point(); in one, the thread does not run again
// until another thread has made progress, so a spin cannot starve the thread
// it waits for.
void spin_point();

// thread.join() of a std::thread or std::jthread, as a step of a controlled run.
template <class Thread>
void join(Thread& thread) {
  if (Controller* c = Controller::current()) c->join(thread.get_id());
  thread.join();
}

// std::jthread whose destructor joins through the harness.
class JThread {
 public:
  template <class F, class... Args>
  explicit JThread(F&& body, Args&&... args) : native_(std::forward<F>(body), std::forward<Args>(args)...) {}
  JThread(JThread&&) noexcept = default;
  JThread& operator=(JThread&&) = delete;
  ~JThread() {
    if (native_.joinable()) {
      native_.request_stop();
      join();
    }
  }

  bool request_stop() { return native_.request_stop(); }
  bool joinable() const { return native_.joinable(); }
  void join() { hazardlab::join(native_); }

 private:
  std::jthread native_;
};

// std::promise / std::future (value types), with get() a step of a
// controlled run.
template <class T>
class Future {
 public:
  Future() = default;

  T get() {
    if (Controller* c = Controller::current()) {
      c->operation("future get");
      while (!ready_->load()) c->block(ready_.get(), "future get");
    }
    return native_.get();
  }
  bool valid() const { return native_.valid(); }

 private:
  template <class>
  friend class Promise;
  Future(std::future<T> native, std::shared_ptr<std::atomic<bool>> ready)
      : native_(std::move(native)), ready_(std::move(ready)) {}

  std::future<T> native_;
  std::shared_ptr<std::atomic<bool>> ready_;
};

template <class T>
class Promise {
 public:
  Future<T> get_future() { return Future<T>(native_.get_future(), ready_); }

  void set_value(T value) {
    native_.set_value(std::move(value));
    if (Controller* c = Controller::current()) {
      ready_->store(true);
      c->wake_all(ready_.get());
      c->operation("set_value");
    }
  }

 private:
  std::promise<T> native_;
  std::shared_ptr<std::atomic<bool>> ready_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace hazardlab
