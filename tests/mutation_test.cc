// The mutation test: every fixed variant that marks its fix with
// essential(...) is run once more with that fix removed (its mutant, the
// same code minus one lock, fence, join or memory order), under the
// detectors of this build, and judged as the fixed variant is judged. A
// mutant is caught when the verdict is not as declared. What the case
// declares about its mutant (harness/case.h, Mutant) is checked both ways a
// build can check it: a detector declared to catch the mutant must catch it,
// and a mutant declared unverified must not be caught (else the declaration,
// and the fixed variant's "unverified" verdict, are out of date).
#include <gtest/gtest.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harness/registry.h"
#include "harness/run/runner.h"

namespace hazardlab {
namespace {

struct MutantCase {
  std::string case_name;
  std::string variant;
};

// Names the test in listings (and in CTest) instead of the bytes.
void PrintTo(const MutantCase& m, std::ostream* os) { *os << m.case_name << "/" << m.variant; }

std::vector<MutantCase> mutants() {
  std::vector<MutantCase> found;
  for (const Case& c : all_cases()) {
    if (c.name.starts_with("test_")) continue;
    for (const Variant& v : c.variants) {
      if (!v.is_broken() && !v.mutant.removes.empty()) found.push_back({c.name, v.name});
    }
  }
  return found;
}

// Runs trials of the mutant named by `removes`; every child inherits the
// switch through the environment.
class MutantRun {
 public:
  explicit MutantRun(const std::string& removes) { setenv(kMutationVariable, removes.c_str(), 1); }
  ~MutantRun() { unsetenv(kMutationVariable); }
  MutantRun(const MutantRun&) = delete;
  MutantRun& operator=(const MutantRun&) = delete;
};

// What one build's detector made of a mutant.
struct Catch {
  std::string how;       // "tsan under random: fix fails", or "" when nothing caught it
  bool inconclusive = false;  // it hung, but so does the fix itself here and now
  std::string verdicts;  // every run's verdict, for the log
};

// A hang catches a mutant only if the fix itself finishes: on a loaded
// machine a sanitized trial can outlast its deadline with or without the
// mutation.
bool fix_hangs_too(const Case& c, const Variant& v, Detector detector, const ScheduleSpec& spec, std::uint64_t seed) {
  unsetenv(kMutationVariable);
  RunPlan plan{.c = &c, .variant = &v, .detector = detector, .spec = spec};
  plan.spec.seed = seed;
  plan.trials = 1;
  const Judgement j = execute(plan);
  setenv(kMutationVariable, v.mutant.removes.c_str(), 1);
  return j.verdict == Verdict::kHang;
}

// Runs the mutant under this build's detector: the outcome detector under
// its stress scheduler, then under pct.
Catch catch_mutant(const Case& c, const Variant& v, Detector detector) {
  std::vector<ScheduleSpec> specs;
  ScheduleSpec stress;
  stress.kind = default_scheduler(v, detector);
  stress.seed = 1;
  specs.push_back(stress);
  // Controlled runs: the outcome detector's (the tsan build refuses them;
  // sanitizer expectations hold under any scheduler, so stress is enough).
  if (detector == Detector::kOutcome) {
    ScheduleSpec pct;
    pct.kind = SchedulerKind::kPct;
    pct.seed = 1;
    specs.push_back(pct);
  }
  Catch result;
  for (const ScheduleSpec& spec : specs) {
    RunPlan plan{.c = &c, .variant = &v, .detector = detector, .spec = spec};
    // Enough to catch a mutant that breaks most runs: a mutant caught only
    // rarely is not a fix told apart. pct runs only when the stress
    // scheduler saw nothing, which leaves the memory-order mutants, and
    // those no sequentially consistent schedule can show: a few schedules
    // say so (a schedule with thousands of handoffs is slow on a loaded
    // machine).
    plan.trials = is_controlled(spec.kind) ? 20 : (detector == Detector::kOutcome ? 20 : 10);
    const Judgement j = execute(plan);
    absl::StrAppend(&result.verdicts, result.verdicts.empty() ? "" : "; ", scheduler_name(spec.kind), ": ",
                    verdict_name(j.verdict), j.evidence ? absl::StrCat(" (", j.evidence->text, ")") : "");
    if (j.expected || j.verdict == Verdict::kHarnessFailure) continue;
    if (j.verdict == Verdict::kHang && fix_hangs_too(c, v, detector, plan.spec, j.first_evidence_seed.value_or(1))) {
      absl::StrAppend(&result.verdicts, " [the fix hangs too with that seed]");
      result.inconclusive = true;
      continue;
    }
    result.how = absl::StrCat(detector_name(detector), " under ", scheduler_name(spec.kind), ": ",
                              verdict_name(j.verdict));
    result.inconclusive = false;
    return result;
  }
  return result;
}

class EveryMutant : public testing::TestWithParam<MutantCase> {};

TEST_P(EveryMutant, IsCaughtAsDeclared) {
  const Case& c = *find_case(GetParam().case_name);
  const Variant& v = *c.find_variant(GetParam().variant);
  const Detector detector = build_detector();
  Catch caught;
  {
    MutantRun mutant(v.mutant.removes);
    caught = catch_mutant(c, v, detector);
  }
  const std::string name = absl::StrCat(c.name, "/", v.name, " without ", v.mutant.removes);
  RecordProperty("caught", caught.how.empty() ? "no" : caught.how);
  std::cout << name << ": " << (caught.how.empty() ? "not caught" : absl::StrCat("caught by ", caught.how)) << " ["
            << caught.verdicts << "]\n";
  if (v.mutant.caught_by_detector(detector)) {
    if (caught.how.empty() && caught.inconclusive) {
      GTEST_SKIP() << name << ": inconclusive, the fix itself outlasts its deadline on this machine now";
    }
    EXPECT_FALSE(caught.how.empty()) << name << " is declared caught by " << detector_name(detector)
                                     << ", which saw nothing: " << caught.verdicts;
  }
  if (!v.mutant.unverified.empty()) {
    EXPECT_TRUE(caught.how.empty()) << name << " is declared unverified, yet " << caught.how
                                    << " catches it: the declaration (and the variant's verdict) are out of date";
  }
}

INSTANTIATE_TEST_SUITE_P(Catalog, EveryMutant, testing::ValuesIn(mutants()),
                         [](const testing::TestParamInfo<MutantCase>& info) {
                           return absl::StrCat(info.param.case_name, "_", info.param.variant);
                         });

// The mutation score, from the declarations the per-mutant tests check:
// printed for the docs, and the suite's promise that every mutant is either
// caught by some detector or named here as unverified.
TEST(MutationScore, EveryFixedVariantIsTestedOrSaysWhyNot) {
  int fixed = 0;
  int with_mutant = 0;
  int caught = 0;
  std::vector<std::string> unverified;
  std::vector<std::string> without;
  for (const Case& c : all_cases()) {
    if (c.name.starts_with("test_")) continue;
    for (const Variant& v : c.variants) {
      if (v.is_broken()) continue;
      ++fixed;
      const std::string name = absl::StrCat(c.name, "/", v.name);
      if (v.mutant.removes.empty()) {
        without.push_back(absl::StrCat(name, " (", v.mutant.none, ")"));
        continue;
      }
      ++with_mutant;
      if (v.mutant.unverified.empty()) {
        EXPECT_FALSE(v.mutant.detectors.empty()) << name << ": a mutant is caught by some detector or is unverified";
        ++caught;
      } else {
        EXPECT_TRUE(v.mutant.detectors.empty()) << name << ": unverified, yet declared caught";
        unverified.push_back(absl::StrCat(name, " without ", v.mutant.removes, ": ", v.mutant.unverified));
      }
    }
  }
  std::cout << "mutation score: " << caught << " of " << with_mutant << " mutants caught (" << fixed
            << " fixed variants, " << without.size() << " without a one-line mutant)\n";
  for (const std::string& line : unverified) std::cout << "  unverified: " << line << "\n";
  for (const std::string& line : without) std::cout << "  no mutant: " << line << "\n";
  EXPECT_GT(with_mutant, 0);
}

}  // namespace
}  // namespace hazardlab
