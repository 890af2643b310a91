// How many runs each scheduler needs to show a broken variant's hazard.
//
// For every broken variant that the outcome detector is declared to catch,
// and for each scheduler, runs E explorations from fixed seeds: exploration
// e (from 0) starts at seed 1000*e+1 and runs seeds upward until the first
// trial with declared evidence, or C runs. Prints a Markdown table: the
// detection rate over all runs, the median and worst number of runs to the
// first detection, and the median time per run.
//
//   schedulers_bench [--explorations=E] [--cap=C] [--case=NAME]...
//                    [--schedulers=none,yield,random,walk,pct]
//
// A run under a controlled scheduler that blocks outside the harness (a raw
// std::mutex, condition variable, join or sleep the controller cannot see),
// or that the watchdog has to kill, is not a measurement of the scheduler:
// such a row stops at the first one and says so instead of counting it.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "harness/case.h"
#include "harness/registry.h"
#include "harness/run/runner.h"
#include "harness/run/trial.h"
#include "harness/evidence/verdict.h"

namespace hazardlab {
namespace {

constexpr int kBadInput = 2;
constexpr std::uint64_t kSeedStride = 1000;  // exploration e starts at kSeedStride * e + 1
constexpr int kPctDepth = 3;

constexpr char kUsage[] =
    "usage: schedulers_bench [--explorations=E] [--cap=C] [--case=NAME]... [--schedulers=LIST]\n"
    "  --explorations=E  explorations per row, exploration e from seed 1000*e+1 (default 20)\n"
    "  --cap=C           runs per exploration at most, 1..1000 (default 50)\n"
    "  --case=NAME       a case to measure; repeatable (default: every case)\n"
    "  --schedulers=L    comma-separated: none, yield, random, walk, pct, gil\n"
    "                    (default: none,yield,random,walk,pct)\n";

struct Options {
  int explorations = 20;
  int cap = 50;
  std::vector<const Case*> cases;
  std::vector<SchedulerKind> schedulers = {SchedulerKind::kNone, SchedulerKind::kYield, SchedulerKind::kRandom,
                                           SchedulerKind::kWalk, SchedulerKind::kPct};
};

struct BadInput {
  std::string message;
};

// The outcome detector's declared expectation under stress schedulers, when
// it is "detects": the rows this benchmark measures.
const Expectation* measured_expectation(const Variant& v) {
  if (!v.is_broken()) return nullptr;
  const Expectation* e = v.expectation_for(Detector::kOutcome, SchedulerKind::kRandom);
  return e && e->kind == Expectation::Kind::kDetects ? e : nullptr;
}

bool has_measured_variant(const Case& c) {
  return std::any_of(c.variants.begin(), c.variants.end(),
                     [](const Variant& v) { return measured_expectation(v) != nullptr; });
}

int parse_count(absl::string_view flag, absl::string_view text, int low, int high) {
  int value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < low || value > high) {
    throw BadInput{absl::StrCat("bad --", flag, " '", text, "': want an integer from ", low, " to ", high)};
  }
  return value;
}

Options parse_options(int argc, char** argv) {
  Options options;
  bool schedulers_given = false;
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    const std::size_t equals = arg.find('=');
    if (!absl::StartsWith(arg, "--") || equals == absl::string_view::npos) {
      throw BadInput{absl::StrCat("unexpected argument '", arg, "' (flags are --name=value; --help lists them)")};
    }
    const absl::string_view name = arg.substr(2, equals - 2);
    const absl::string_view value = arg.substr(equals + 1);
    if (name == "explorations") {
      options.explorations = parse_count(name, value, 1, 100'000);
    } else if (name == "cap") {
      // Explorations start 1000 seeds apart: a larger cap would make them overlap.
      options.cap = parse_count(name, value, 1, static_cast<int>(kSeedStride));
    } else if (name == "case") {
      const Case* c = find_case(value);
      if (!c) throw BadInput{absl::StrCat("unknown case '", value, "' (hazardlab list shows them)")};
      if (!has_measured_variant(*c)) {
        throw BadInput{absl::StrCat("case ", value, " has no broken variant that the outcome detector is declared "
                                    "to detect")};
      }
      if (std::find(options.cases.begin(), options.cases.end(), c) != options.cases.end()) {
        throw BadInput{absl::StrCat("case ", value, " given twice")};
      }
      options.cases.push_back(c);
    } else if (name == "schedulers") {
      if (schedulers_given) throw BadInput{"--schedulers given twice"};
      schedulers_given = true;
      options.schedulers.clear();
      for (absl::string_view part : absl::StrSplit(value, ',')) {
        const std::optional<SchedulerKind> kind = parse_scheduler(part);
        if (!kind) {
          throw BadInput{absl::StrCat("unknown scheduler '", part, "' in --schedulers (none, yield, random, walk, ",
                                      "pct or gil)")};
        }
        if (std::find(options.schedulers.begin(), options.schedulers.end(), *kind) != options.schedulers.end()) {
          throw BadInput{absl::StrCat("scheduler '", part, "' given twice in --schedulers")};
        }
        options.schedulers.push_back(*kind);
      }
    } else {
      throw BadInput{absl::StrCat("unknown flag --", name, " (--help lists them)")};
    }
  }
  if (options.cases.empty()) {
    for (const Case& c : all_cases()) {
      if (has_measured_variant(c)) options.cases.push_back(&c);
    }
  }
  return options;
}

// A trial counts when it shows evidence the expectation declares, matched
// as the verdict matches it (harness/evidence/verdict.h).
bool shows_declared_evidence(const Case& c, const Expectation& e, const TrialResult& trial) {
  for (const Finding& finding : findings_of(c, Detector::kOutcome, trial)) {
    for (const Evidence& declared : e.evidence) {
      if (matches(declared, finding, trial)) return true;
    }
  }
  return false;
}

// Why a controlled run says nothing about the scheduler, if it does not: the
// stall monitor caught a thread blocked where the controller cannot see it
// (a raw std::mutex, condition variable, join or sleep), or the watchdog
// killed the run first. A controlled run that ends on its own ends in an
// outcome, a deadlock (reported the moment every thread waits) or a stall;
// the watchdog killing one means a thread held the turn outside the
// harness's view for the whole deadline (the stall monitor needs up to two
// of its periods, deadline/2 each for a short deadline, and can lose that
// race), or a loop that never yields the turn.
std::optional<std::string> unmeasurable(SchedulerKind scheduler, const TrialResult& trial) {
  if (!is_controlled(scheduler)) return std::nullopt;
  if (trial.controlled && trial.controlled->stalled &&
      absl::StrContains(trial.controlled->stall, "blocked outside the harness")) {
    return std::string("blocked outside the harness");
  }
  if (trial.hung) return std::string("killed by the watchdog");
  return std::nullopt;
}

struct Row {
  const Case* c = nullptr;
  const Variant* variant = nullptr;
  SchedulerKind scheduler = SchedulerKind::kNone;
  std::int64_t pct_steps = 0;
  int trials = 0;
  int trials_with_evidence = 0;
  std::vector<std::optional<int>> first_detection;  // per exploration: runs up to and including the first hit
  std::vector<double> ms;                           // per run
  std::optional<std::uint64_t> stall_seed;          // set: the row stopped at a run that measures nothing
  std::string stall_reason;                         // why (see unmeasurable)
};

template <class T>
T median_of(std::vector<T> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// Progress on stderr: rewritten in place on a terminal, one line per row
// otherwise.
class Progress {
 public:
  Progress() : tty_(isatty(STDERR_FILENO) != 0) {}

  void update(const std::string& text) {
    if (!tty_) return;
    std::fprintf(stderr, "\r\033[K%s", text.c_str());
    std::fflush(stderr);
  }
  void done(const std::string& text) {
    std::fprintf(stderr, tty_ ? "\r\033[K%s\n" : "%s\n", text.c_str());
    std::fflush(stderr);
  }

 private:
  bool tty_;
};

Row measure(const Case& c, const Variant& v, const Expectation& e, SchedulerKind scheduler, std::int64_t pct_steps,
            const Options& options, Progress& progress, const std::string& label) {
  Row row;
  row.c = &c;
  row.variant = &v;
  row.scheduler = scheduler;
  row.pct_steps = pct_steps;
  for (int exploration = 0; exploration < options.explorations && !row.stall_seed; ++exploration) {
    ScheduleSpec spec;
    spec.kind = scheduler;
    spec.depth = kPctDepth;
    spec.steps = pct_steps;
    std::optional<int> found;
    for (int run = 0; run < options.cap; ++run) {
      spec.seed = kSeedStride * static_cast<std::uint64_t>(exploration) + 1 + static_cast<std::uint64_t>(run);
      const TrialResult trial = run_trial(c, v, spec);
      if (std::optional<std::string> why = unmeasurable(scheduler, trial)) {
        row.stall_seed = spec.seed;
        row.stall_reason = *why;
        break;
      }
      ++row.trials;
      row.ms.push_back(static_cast<double>(trial.wall.count()) / 1000.0);
      if (shows_declared_evidence(c, e, trial)) {
        ++row.trials_with_evidence;
        found = run + 1;
        break;
      }
    }
    if (row.stall_seed) break;
    row.first_detection.push_back(found);
    progress.update(absl::StrFormat("%s: exploration %d of %d, %d runs", label, exploration + 1,
                                    options.explorations, row.trials));
  }
  return row;
}

std::string runs_text(std::optional<int> runs, int cap) {
  return runs ? absl::StrCat(*runs) : absl::StrCat(">", cap);
}

std::string row_line(const Row& row, int cap) {
  std::string scheduler(scheduler_name(row.scheduler));
  if (row.scheduler == SchedulerKind::kPct) absl::StrAppend(&scheduler, " (d=", kPctDepth, ", k=", row.pct_steps, ")");
  const std::string head = absl::StrCat("| ", row.c->name, " | ", row.variant->name, " | ", scheduler, " | ");
  if (row.stall_seed) {
    return absl::StrCat(head, "- | - | - | - | not measured: seed ", *row.stall_seed, " ", row.stall_reason,
                        " (after ", row.trials, " runs) |");
  }
  // Unfound explorations sort last, so the median and the worst can be ">C".
  std::vector<int> firsts;
  for (const std::optional<int>& f : row.first_detection) firsts.push_back(f ? *f : cap + 1);
  std::sort(firsts.begin(), firsts.end());
  const auto as_runs = [cap](int runs) { return runs_text(runs > cap ? std::nullopt : std::optional<int>(runs), cap); };
  // An even count's median is the mean of the middle two, unless either is unfound.
  const std::size_t n = firsts.size();
  std::string median;
  if (n % 2 == 1) {
    median = as_runs(firsts[n / 2]);
  } else if (firsts[n / 2] > cap) {
    median = as_runs(firsts[n / 2]);
  } else {
    const double m = (firsts[n / 2 - 1] + firsts[n / 2]) / 2.0;
    median = absl::StrFormat("%g", m);
  }
  const int found = static_cast<int>(std::count_if(row.first_detection.begin(), row.first_detection.end(),
                                                   [](const std::optional<int>& f) { return f.has_value(); }));
  return absl::StrFormat("%s%d / %d (%.0f%%) | %s | %s | %.1f | found in %d of %d explorations |", head,
                         row.trials_with_evidence, row.trials,
                         100.0 * row.trials_with_evidence / std::max(1, row.trials), median, as_runs(firsts.back()),
                         median_of(row.ms), found, static_cast<int>(row.first_detection.size()));
}

int bench_main(int argc, char** argv) {
  Options options;
  try {
    options = parse_options(argc, argv);
  } catch (const BadInput& bad) {
    std::cerr << "schedulers_bench: " << bad.message << "\n";
    return kBadInput;
  }

  std::vector<std::string> names;
  for (SchedulerKind s : options.schedulers) names.emplace_back(scheduler_name(s));
  std::cout << "Explorations per row: " << options.explorations << "; runs per exploration at most: " << options.cap
            << "; schedulers: " << absl::StrJoin(names, ", ") << ".\n\n"
            << "| case | variant | scheduler | detection rate | median runs to first | worst | median ms per run "
               "| note |\n"
            << "|---|---|---|---|---|---|---|---|\n"
            << std::flush;

  Progress progress;
  for (const Case* c : options.cases) {
    for (const Variant& v : c->variants) {
      const Expectation* e = measured_expectation(v);
      if (!e) continue;
      // k is measured once per (case, variant), as `hazardlab run` does it:
      // one pct run without change points, at the first exploration's seed.
      std::int64_t pct_steps = 0;
      if (std::find(options.schedulers.begin(), options.schedulers.end(), SchedulerKind::kPct) !=
          options.schedulers.end()) {
        RunPlan plan;
        plan.c = c;
        plan.variant = &v;
        plan.spec.kind = SchedulerKind::kPct;
        plan.spec.seed = 1;
        plan.spec.depth = kPctDepth;
        calibrate_pct_steps(plan);
        pct_steps = plan.spec.steps;
      }
      for (SchedulerKind s : options.schedulers) {
        const std::string label = absl::StrCat(c->name, "/", v.name, " ", scheduler_name(s));
        const Row row = measure(*c, v, *e, s, pct_steps, options, progress, label);
        std::cout << row_line(row, options.cap) << "\n" << std::flush;
        progress.done(row.stall_seed ? absl::StrCat(label, ": not measured (", row.stall_reason, ")")
                                     : absl::StrCat(label, ": ", row.trials_with_evidence, " of ", row.trials,
                                                    " runs with evidence"));
      }
    }
  }
  return 0;
}

}  // namespace
}  // namespace hazardlab

int main(int argc, char** argv) {
  // Trials re-execute this program: a trial child never reaches the benchmark.
  if (const auto exit_code = hazardlab::run_trial_child_if_requested(argc, argv)) return *exit_code;
  return hazardlab::bench_main(argc, argv);
}
