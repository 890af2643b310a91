#include "harness/case.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harness/registry.h"

namespace hazardlab {
namespace {

std::vector<Case>& registry() {
  static std::vector<Case> cases;
  return cases;
}

}  // namespace

namespace {

// One row per detector: its name (the preset of its build is the same name,
// the outcome detector's is "dev"), the sanitizer its build has, whose
// declarations it falls back to, and the Valgrind tool its trials run under
// (empty: none).
struct DetectorRow {
  Detector detector;
  absl::string_view name;
  Sanitizer sanitizer;
  Detector declares_like;
  absl::string_view valgrind_tool = "";
};

constexpr DetectorRow kDetectorTable[] = {
    {Detector::kOutcome, "outcome", Sanitizer::kNone, Detector::kOutcome},
    {Detector::kTsan, "tsan", Sanitizer::kThread, Detector::kTsan},
    {Detector::kAsan, "asan", Sanitizer::kAddress, Detector::kAsan},
    {Detector::kThreadSafety, "thread-safety", Sanitizer::kNone, Detector::kThreadSafety},
    {Detector::kTsan19, "tsan19", Sanitizer::kThread, Detector::kTsan},
    {Detector::kTsanGcc, "tsan-gcc", Sanitizer::kThread, Detector::kTsan},
    {Detector::kAbsl, "absl", Sanitizer::kAbslMutex, Detector::kAbsl},
    // Valgrind's thread-error detectors: native builds (no sanitizer), each
    // with declarations of its own (neither sees what TSan sees: Helgrind
    // and DRD know pthreads, not C++ atomics).
    {Detector::kHelgrind, "helgrind", Sanitizer::kNone, Detector::kHelgrind, "helgrind"},
    {Detector::kDrd, "drd", Sanitizer::kNone, Detector::kDrd, "drd"},
};

const DetectorRow& row(Detector detector) {
  for (const DetectorRow& r : kDetectorTable) {
    if (r.detector == detector) return r;
  }
  return kDetectorTable[0];  // unreachable: every enumerator has a row (tests/registry_test.cc)
}

}  // namespace

absl::string_view detector_name(Detector detector) { return row(detector).name; }
Sanitizer sanitizer_of(Detector detector) { return row(detector).sanitizer; }
Detector declares_like(Detector detector) { return row(detector).declares_like; }

absl::string_view valgrind_tool_of(Detector detector) { return row(detector).valgrind_tool; }

std::optional<Detector> parse_detector(absl::string_view name) {
  for (Detector detector : kAllDetectors) {
    if (detector_name(detector) == name) return detector;
  }
  return std::nullopt;
}

std::string Evidence::describe() const {
  switch (kind) {
    case Kind::kForbiddenOutcome: return "a forbidden outcome";
    case Kind::kReport:
      return functions.empty() ? absl::StrCat("a '", detail, "' report")
                               : absl::StrCat("a '", detail, "' report in ", absl::StrJoin(functions, ", "));
    case Kind::kHang: return "a hang";
    case Kind::kTermination: return absl::StrCat("termination ('", detail, "')");
    case Kind::kDeadlock: return "a deadlock";
    case Kind::kHarnessFailure: return "a failure of the harness";
  }
  return "?";
}

absl::string_view evidence_kind_name(Evidence::Kind kind) {
  switch (kind) {
    case Evidence::Kind::kForbiddenOutcome: return "forbidden outcome";
    case Evidence::Kind::kReport: return "report";
    case Evidence::Kind::kHang: return "hang";
    case Evidence::Kind::kTermination: return "termination";
    case Evidence::Kind::kDeadlock: return "deadlock";
    case Evidence::Kind::kHarnessFailure: return "harness failure";
  }
  return "?";
}

Evidence forbidden_outcome() { return Evidence{.kind = Evidence::Kind::kForbiddenOutcome, .detail = ""}; }
Evidence report(std::string kind) { return Evidence{.kind = Evidence::Kind::kReport, .detail = std::move(kind)}; }
Evidence hang() { return Evidence{.kind = Evidence::Kind::kHang, .detail = ""}; }
Evidence terminates(std::string signal_or_message) {
  return Evidence{.kind = Evidence::Kind::kTermination, .detail = std::move(signal_or_message)};
}
Evidence deadlock() { return Evidence{.kind = Evidence::Kind::kDeadlock, .detail = ""}; }
Evidence warning(std::string message) {
  return Evidence{.kind = Evidence::Kind::kReport, .detail = std::move(message)};
}

Expectation Expectation::within(int run_budget) const {
  Expectation copy = *this;
  copy.trials = run_budget;
  return copy;
}

Expectation Expectation::because(std::string reason) const {
  Expectation copy = *this;
  copy.why = std::move(reason);
  return copy;
}

Expectation Expectation::under(SchedulerKind kind) const {
  Expectation copy = *this;
  copy.scheduler = kind;
  return copy;
}

Expectation misses(Detector detector, std::string why) {
  return {detector, Expectation::Kind::kMisses, {}, std::move(why), 0};
}

Expectation tsan_pct_misses(std::string why) {
  return misses(Detector::kTsan, std::move(why)).under(SchedulerKind::kPct);
}

Expectation pct_misses(std::string why) {
  return misses(Detector::kOutcome, std::move(why)).under(SchedulerKind::kPct);
}

Expectation gil_misses(std::string why) {
  return misses(Detector::kOutcome, std::move(why)).under(SchedulerKind::kGil);
}

Expectation walk_misses(std::string why) {
  return misses(Detector::kOutcome, std::move(why)).under(SchedulerKind::kWalk);
}

Expectation false_alarm(Detector detector, Evidence evidence, std::string why) {
  return {detector, Expectation::Kind::kFalseAlarm, {std::move(evidence)}, std::move(why), 0};
}

bool Mutant::caught_by_detector(Detector detector) const {
  // tsan19 and tsan-gcc catch what tsan catches unless listed themselves.
  for (Detector d : {detector, declares_like(detector)}) {
    if (std::find(detectors.begin(), detectors.end(), d) != detectors.end()) return true;
  }
  return false;
}

Mutant mutant(std::string what) { return Mutant{.removes = std::move(what)}; }
Mutant no_mutant(std::string why) { return Mutant{.none = std::move(why)}; }

bool Variant::is_broken() const { return name.starts_with("broken"); }

const Expectation* Variant::expectation_for(Detector detector, SchedulerKind scheduler) const {
  // The outcome detector has one declaration for the stress schedulers and
  // one for the controlled ones (pct_sees). A sanitizer's stress
  // declaration holds under every scheduler, unless a controlled one
  // (tsan_pct_sees) says what it sees under walk, pct and gil: a race
  // that only a rare order of synchronization shows is missed free-running
  // and found by pct.
  const bool controlled = is_controlled(scheduler);
  const Expectation* pct = nullptr;
  const Expectation* stress = nullptr;
  for (const Expectation& e : expect) {
    if (e.detector != detector) continue;
    if (!is_controlled(e.scheduler)) {
      if (!stress) stress = &e;
      continue;
    }
    if (!controlled) continue;
    if (e.scheduler == scheduler) return &e;
    // The pct declaration stands for a controlled scheduler that has none
    // of its own (gil_sees, walk_misses, ...).
    if (e.scheduler == SchedulerKind::kPct) pct = &e;
  }
  const Expectation* own = !controlled ? stress : pct ? pct : detector == Detector::kOutcome ? nullptr : stress;
  if (own) return own;
  // Nothing of its own: the declarations of the detector it stands in for
  // (tsan19 and tsan-gcc expect what tsan expects).
  if (declares_like(detector) != detector) return expectation_for(declares_like(detector), scheduler);
  return nullptr;
}

const Variant* Case::find_variant(absl::string_view variant_name) const {
  for (const Variant& v : variants) {
    if (v.name == variant_name) return &v;
  }
  return nullptr;
}

bool register_case(Case c) {
  std::vector<Case>& cases = registry();
  cases.push_back(std::move(c));
  std::stable_sort(cases.begin(), cases.end(),
                   [](const Case& a, const Case& b) { return a.order < b.order; });
  return true;
}

namespace {

struct PendingExercise {
  std::string case_name;
  Outcome (*body)(Threads& threads);
};

std::vector<PendingExercise>& pending_exercises() {
  static std::vector<PendingExercise> pending;
  return pending;
}

// Exercise files register in any order relative to their cases (static
// initialization across files has none): they join their case on first use.
const std::vector<Case>& registry_with_exercises() {
  std::vector<Case>& cases = registry();
  for (PendingExercise& e : pending_exercises()) {
    for (Case& c : cases) {
      if (c.name != e.case_name || c.find_variant(kExerciseVariant)) continue;
      Variant v;
      v.name = kExerciseVariant;
      v.body = e.body;
      v.mutant = no_mutant("the learner's version: the case's fixed variants carry the mutation test");
      c.variants.push_back(std::move(v));
    }
  }
  pending_exercises().clear();
  return cases;
}

}  // namespace

bool register_exercise(std::string case_name, Outcome (*body)(Threads& threads)) {
  pending_exercises().push_back({std::move(case_name), body});
  return true;
}

const std::vector<Case>& all_cases() { return registry_with_exercises(); }

const Case* find_case(absl::string_view name) {
  for (const Case& c : registry_with_exercises()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace hazardlab
