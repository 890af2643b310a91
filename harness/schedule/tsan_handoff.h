#pragma once

// What ThreadSanitizer may see of a controlled run (tsan build only; every
// function here is empty elsewhere).
//
// The controller passes the turn between threads through atomics and futex
// waits. To TSan that is synchronization: each handoff would order one
// thread's steps before the next thread's, and every race a schedule
// exposes would be hidden behind happens-before the case never had. So:
//
// - HarnessOnly: the controller's own code (its handoff, its bookkeeping,
//   its stall monitor) runs with TSan ignoring its synchronization, reads
//   and writes. TSan's dynamic-annotation interface counts these scopes
//   per thread, so they nest.
// - ControlledFields: a case-facing primitive's model fields (a Mutex's
//   held_, a Latch's count_) are read and written by whichever thread holds
//   the turn, ordered only by the now invisible handoff: TSan ignores those
//   accesses, but not synchronization, so that the std primitive used
//   beside them (a Mutex's std::mutex, locked once the controller says it
//   is free) is still happens-before, as the case's synchronization must be.
// - release(object) / acquire(object): the happens-before a primitive
//   implies when it has no std counterpart that can be used without
//   blocking (a barrier's phase, call_once's completion).

// GCC 12 has no __has_feature; it says -fsanitize=thread with
// __SANITIZE_THREAD__ (the tsan-gcc build), and its libtsan exports the
// same annotation interface.
#if defined(__SANITIZE_THREAD__)
#define HAZARDLAB_TSAN_ANNOTATIONS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define HAZARDLAB_TSAN_ANNOTATIONS 1
#endif
#endif

#ifdef HAZARDLAB_TSAN_ANNOTATIONS
extern "C" {
void AnnotateIgnoreSyncBegin(const char* file, int line);
void AnnotateIgnoreSyncEnd(const char* file, int line);
void AnnotateIgnoreReadsBegin(const char* file, int line);
void AnnotateIgnoreReadsEnd(const char* file, int line);
void AnnotateIgnoreWritesBegin(const char* file, int line);
void AnnotateIgnoreWritesEnd(const char* file, int line);
void AnnotateHappensBefore(const char* file, int line, const volatile void* address);
void AnnotateHappensAfter(const char* file, int line, const volatile void* address);
}
#endif

namespace hazardlab::tsan {

// The controller's code: invisible to TSan, synchronization included.
class HarnessOnly {
 public:
#ifdef HAZARDLAB_TSAN_ANNOTATIONS
  HarnessOnly() {
    AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
    AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
    AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
  }
  ~HarnessOnly() {
    AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
    AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
    AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
  }
#else
  HarnessOnly() {}
#endif
  HarnessOnly(const HarnessOnly&) = delete;
  HarnessOnly& operator=(const HarnessOnly&) = delete;
};

// A primitive's model fields: accesses invisible, synchronization seen.
class ControlledFields {
 public:
#ifdef HAZARDLAB_TSAN_ANNOTATIONS
  ControlledFields() {
    AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
    AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
  }
  ~ControlledFields() {
    AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
    AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
  }
#else
  ControlledFields() {}
#endif
  ControlledFields(const ControlledFields&) = delete;
  ControlledFields& operator=(const ControlledFields&) = delete;
};

// Case code called from inside a ControlledFields scope (call_once's body,
// a barrier's completion): TSan sees its accesses again.
class CaseCode {
 public:
#ifdef HAZARDLAB_TSAN_ANNOTATIONS
  CaseCode() {
    AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
    AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
  }
  ~CaseCode() {
    AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
    AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
  }
#else
  CaseCode() {}
#endif
  CaseCode(const CaseCode&) = delete;
  CaseCode& operator=(const CaseCode&) = delete;
};

// Everything the calling thread did so far happens before whatever a later
// acquire(object) on any thread does.
inline void release([[maybe_unused]] const void* object) {
#ifdef HAZARDLAB_TSAN_ANNOTATIONS
  AnnotateHappensBefore(__FILE__, __LINE__, object);
#endif
}
inline void acquire([[maybe_unused]] const void* object) {
#ifdef HAZARDLAB_TSAN_ANNOTATIONS
  AnnotateHappensAfter(__FILE__, __LINE__, object);
#endif
}

}  // namespace hazardlab::tsan
