// Every registered case is complete: the contract a case file signs.
#include "harness/registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>

#include "absl/strings/str_cat.h"
#include "harness/cli/case_source.h"
#include "harness/cli/cli.h"
#include "harness/cli/explain.h"

namespace hazardlab {
namespace {

bool is_test_case(const Case& c) { return c.name.starts_with("test_"); }

class EveryCase : public testing::TestWithParam<std::string> {
 protected:
  const Case& the_case() const { return *find_case(GetParam()); }
};

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const Case& c : all_cases()) {
    if (!is_test_case(c)) names.push_back(c.name);
  }
  return names;
}

TEST(RegistryTest, HoldsTheSpineCasesInTeachingOrder) {
  const std::vector<std::string> names = case_names();
  EXPECT_THAT(names, testing::IsSupersetOf({"lost_update", "refcount", "missing_join", "joinable_destroyed"}));
  int previous = -1;
  std::set<std::string> seen;
  for (const Case& c : all_cases()) {
    EXPECT_GE(c.order, previous) << c.name;
    previous = c.order;
    EXPECT_TRUE(seen.insert(c.name).second) << "duplicate case " << c.name;
  }
  EXPECT_EQ(find_case("no_such_case"), nullptr);
}

TEST_P(EveryCase, HasANameTitleLessonAndOutcomeClasses) {
  const Case& c = the_case();
  EXPECT_TRUE(std::regex_match(c.name, std::regex("[a-z][a-z0-9_]*"))) << c.name;
  EXPECT_FALSE(c.title.empty());
  EXPECT_FALSE(c.notebook.empty());
  if (!c.variants.empty()) {
    EXPECT_FALSE(c.outcome_meaning.empty());
    EXPECT_FALSE(c.outcomes.empty());
  }
  // The failing interleaving, as numbered steps.
  EXPECT_THAT(c.lesson, testing::HasSubstr("1. "));
  EXPECT_THAT(c.lesson, testing::HasSubstr("2. "));
}

TEST_P(EveryCase, PairsABrokenVariantWithAFixedOne) {
  const Case& c = the_case();
  if (c.variants.empty()) {
    EXPECT_FALSE(c.benchmark.empty()) << "a case without variants is a benchmark lesson";
    return;
  }
  int broken = 0;
  int fixed = 0;
  for (const Variant& v : c.variants) (v.is_broken() ? broken : fixed)++;
  EXPECT_GE(broken, 1);
  EXPECT_GE(fixed, 1);
}

// Each detector once under the stress schedulers, and the outcome detector
// once more under pct (pct_sees / pct_misses), which stands for walk and gil
// unless they have a declaration of their own (at most one each).
TEST_P(EveryCase, BrokenVariantsDeclareEveryDetectorOnce) {
  for (const Variant& v : the_case().variants) {
    for (Detector d : kAllDetectors) {
      int declared = 0;
      for (const Expectation& e : v.expect) declared += e.detector == d && !is_controlled(e.scheduler);
      // tsan19 and tsan-gcc fall back to tsan's declaration: theirs is optional.
      if (v.is_broken() && declares_like(d) == d) {
        EXPECT_EQ(declared, 1) << v.name << " must say what " << detector_name(d) << " sees";
      } else {
        EXPECT_LE(declared, 1) << v.name;
      }
    }
    for (SchedulerKind s : {SchedulerKind::kPct, SchedulerKind::kWalk, SchedulerKind::kGil}) {
      int declared = 0;
      int tsan_declared = 0;
      int absl_declared = 0;
      for (const Expectation& e : v.expect) {
        if (is_controlled(e.scheduler)) {
          EXPECT_NE(e.detector, Detector::kAsan) << v.name << ": controlled schedulers run the outcome detector and TSan";
        }
        declared += e.scheduler == s && e.detector == Detector::kOutcome;
        tsan_declared += e.scheduler == s && e.detector == Detector::kTsan;
        absl_declared += e.scheduler == s && e.detector == Detector::kAbsl;
      }
      // absl under pct (what Abseil sees of the locks the controller grants)
      // is optional too.
      EXPECT_LE(absl_declared, 1) << v.name << " under " << scheduler_name(s) << " (absl)";
      // TSan under pct (tsan_pct_sees) is optional: without it the stress
      // declaration stands for the controlled schedulers too.
      EXPECT_LE(tsan_declared, 1) << v.name << " under " << scheduler_name(s) << " (tsan)";
      if (v.is_broken() && s == SchedulerKind::kPct) {
        EXPECT_EQ(declared, 1) << v.name << " must say what pct sees";
      } else {
        EXPECT_LE(declared, 1) << v.name << " under " << scheduler_name(s);
      }
    }
  }
}

// A broken variant's pct budget is the number of schedules it is tested
// with: it must be declared, so that the test says how hard pct must try.
TEST_P(EveryCase, PctDetectionsDeclareABudget) {
  for (const Variant& v : the_case().variants) {
    if (!v.is_broken()) continue;
    const Expectation* e = v.expectation_for(Detector::kOutcome, SchedulerKind::kPct);
    ASSERT_NE(e, nullptr) << v.name << " must say what pct sees";
    if (e->kind == Expectation::Kind::kDetects) EXPECT_GT(e->trials, 0) << v.name;
    // The same for TSan's own pct declaration, where there is one.
    for (const Expectation& t : v.expect) {
      if (t.detector == Detector::kTsan && is_controlled(t.scheduler) && t.kind == Expectation::Kind::kDetects) {
        EXPECT_GT(t.trials, 0) << v.name << ": tsan_pct_sees needs a measured budget";
      }
    }
  }
}

// Without a controlled declaration of its own, TSan under pct is judged by
// its stress declaration, with the controlled default budget; with one
// (configure_after_start: a race free-running TSan misses), by that one.
TEST(RegistryTest, TsanUnderPctFindsItsOwnDeclarationElseTheStressOne) {
  const Case* c = find_case("configure_after_start");
  ASSERT_NE(c, nullptr);
  const Variant* broken = c->find_variant("broken");
  ASSERT_NE(broken, nullptr);
  const Expectation* stress = broken->expectation_for(Detector::kTsan, SchedulerKind::kRandom);
  const Expectation* pct = broken->expectation_for(Detector::kTsan, SchedulerKind::kPct);
  ASSERT_NE(stress, nullptr);
  ASSERT_NE(pct, nullptr);
  EXPECT_EQ(stress->kind, Expectation::Kind::kMisses);
  EXPECT_EQ(pct->kind, Expectation::Kind::kDetects);
  EXPECT_EQ(broken->expectation_for(Detector::kTsan, SchedulerKind::kWalk), pct);
  const Variant* self_deadlock = find_case("self_deadlock")->find_variant("broken");
  EXPECT_EQ(self_deadlock->expectation_for(Detector::kTsan, SchedulerKind::kPct),
            self_deadlock->expectation_for(Detector::kTsan, SchedulerKind::kRandom));
}

TEST_P(EveryCase, CorrectVariantsDeclareOnlyCleanOrAKnownFalseAlarm) {
  for (const Variant& v : the_case().variants) {
    if (v.is_broken()) continue;
    for (const Expectation& e : v.expect) {
      EXPECT_EQ(e.kind, Expectation::Kind::kFalseAlarm) << v.name;
      EXPECT_FALSE(e.why.empty()) << v.name << ": a false alarm says why";
    }
  }
}

// The thread-safety detector's evidence is compiler warnings: a declaration
// names the text of each one.
TEST_P(EveryCase, ThreadSafetyDeclarationsNameTheirWarnings) {
  for (const Variant& v : the_case().variants) {
    for (const Expectation& e : v.expect) {
      if (e.detector != Detector::kThreadSafety) continue;
      EXPECT_FALSE(is_controlled(e.scheduler)) << v.name;
      for (const Evidence& evidence : e.evidence) {
        EXPECT_EQ(evidence.kind, Evidence::Kind::kReport) << v.name << ": thread-safety sees warning(...)";
        EXPECT_FALSE(evidence.detail.empty()) << v.name << ": name the warning's text";
      }
    }
  }
}

// A termination declared with no signal or message matched any crash, the
// harness's own included.
TEST_P(EveryCase, DeclaredTerminationsNameASignalOrAMessage) {
  for (const Variant& v : the_case().variants) {
    for (const Expectation& e : v.expect) {
      for (const Evidence& evidence : e.evidence) {
        if (evidence.kind == Evidence::Kind::kTermination) {
          EXPECT_FALSE(evidence.detail.empty()) << v.name << " under " << detector_name(e.detector)
                                                << ": name the signal or the message";
        }
      }
    }
  }
}

// A declared false alarm names the functions of the idiom it is expected
// in, so that the same kind of report anywhere else counts against the fix.
TEST_P(EveryCase, DeclaredFalseAlarmsAreTiedToWhereTheyAreExpected) {
  for (const Variant& v : the_case().variants) {
    for (const Expectation& e : v.expect) {
      if (e.kind != Expectation::Kind::kFalseAlarm) continue;
      for (const Evidence& evidence : e.evidence) {
        EXPECT_FALSE(evidence.kind == Evidence::Kind::kReport && evidence.functions.empty())
            << v.name << ": tie the false alarm to its functions with .in(...)";
      }
    }
  }
}

// Every fixed variant names its mutant (the essential(...) line the mutation
// test removes, found in the case's source) or says why it has none.
TEST_P(EveryCase, FixedVariantsNameTheirMutant) {
  const Case& c = the_case();
  const absl::string_view file = absl::string_view(c.source_file).substr(c.source_file.rfind('/') + 1);
  const absl::string_view source = case_source(file);
  for (const Variant& v : c.variants) {
    if (v.is_broken()) {
      EXPECT_TRUE(v.mutant.removes.empty() && v.mutant.none.empty()) << v.name << ": a broken variant has no mutant";
      continue;
    }
    EXPECT_NE(v.mutant.removes.empty(), v.mutant.none.empty()) << v.name << ": a mutant, or why there is none";
    if (v.mutant.removes.empty()) continue;
    EXPECT_THAT(std::string(source), testing::HasSubstr("\"" + v.mutant.removes + "\")"))
        << v.name << ": no essential(...) named '" << v.mutant.removes << "'";
    EXPECT_NE(v.mutant.detectors.empty(), v.mutant.unverified.empty())
        << v.name << ": its mutant is caught by some detector, or it says why none can";
  }
}

TEST_P(EveryCase, ExplainShowsEveryVariantsCode) {
  const Case& c = the_case();
  const std::string text = explain(c, "hazardlab");
  for (const Variant& v : c.variants) {
    EXPECT_THAT(text, testing::HasSubstr("Outcome " + v.name + "(Threads& threads)")) << v.name;
  }
  EXPECT_THAT(text, testing::Not(testing::HasSubstr("source not embedded")));
}

INSTANTIATE_TEST_SUITE_P(Cases, EveryCase, testing::ValuesIn(case_names()),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(ExplainTest, ExtractsAFunctionWithTheCommentAboveIt) {
  const std::string source =
      "int other() {\n  return 1;\n}\n\n// Why it breaks.\nOutcome broken(Threads& threads) {\n"
      "  if (x) {\n  }\n  return 0;\n}\nint after;\n";
  EXPECT_EQ(extract_function(source, "broken"),
            "// Why it breaks.\nOutcome broken(Threads& threads) {\n  if (x) {\n  }\n  return 0;\n}\n");
  EXPECT_EQ(extract_function(source, "fixed"), "");
}

// A broken variant that TSan must catch is tested under every stress
// scheduler, unless all it declares is a hang: three watchdog deadlines
// that prove nothing about hiding races.
TEST(CaseTestsTest, AHangOnlyTsanDeclarationGetsOneTest) {
  const std::vector<std::string> lines = case_test_lines(Detector::kTsan);
  auto count = [&](const std::string& prefix) {
    return std::count_if(lines.begin(), lines.end(), [&](const std::string& l) { return l.starts_with(prefix); });
  };
  EXPECT_EQ(count("self_deadlock.broken.tsan"), 1);  // tsan_sees(hang())
  EXPECT_EQ(count("lost_update.broken.tsan."), std::ssize(kStressSchedulers) + 1);  // and pct
}

// The tsan build runs pct too: every correct variant (a pinned few
// schedules), and every broken one whose TSan declaration shows a race.
TEST(CaseTestsTest, TheTsanBuildRunsPct) {
  const std::vector<std::string> lines = case_test_lines(Detector::kTsan);
  auto has = [&](const std::string& prefix) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.starts_with(prefix); });
  };
  EXPECT_TRUE(has("lost_update.fixed.tsan.pct|"));
  EXPECT_TRUE(has("lost_update.broken.tsan.pct|"));
  EXPECT_TRUE(has("configure_after_start.broken.tsan.pct|"));
  EXPECT_FALSE(has("configure_after_start.broken.tsan.random|"));  // free-running TSan misses it
  EXPECT_FALSE(has("self_deadlock.broken.tsan.pct|"));              // a hang only
}

// The absl build: one stress test per (case, variant), and pct, gil and walk
// for every variant of a case that says what Abseil sees under them (the
// lock cases: Abseil sees only the locks the controller grants).
TEST(CaseTestsTest, TheAbslBuildRunsControlledSchedulersWhereDeclared) {
  const std::vector<std::string> lines = case_test_lines(Detector::kAbsl);
  auto has = [&](const std::string& prefix) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.starts_with(prefix); });
  };
  EXPECT_TRUE(has("lock_order_deadlock.broken.absl|"));
  EXPECT_FALSE(has("lock_order_deadlock.broken.absl.random|"));  // no race to hide: one stress test
  for (const char* scheduler : {"pct", "gil", "walk"}) {
    EXPECT_TRUE(has(absl::StrCat("self_deadlock.broken.absl.", scheduler, "|"))) << scheduler;
    EXPECT_TRUE(has(absl::StrCat("lock_order_deadlock.fixed.absl.", scheduler, "|"))) << scheduler;
    EXPECT_FALSE(has(absl::StrCat("lost_update.broken.absl.", scheduler, "|"))) << scheduler;
  }
  const Variant& broken = *find_case("self_deadlock")->find_variant("broken");
  EXPECT_EQ(broken.expectation_for(Detector::kAbsl, SchedulerKind::kGil)->evidence[0].kind, Evidence::Kind::kDeadlock);
  EXPECT_EQ(broken.expectation_for(Detector::kAbsl, SchedulerKind::kRandom)->evidence[0].kind, Evidence::Kind::kReport);
}

TEST(CaseTestsTest, EveryVariantRunsUnderEveryControlledSchedulerInTheDevBuild) {
  const std::vector<std::string> lines = case_test_lines(Detector::kOutcome);
  for (const char* scheduler : {"pct", "gil", "walk"}) {
    EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [&](const std::string& l) {
      return l.starts_with(absl::StrCat("refcount.broken.outcome.", scheduler, "|"));
    })) << scheduler;
  }
}

// The helper a variant calls is where its hazard often is (the lock taken
// in the wrong order, the lazy initializer): explain shows it once, before
// the first variant that uses it.
TEST(ExplainTest, ShowsTheHelpersAVariantCallsOnceEach) {
  const std::string text = explain(*find_case("refcount"), "hazardlab");
  for (const std::string helper : {"void acquire(PlainCounted* object) {", "void release(AtomicCounted* object) {",
                                   "struct PlainCounted {"}) {
    const std::size_t at = text.find(helper);
    ASSERT_NE(at, std::string::npos) << helper;
    EXPECT_EQ(text.find(helper, at + 1), std::string::npos) << helper << " shown twice";
  }
  EXPECT_LT(text.find("void acquire(PlainCounted* object)"), text.find("Outcome broken(Threads& threads)"));
}

TEST(ExplainTest, FindsWhatAFunctionUsesTransitivelyAndPicksTheOverloadOfItsType) {
  const std::string source =
      "constexpr char kLesson[] = R\"(A lesson\nint helper(int) {\n}\n)\";\n"
      "constexpr int kThreads = 2;\n"
      "struct Plain {\n  int n;\n};\n"
      "struct Atomic {\n  int n;\n};\n"
      "// Takes the lock.\nvoid lock_it(Plain* p) {\n  inner();\n}\n"
      "void lock_it(Atomic* p) {\n}\n"
      "void inner() {\n  // not_called() is a comment\n}\n"
      "void not_called() {\n}\n"
      "Outcome broken(Threads& threads) {\n  auto* p = new Plain{kThreads};\n  lock_it(p);\n  fixed(threads);\n}\n"
      "Outcome fixed(Threads& threads) {\n}\n";
  const std::vector<Definition> definitions = top_level_definitions(source);
  std::vector<std::string> names;
  for (const Definition& d : definitions) names.push_back(d.name);
  EXPECT_THAT(names, testing::ElementsAre("Plain", "Atomic", "lock_it", "lock_it", "inner", "not_called", "broken",
                                          "fixed"));
  std::vector<std::string> used;
  for (const Definition* d : definitions_used_by(definitions, "broken", {"broken", "fixed"})) {
    used.push_back(d->text);
  }
  EXPECT_THAT(used, testing::ElementsAre("struct Plain {\n  int n;\n};\n",
                                         "// Takes the lock.\nvoid lock_it(Plain* p) {\n  inner();\n}\n",
                                         "void inner() {\n  // not_called() is a comment\n}\n"));
}

}  // namespace
}  // namespace hazardlab
