#pragma once

// The mutation test's switches. A fixed variant marks the one thing that
// makes it correct (a lock, a fence, a join, a memory order) with
// `essential(...)`; the mutation test runs the same variant with that thing
// removed (its mutant) and checks that some detector of the suite tells the
// two apart. Outside a mutant run every switch is the plain code: a
// variable read once, then a branch that always goes the same way.
//
// A mutant run is named by the environment variable HAZARDLAB_MUTATION
// (inherited by every trial's child process): the switches whose name equals
// it are off.

#include <atomic>
#include <mutex>

#include "absl/base/thread_annotations.h"

namespace hazardlab {

// True unless this run is the mutant that removes `what`.
bool essential(const char* what);

// `order`, or memory_order_relaxed in the mutant that removes `what`.
inline std::memory_order essential(std::memory_order order, const char* what) {
  return essential(what) ? order : std::memory_order_relaxed;
}

// A lock held until the end of the scope, or not taken at all in the mutant
// that removes `what`:  EssentialLock lock(mutex, "the lock");
// To the thread-safety analysis (the thread-safety build) the lock is held:
// the compiler checks the code as written, the mutant is a run-time switch.
template <class Lockable>
class ABSL_SCOPED_LOCKABLE EssentialLock : public std::unique_lock<Lockable> {
 public:
  EssentialLock(Lockable& mutex, const char* what) ABSL_EXCLUSIVE_LOCK_FUNCTION(mutex)
      : std::unique_lock<Lockable>(mutex, std::defer_lock) {
    if (essential(what)) std::unique_lock<Lockable>::lock();
  }
  ~EssentialLock() ABSL_UNLOCK_FUNCTION() {}
};

// The environment variable that names a mutant run.
inline constexpr char kMutationVariable[] = "HAZARDLAB_MUTATION";

}  // namespace hazardlab
