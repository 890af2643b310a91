// A correct reference count that ThreadSanitizer reports: the release + acquire-fence idiom.
#include <atomic>

#include "harness/case.h"

namespace hazardlab {
namespace {

constexpr char kLesson[] = R"(Four threads share one object, each owning one reference to it; whoever
drops the last reference deletes it. While they work, each thread also
takes and drops extra references and reads the object's contents.

With a plain int as the count, taking and dropping references are the lost
update counter again, and a lost update now decides when memory is freed:

  1. The count is 2; T1 reads 2 to take a reference and is switched out
  2. T2 reads 2 to drop its last reference, writes 1
  3. T1 writes 3: T2's drop is lost, the count never reaches zero: a leak
  (or the other way round: a lost take lets the count reach zero while a
   thread still reads the object, which is then used after it was freed)

`fixed` is the idiom that reference-counting libraries use on their hot
path: an atomic count, decremented with memory_order_release, and an
acquire fence executed only by the thread that brought the count to zero,
just before it deletes:

  1. T1 reads the object, then fetch_sub(1, release): 2 -> 1
  2. T2 reads the object, then fetch_sub(1, release): 1 -> 0
  3. T2 runs atomic_thread_fence(acquire): its fetch_sub read the value that
     T1's release wrote, so the fence makes T1's read happen before
     everything T2 does next
  4. T2 deletes the object: after every other owner's last use

Every owner's release is needed (it publishes that owner's uses); the
acquire is needed only by the one thread that deletes, so the other owners
pay nothing for it. `fixed_acq_rel` gets the same guarantee by making every
decrement acq_rel, which costs a little on the common path.

Both fixes are correct, but ThreadSanitizer reports `fixed`: it does not
model a standalone atomic_thread_fence, so it never sees step 3, believes
T2's delete is unordered with T1's read, and reports a data race between
them. That report is a false alarm, declared as such on `fixed`: it shows
one limit of the tool, and a TSan that learns fences will find `fixed`
clean, which flips this case's test and tells us to drop the declaration.
`fixed_acq_rel`, whose acquire is on the atomic operation itself, is clean.)";

constexpr int kThreads = 4;
constexpr int kRounds = 20'000;
constexpr int kPayload = 42;

// Plain counts: every take and drop is a read, a switch point, and a write.
struct PlainShared {
  int references;
  int payload;
  std::atomic<int>* destroyed;
};

[[gnu::noinline]] void take(PlainShared* object) {
  const int seen = object->references;
  yield_point();
  object->references = seen + 1;
}

[[gnu::noinline]] void drop(PlainShared* object) {
  const int seen = object->references;
  yield_point();
  object->references = seen - 1;
  if (seen == 1) {
    object->destroyed->fetch_add(1, std::memory_order_relaxed);
    delete object;
  }
}

// Atomic count, release decrement, acquire fence on the deleting path only.
struct AtomicShared {
  std::atomic<int> references;
  int payload;
  std::atomic<int>* destroyed;
};

[[gnu::noinline]] void take(AtomicShared* object) {
  yield_point();
  object->references.fetch_add(1, std::memory_order_relaxed);  // publishes nothing
}

[[gnu::noinline]] void drop(AtomicShared* object) {
  yield_point();
  if (object->references.fetch_sub(1, std::memory_order_release) == 1) {
    if (essential("the acquire fence")) std::atomic_thread_fence(std::memory_order_acquire);
    object->destroyed->fetch_add(1, std::memory_order_relaxed);
    delete object;
  }
}

// The same, with the acquire on every decrement instead of a fence.
[[gnu::noinline]] void drop_acq_rel(AtomicShared* object) {
  yield_point();
  if (object->references.fetch_sub(1, essential(std::memory_order_acq_rel, "acq_rel")) == 1) {
    object->destroyed->fetch_add(1, std::memory_order_relaxed);
    delete object;
  }
}

// A use of the object: reads its contents, which a destroyed object no
// longer has.
template <class Shared>
[[gnu::noinline]] bool intact(const Shared* object) {
  return object->payload == kPayload;
}

// Each thread owns one reference from the start, takes and drops extra ones
// while reading the object, and finally drops its own; the last drop deletes.
Outcome broken(Threads& threads) {
  std::atomic<int> destroyed = 0;
  std::atomic<int> damaged_reads = 0;
  auto* object = new PlainShared{kThreads, kPayload, &destroyed};
  threads.run(kThreads, [&](int) {
    for (int i = 0; i < kRounds; ++i) {
      take(object);
      if (!intact(object)) damaged_reads.fetch_add(1, std::memory_order_relaxed);
      drop(object);
    }
    drop(object);
  });
  return {destroyed.load(), damaged_reads.load()};
}

// Correct: release decrements, acquire fence before the delete. TSan does
// not see the fence and reports the delete (a declared false alarm).
Outcome fixed(Threads& threads) {
  std::atomic<int> destroyed = 0;
  std::atomic<int> damaged_reads = 0;
  auto* object = new AtomicShared{kThreads, kPayload, &destroyed};
  threads.run(kThreads, [&](int) {
    for (int i = 0; i < kRounds; ++i) {
      take(object);
      if (!intact(object)) damaged_reads.fetch_add(1, std::memory_order_relaxed);
      drop(object);
    }
    drop(object);
  });
  return {destroyed.load(), damaged_reads.load()};
}

// Correct, and visibly so to TSan: acq_rel decrements, no standalone fence.
Outcome fixed_acq_rel(Threads& threads) {
  std::atomic<int> destroyed = 0;
  std::atomic<int> damaged_reads = 0;
  auto* object = new AtomicShared{kThreads, kPayload, &destroyed};
  threads.run(kThreads, [&](int) {
    for (int i = 0; i < kRounds; ++i) {
      take(object);
      if (!intact(object)) damaged_reads.fetch_add(1, std::memory_order_relaxed);
      drop_acq_rel(object);
    }
    drop_acq_rel(object);
  });
  return {destroyed.load(), damaged_reads.load()};
}

bool destroyed_once_but_damaged(const Outcome& o) { return o.values()[0] == 1 && o.values()[1] > 0; }

HAZARDLAB_CASE({
    .name = "refcount_fence",
    .title = "A correct refcount (release + acquire fence) that TSan reports",
    .order = 200,
    .notebook = "reference counts must be updated atomically (why CPython has a GIL); in C++ the "
                "atomic count also needs the right memory orders, and the tools see some orders "
                "better than others",
    .lesson = kLesson,
    .outcome_meaning = "times destroyed, reads that found the object damaged",
    .outcomes = {acceptable(equals({1, 0}), "destroyed exactly once, every read found it intact"),
                 forbidden(below(1), "never destroyed: a lost drop leaked it"),
                 forbidden(above(1), "destroyed more than once: a lost take freed it early"),
                 forbidden(where("destroyed once, a read found it damaged", destroyed_once_but_damaged),
                           "a read found the object already freed")},
    .variants = {{"broken", broken,
                  // An early delete can also end the run in a segfault or in glibc's heap
                  // checks aborting (measured natively: 5 and 6 of 60 trials).
                  {sees(Detector::kDrd, report("Conflicting")),
                   sees(Detector::kHelgrind, report("Possible data race")),
                   misses(Detector::kThreadSafety, "atomics, fences and memory orders, no lock: "
                                                   "the analysis reasons about capabilities "
                                                   "(locks) only"),
                   pct_sees(forbidden_outcome(), terminates("SIGSEGV"), terminates("SIGABRT")).within(6),
                   outcome_sees(forbidden_outcome(), terminates("SIGSEGV"), terminates("SIGABRT")),
                   tsan_sees(report("data race")),
                   asan_sees(report("heap-use-after-free"), report("double-free"),
                             report("detected memory leaks")),
                   // absl: Abseil reports nothing (no lock is taken, so no lock order); the
                   // run shows what every native build shows (18 of 30 crashed, 12 leaked;
                   // another run 20 of 20 leaked).
                   sees(Detector::kAbsl, forbidden_outcome(), terminates("SIGSEGV"), terminates("SIGABRT"))
                       .because("not Abseil's: the outcome check and the native crash; no lock is taken, "
                                "so there is no lock order to check")}},
                 {"fixed", fixed,
                  // Measured 34-40 of 40 under load: a budget of 20 keeps the test stable.
                  // The false alarm is tied to the idiom: the delete in drop() against a read
                  // in intact(), or (under pct, whose schedules can put another owner's
                  // increment last) against take()'s relaxed increment; a data race
                  // anywhere else counts against the fix.
                  {false_alarm(Detector::kTsan, report("data race").in("drop", "intact", "take", "fixed"),
                               "TSan does not model a standalone atomic_thread_fence: it misses the "
                               "acquire that orders the other owners' reads before the delete")
                       .within(20),
                   // GCC's libtsan: the same race, delete in drop() at line 91, but
                   // the worker lambda of fixed() that calls drop() is named
                   // "operator()" alone (measured), so the tie names it too.
                   false_alarm(Detector::kTsanGcc, report("data race").in("drop", "intact", "take", "fixed", "operator()"),
                               "GCC's TSan ignores standalone fences (it warns so when compiling): it misses the "
                               "acquire before the delete; its frames name the worker lambda 'operator()' alone")
                       .within(20)},
                  mutant("the acquire fence")
                      .unverified_because("TSan reports the same race with or without the fence; the "
                                          "outcome detector and pct see no reordering on x86 and in a "
                                          "sequentially consistent schedule; ASan sees valid memory")},
                 {"fixed_acq_rel", fixed_acq_rel, {}, mutant("acq_rel").caught_by(Detector::kTsan)}},
});

}  // namespace
}  // namespace hazardlab
