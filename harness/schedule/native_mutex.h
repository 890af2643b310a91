#pragma once

// The real mutex and condition variable inside the harness's Mutex and
// ConditionVariable (sync.h), chosen at compile time:
//
//  - every build but one: std::mutex and std::condition_variable;
//  - the absl build (HAZARDLAB_ABSL_MUTEX, set by the `absl` preset's cache
//    variable): absl::Mutex and absl::CondVar, so that Abseil's deadlock
//    detector sees every lock a case takes through the harness. It keeps a
//    graph of which mutex was held while another was acquired, and reports a
//    cycle in it ("Potential Mutex deadlock") at the acquisition that closes
//    the cycle, before that acquisition can block: a lock-order inversion is
//    found from the history of acquisitions, on runs that never hang.
//
// Both have the same std-style names (lock, try_lock, unlock; wait,
// notify_one, notify_all), so sync.cc, the controlled-run modelling and the
// std guards over a Mutex (std::lock_guard, std::unique_lock, std::scoped_lock)
// are written once. RecursiveMutex and SharedMutex stay std in every build:
// Abseil has no recursive mutex, and the absl build's lesson is the plain
// Mutex's lock order (README.md, "The absl detector").

#include <condition_variable>
#include <mutex>

#ifdef HAZARDLAB_ABSL_MUTEX
#include "absl/synchronization/mutex.h"
#endif

namespace hazardlab {

#ifdef HAZARDLAB_ABSL_MUTEX

// absl::Mutex under the std names. Its own thread-safety annotations are left
// to the harness's Mutex, which carries them (the thread-safety build is a
// std build anyway).
class NativeMutex {
 public:
  void lock() ABSL_NO_THREAD_SAFETY_ANALYSIS { mutex_.Lock(); }
  bool try_lock() ABSL_NO_THREAD_SAFETY_ANALYSIS { return mutex_.TryLock(); }
  void unlock() ABSL_NO_THREAD_SAFETY_ANALYSIS { mutex_.Unlock(); }

 private:
  friend class NativeConditionVariable;
  absl::Mutex mutex_;
};

// absl::CondVar, waiting on a NativeMutex the caller holds.
class NativeConditionVariable {
 public:
  void wait(NativeMutex& held) { condition_.Wait(&held.mutex_); }
  void notify_one() { condition_.Signal(); }
  void notify_all() { condition_.SignalAll(); }

 private:
  absl::CondVar condition_;
};

#else

using NativeMutex = std::mutex;

// std::condition_variable, waiting on a std::mutex the caller holds.
class NativeConditionVariable {
 public:
  void wait(NativeMutex& held) {
    std::unique_lock<std::mutex> lock(held, std::adopt_lock);
    condition_.wait(lock);
    lock.release();  // still held: the caller's lock owns it
  }
  void notify_one() { condition_.notify_one(); }
  void notify_all() { condition_.notify_all(); }

 private:
  std::condition_variable condition_;
};

#endif

}  // namespace hazardlab
