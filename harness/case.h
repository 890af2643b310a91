#pragma once

// Everything a case file needs: the vocabulary to declare one hazard, its
// variants, its outcome classes and what each detector must see.
// A case file includes this header and nothing else from the harness.

#include <chrono>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "harness/evidence/outcome.h"
#include "harness/mutation.h"
#include "harness/schedule/scheduler.h"
#include "harness/schedule/sync.h"
#include "harness/schedule/threads.h"
#include "harness/schedule/yield_point.h"

namespace hazardlab {

// What turns runs into evidence. Each build runs one: the dev build checks
// outcomes under a stress scheduler, the tsan builds read ThreadSanitizer
// reports (tsan: clang 14's runtime, the reference; tsan19: clang 19's;
// tsan-gcc: GCC 12's libtsan), the asan build reads
// AddressSanitizer/UBSan/LeakSanitizer reports. Every detector also sees
// hangs (the watchdog) and crashes. One detector runs no code:
// thread-safety reads the warnings of clang's -Wthread-safety analysis when
// the thread-safety build compiles the case file (the contract the case's
// ABSL_GUARDED_BY / ABSL_ACQUIRED_BEFORE annotations state, checked at
// compile time). absl is a native build whose Mutex is absl::Mutex with
// Abseil's deadlock detector on: it reports a cycle in the history of lock
// acquisitions (lock order), and nothing else. Two detectors are Valgrind's
// thread-error tools: helgrind and drd are native builds whose trial children
// run under `valgrind --tool=helgrind|drd` (harness/run/valgrind.h), and read
// that tool's reports. A new detector is one enumerator here and one row of
// the table in harness/case.cc.
enum class Detector {
  kOutcome,
  kTsan,
  kAsan,
  kThreadSafety,
  kTsan19,
  kTsanGcc,
  kAbsl,
  kHelgrind,
  kDrd,
};

inline constexpr Detector kAllDetectors[] = {
    Detector::kOutcome,
    Detector::kTsan,
    Detector::kAsan,
    Detector::kThreadSafety,
    Detector::kTsan19,
    Detector::kTsanGcc,
    Detector::kAbsl,
    Detector::kHelgrind,
    Detector::kDrd,
};

// The sanitizer a detector's build is compiled with: what reports it reads.
// kAbslMutex is no compiler sanitizer: a native build whose harness Mutex is
// absl::Mutex, read for Abseil's "Potential Mutex deadlock" reports.
enum class Sanitizer { kNone, kThread, kAddress, kAbslMutex };

absl::string_view detector_name(Detector detector);
std::optional<Detector> parse_detector(absl::string_view name);
Sanitizer sanitizer_of(Detector detector);
inline bool is_tsan(Detector detector) { return sanitizer_of(detector) == Sanitizer::kThread; }
// Whose declarations stand for this detector where a variant declares none of
// its own: tsan19 and tsan-gcc are ThreadSanitizer too and expect what tsan
// (clang 14) expects; a case declares for them only where they measurably
// differ, with the reason. Every other detector: itself.
Detector declares_like(Detector detector);
// The Valgrind tool whose reports a detector reads ("helgrind", "drd"), or
// empty: its build is native, and its trials run under that tool.
absl::string_view valgrind_tool_of(Detector detector);
inline bool is_valgrind(Detector detector) { return !valgrind_tool_of(detector).empty(); }

// One kind of thing a run can show.
struct Evidence {
  enum class Kind {
    kForbiddenOutcome,  // the variant returned an outcome its case forbids
    kReport,            // a sanitizer report whose kind contains `detail`
    kHang,              // the run did not finish before its deadline
    kTermination,       // the process died: `detail` is its signal ("SIGABRT") or a line of its output
    kDeadlock,          // controlled runs: every live thread waited on a harness primitive
    kHarnessFailure,    // the harness itself failed in the trial: never a case's evidence, never declared
  };
  Kind kind;
  std::string detail;
  // A report tied to where it is expected: when not empty, every frame of
  // the report in case code must be in one of these functions (a name as
  // the source spells it: "drop", "fixed_fences"). A declared false alarm
  // is tied this way so that a report anywhere else counts against the
  // variant.
  std::vector<std::string> functions;

  // The same evidence, tied to frames in `functions`.
  template <class... Names>
  Evidence in(Names... names) const {
    Evidence copy = *this;
    (copy.functions.push_back(names), ...);
    return copy;
  }

  std::string describe() const;
};

// "forbidden outcome", "report", "hang", "termination", "deadlock",
// "harness failure" (JSON output).
absl::string_view evidence_kind_name(Evidence::Kind kind);

Evidence forbidden_outcome();
Evidence report(std::string kind);
Evidence hang();
// A signal name ("SIGSEGV", "SIGABRT") or a line the dying run prints
// ("terminate called without an active exception"); never empty: a
// termination that matched anything would match the harness's own crashes.
Evidence terminates(std::string signal_or_message);
Evidence deadlock();
// A compiler warning of the thread-safety detector whose message contains
// `message` ("writing variable 'value' requires holding mutex"), in the
// variant's own function (its lambdas and local types included) unless tied
// elsewhere with .in("helper").
Evidence warning(std::string message);

// What a detector is declared to make of a variant.
struct Expectation {
  enum class Kind {
    kDetects,     // shows one of `evidence` within `trials` runs
    kMisses,      // cannot see this hazard (`why` says why); seeing it would flip the test
    kFalseAlarm,  // reports a correct variant: a known limit of the tool, `why` says which
  };
  Detector detector;
  Kind kind;
  std::vector<Evidence> evidence;  // any one of them counts
  std::string why;
  int trials = 0;                  // run budget; 0: the detector's default
  // The stress scheduler the detector runs under by default. An expectation
  // under a controlled scheduler is the detector's under that scheduler
  // (pct_sees: the outcome detector's; tsan_pct_sees: TSan's); the pct one
  // also stands for walk and gil unless they have their own (gil_sees,
  // walk_misses, ...).
  SchedulerKind scheduler = SchedulerKind::kRandom;

  Expectation within(int run_budget) const;
  Expectation under(SchedulerKind kind) const;
  // Why a detector sees the hazard this way (a declaration for one TSan
  // build that differs from tsan's says so, with what was measured).
  Expectation because(std::string reason) const;
};

template <class... E>
Expectation sees(Detector detector, E... evidence) {
  return {detector, Expectation::Kind::kDetects, {std::move(evidence)...}, "", 0};
}
template <class... E>
Expectation outcome_sees(E... evidence) { return sees(Detector::kOutcome, std::move(evidence)...); }
template <class... E>
Expectation tsan_sees(E... evidence) { return sees(Detector::kTsan, std::move(evidence)...); }
template <class... E>
Expectation asan_sees(E... evidence) { return sees(Detector::kAsan, std::move(evidence)...); }
// Every warning listed must be there, and no other (each is a line of the
// compiler's output, not a chance event).
template <class... E>
Expectation thread_safety_sees(E... evidence) { return sees(Detector::kThreadSafety, std::move(evidence)...); }

// What the outcome detector sees under controlled schedulers (walk, pct,
// gil); the budget (`within`) is in pct schedules.
template <class... E>
Expectation pct_sees(E... evidence) {
  return sees(Detector::kOutcome, std::move(evidence)...).under(SchedulerKind::kPct);
}

// The same for one other controlled scheduler, where it differs from pct:
// gil switches round robin only at yield points (CPython's rule), so a
// hazard that needs a thread to be preempted between two harness
// operations can be out of its reach; walk switches at random at every step.
template <class... E>
Expectation gil_sees(E... evidence) {
  return sees(Detector::kOutcome, std::move(evidence)...).under(SchedulerKind::kGil);
}
template <class... E>
Expectation walk_sees(E... evidence) {
  return sees(Detector::kOutcome, std::move(evidence)...).under(SchedulerKind::kWalk);
}

// What ThreadSanitizer sees under controlled schedulers (the tsan build runs
// walk, pct and gil too); the budget (`within`) is in pct schedules. A
// variant without one is judged there by its tsan_sees/misses declaration,
// with the controlled default budget (100 schedules broken, 1,000 correct).
template <class... E>
Expectation tsan_pct_sees(E... evidence) {
  return sees(Detector::kTsan, std::move(evidence)...).under(SchedulerKind::kPct);
}

Expectation misses(Detector detector, std::string why);
Expectation tsan_pct_misses(std::string why);
Expectation pct_misses(std::string why);
Expectation gil_misses(std::string why);
Expectation walk_misses(std::string why);
Expectation false_alarm(Detector detector, Evidence evidence, std::string why);

// What the mutation test does to a fixed variant: runs it with one
// `essential(...)` switch off (its mutant: the lock, fence, join or memory
// order that makes it correct, removed) and checks that the detectors of the
// suite tell the mutant from the fix. Declared, like every expectation, and
// checked by running: `caught_by` lists the detectors that must catch the
// mutant (the outcome detector catches it under a stress or a controlled
// scheduler); a mutant that no detector catches says why (`unverified`), and
// its fixed variant's verdict is then "unverified", never "clean".
struct Mutant {
  std::string removes;              // the essential(...) name the mutant switches off; "" = no mutant
  std::vector<Detector> detectors;  // the detectors that catch it
  std::string unverified;           // why no detector of the suite catches it
  std::string none;                 // why the variant has no one-line mutant

  template <class... D>
  Mutant caught_by(D... detector) const {
    Mutant copy = *this;
    (copy.detectors.push_back(detector), ...);
    return copy;
  }
  Mutant unverified_because(std::string why) const {
    Mutant copy = *this;
    copy.unverified = std::move(why);
    return copy;
  }
  bool caught_by_detector(Detector detector) const;
};

// The mutant of a fixed variant without `essential(what)`.
Mutant mutant(std::string what);
// A fixed variant whose correctness is not one removable line (a different
// algorithm, a different data layout): `why` says so.
Mutant no_mutant(std::string why);

// One way to write the hazard's code. Names starting with "broken" are the
// hazard; every other variant ("fixed", "fixed_atomic", ...) is a correct
// version and is expected clean under every detector unless an expectation
// says otherwise (a declared false alarm).
struct Variant {
  std::string name;
  Outcome (*body)(Threads& threads);
  std::vector<Expectation> expect;  // broken: one per detector; fixed: usually none
  Mutant mutant = {};               // fixed variants: the mutation test's break

  bool is_broken() const;
  // No detector of the suite tells this fixed variant from its mutant.
  bool is_unverified() const { return !is_broken() && !mutant.unverified.empty(); }
  // The declared expectation for `detector` under `scheduler` (a
  // controlled scheduler finds the pct expectation); nullptr means "clean".
  const Expectation* expectation_for(Detector detector, SchedulerKind scheduler) const;
};

struct Case {
  std::string name;      // snake_case, the name users type
  std::string title;     // one line for `hazardlab list`
  int order = 0;         // position in the curriculum
  std::string notebook;  // the notebook idea this case renders, in our words
  std::string lesson;    // what goes wrong, the numbered interleaving, why the fix works
  std::string outcome_meaning;  // what the outcome value(s) are, e.g. "final count"
  std::vector<OutcomeClass> outcomes;
  std::vector<Variant> variants;
  // The watchdog: a run still going after this long is killed and is a hang.
  std::chrono::milliseconds deadline{10'000};
  // A lesson told by a benchmark rather than by variants (cpu_vs_io_bound):
  // how to run it. Such a case has no variants and no tests.
  std::string benchmark;
  // The case's source file (the registration macro fills it in).
  std::string source_file;

  const Variant* find_variant(absl::string_view name) const;
};

// Adds a case to the registry; returns true so a namespace-scope constant can
// hold the result. Case files call it through HAZARDLAB_CASE.
bool register_case(Case c);

// A learner's exercise (exercises/CASE.cc, `hazardlab exercise`): one more
// variant of a case, named "exercise", declared clean everywhere, judged
// like the case's fixed variants. Returns true, like register_case.
bool register_exercise(std::string case_name, Outcome (*body)(Threads& threads));
inline constexpr char kExerciseVariant[] = "exercise";

}  // namespace hazardlab

// Registers the learner's version in exercises/CASE.cc:  HAZARDLAB_EXERCISE(lost_update, attempt);
#define HAZARDLAB_EXERCISE(case_name, function)                                     \
  [[maybe_unused]] static const bool hazardlab_exercise_registered =                \
      ::hazardlab::register_exercise(#case_name, function)

// Registers a case from a case file:  HAZARDLAB_CASE({ .name = ..., ... });
#define HAZARDLAB_CASE(...)                                                        \
  [[maybe_unused]] static const bool hazardlab_case_registered =                    \
      ::hazardlab::register_case([] {                                               \
        ::hazardlab::Case c = __VA_ARGS__;                                          \
        c.source_file = __FILE__;                                                   \
        return c;                                                                   \
      }())
