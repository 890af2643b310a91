#include "harness/cli/cli.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/algorithm/container.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "harness/cli/build_tree.h"
#include "harness/cli/common_flags.h"
#include "harness/cli/exercise.h"
#include "harness/cli/explain.h"
#include "harness/registry.h"
#include "harness/cli/progress.h"
#include "harness/cli/render.h"
#include "harness/cli/shake.h"
#include "harness/cli/sarif.h"
#include "harness/cli/swimlanes.h"
#include "harness/cli/usage.h"
#include "harness/cli/warnings.h"
#include "harness/run/runner.h"

ABSL_FLAG(std::string, variant, "", "variant to run (default: every variant of the case)");
ABSL_FLAG(std::string, detector, "", "detector: outcome, tsan or asan (default: the one this build runs)");
ABSL_FLAG(std::string, scheduler, "",
          "stress: none, yield, random; controlled: walk, pct, gil (default: as the case declares)");
ABSL_FLAG(std::string, seed, "", "base seed; trial i runs with seed+i (default: a fresh random seed)");
ABSL_FLAG(int, trials, 0, "trials to run (default: the declared budget)");
ABSL_FLAG(std::string, format, "text",
          "output: text or json (list also: ctest; run and classify also: sarif; run also: svg, html)");
ABSL_FLAG(std::string, sarif, "", "run: also write the SARIF 2.1.0 log to this file");
ABSL_FLAG(std::string, json, "", "run: also write the JSON array of runs to this file");
ABSL_FLAG(std::string, source_root, "", "classify: the folder of the user's sources (default: a guess)");
ABSL_FLAG(std::string, log, "",
          "warnings: the compiler's log of the case file (default: the thread-safety build's, "
          "thread-safety/CASE.log in this build)");
ABSL_FLAG(bool, keep_going, false, "run every trial instead of stopping at decisive evidence");
ABSL_FLAG(int, schedules, 0, "controlled schedulers: schedules to explore, seed, seed+1, ...");
ABSL_FLAG(std::string, seed_range, "", "controlled schedulers: explore seeds A..B-1 (--seed-range=A:B), for shards");
ABSL_FLAG(int, depth, hazardlab::ScheduleSpec::kDefaultDepth, "pct: bug depth d (d-1 priority change points)");
ABSL_FLAG(int64_t, pct_steps, 0, "pct: k, the steps change points are drawn from (default: measured)");
ABSL_FLAG(int, switch_interval, 1, "gil: switch at a yield point only this many steps after the last switch");
ABSL_FLAG(bool, trace, false, "controlled schedulers: print every step (thread, operation, case line)");
ABSL_FLAG(bool, all, false, "run: every case and variant (the main job)");
ABSL_FLAG(int, trials_per_child, hazardlab::BatchOptions{}.max_trials_per_child,
          "run: at most this many trials share one child process (1: every trial alone)");

namespace hazardlab {
namespace {

constexpr int kBadInput = 2;

// What the command line says: the words (the command and its arguments), the
// flags given, by name with dashes ("seed-range"), and whether help was asked
// for. A flag's value is in its Abseil flag.
struct CommandLine {
  std::vector<std::string> words;
  std::set<std::string> flags;
  bool help = false;

  bool given(absl::string_view flag) const { return flags.count(std::string(flag)) > 0; }
};

// Abseil's own parser exits with 1 on an unknown flag; a user tool exits with
// 2 on bad input. So parse here, and let Abseil parse each value.
CommandLine parse_command_line(int argc, char** argv) {
  CommandLine line;
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      line.help = true;
      continue;
    }
    if (absl::StartsWith(arg, "--help=")) throw BadInput{"--help takes no value"};
    if (!absl::StartsWith(arg, "-")) {
      line.words.emplace_back(arg);
      continue;
    }
    if (!absl::StartsWith(arg, "--")) throw BadInput{absl::StrCat("unknown flag ", arg)};
    const std::size_t equals = arg.find('=');
    const absl::string_view typed = arg.substr(2, equals == absl::string_view::npos ? arg.npos : equals - 2);
    // --seed-range and --seed_range are one flag; only the commands' own
    // flags count, not whatever else a library registered.
    const std::string name = absl::StrReplaceAll(typed, {{"_", "-"}});
    absl::CommandLineFlag* flag =
        is_command_flag(name) ? absl::FindCommandLineFlag(absl::StrReplaceAll(name, {{"-", "_"}})) : nullptr;
    if (!flag) throw BadInput{absl::StrCat("unknown flag --", typed)};
    if (!line.flags.insert(name).second) throw BadInput{absl::StrCat("--", name, " is given twice")};
    std::string value = equals == absl::string_view::npos ? "" : std::string(arg.substr(equals + 1));
    if (equals == absl::string_view::npos) {
      if (!flag->IsOfType<bool>()) throw BadInput{absl::StrCat("flag --", name, " needs a value (--", name, "=...)")};
      value = "true";
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) throw BadInput{absl::StrCat("bad value for --", name, ": ", error)};
  }
  return line;
}

// A flag that does not apply to the command is an error, not ignored: a user
// who typed it expected it to do something.
void check_flags_apply(const CommandUsage& command, const CommandLine& line) {
  for (const std::string& flag : line.flags) {
    if (std::find(command.flags.begin(), command.flags.end(), flag) == command.flags.end()) {
      throw BadInput{absl::StrCat("--", flag, " does not apply to ", command.name, " (hazardlab help ", command.name,
                                  " lists its flags)")};
    }
  }
}

const Case& case_named(absl::string_view name) {
  if (const Case* c = find_case(name)) return *c;
  throw BadInput{absl::StrCat("unknown case '", name, "' (hazardlab list shows them)")};
}

Detector chosen_detector() {
  const std::string name = absl::GetFlag(FLAGS_detector);
  if (name.empty()) return build_detector();
  const std::optional<Detector> detector = parse_detector(name);
  if (!detector) {
    std::vector<std::string> names;
    for (Detector d : kAllDetectors) names.emplace_back(detector_name(d));
    throw BadInput{absl::StrCat("unknown detector '", name, "' (", absl::StrJoin(names, ", "), ")")};
  }
  if (*detector != build_detector()) {
    const absl::string_view wanted = build_preset(*detector);
    throw BadInput{absl::StrCat("detector ", name, " runs in the ", wanted, " build (build/", wanted,
                                "/hazardlab); this is the ", build_preset(build_detector()), " build")};
  }
  return *detector;
}

std::optional<SchedulerKind> chosen_scheduler() {
  const std::string name = absl::GetFlag(FLAGS_scheduler);
  if (name.empty()) return std::nullopt;
  const std::optional<SchedulerKind> kind = parse_scheduler(name);
  if (!kind) throw BadInput{absl::StrCat("unknown scheduler '", name, "' (none, yield, random, walk, pct or gil)")};
  return kind;
}

// The flags that only mean something under one scheduler.
void check_schedule_flags(const CommandLine& line, std::optional<SchedulerKind> kind) {
  const bool controlled = kind && is_controlled(*kind);
  const auto only_with = [&](const char* flag, bool allowed, const char* where) {
    if (line.given(flag) && !allowed) throw BadInput{absl::StrCat("--", flag, " applies to ", where)};
  };
  only_with("schedules", controlled, "--scheduler=walk, pct or gil");
  only_with("seed-range", controlled, "--scheduler=walk, pct or gil");
  only_with("trace", controlled, "--scheduler=walk, pct or gil");
  only_with("depth", kind == SchedulerKind::kPct, "--scheduler=pct");
  only_with("pct-steps", kind == SchedulerKind::kPct, "--scheduler=pct");
  only_with("switch-interval", kind == SchedulerKind::kGil, "--scheduler=gil");
  if (absl::GetFlag(FLAGS_depth) < 1) throw BadInput{"--depth must be at least 1"};
  if (absl::GetFlag(FLAGS_pct_steps) < 0) throw BadInput{"--pct-steps must not be negative"};
  if (absl::GetFlag(FLAGS_switch_interval) < 1) throw BadInput{"--switch-interval must be at least 1"};
  if (line.given("schedules") && absl::GetFlag(FLAGS_schedules) < 1) throw BadInput{"--schedules must be at least 1"};
  const int counts = line.given("trials") + line.given("schedules") + line.given("seed-range");
  if (counts > 1) throw BadInput{"give one of --trials, --schedules and --seed-range"};
  if (line.given("seed-range") && line.given("seed")) throw BadInput{"give --seed or --seed-range, not both"};
}

// --seed-range=A:B as (A, B - A).
std::optional<std::pair<std::uint64_t, int>> chosen_seed_range() {
  const std::string text = absl::GetFlag(FLAGS_seed_range);
  if (text.empty()) return std::nullopt;
  const std::vector<std::string> parts = absl::StrSplit(text, ':');
  std::uint64_t first = 0;
  std::uint64_t end = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &first) || !absl::SimpleAtoi(parts[1], &end) || end <= first ||
      end - first > 100'000'000) {
    throw BadInput{absl::StrCat("bad --seed-range '", text, "': want A:B with A < B (seeds A to B-1)")};
  }
  return std::make_pair(first, static_cast<int>(end - first));
}

bool is_picture(const std::string& format) { return format == "svg" || format == "html"; }

RunPlan plan_for(const Case& c, const Variant& v, Detector detector, std::uint64_t seed) {
  RunPlan plan;
  plan.c = &c;
  plan.variant = &v;
  plan.detector = detector;
  plan.spec.kind = chosen_scheduler().value_or(default_scheduler(v, detector));
  plan.spec.seed = seed;
  plan.spec.depth = absl::GetFlag(FLAGS_depth);
  plan.spec.steps = absl::GetFlag(FLAGS_pct_steps);
  plan.spec.switch_interval = absl::GetFlag(FLAGS_switch_interval);
  // A picture is drawn from the trace.
  plan.spec.trace = absl::GetFlag(FLAGS_trace) || is_picture(absl::GetFlag(FLAGS_format));
  plan.trials = default_trials(v, detector, plan.spec.kind);
  // A trace is of one schedule: `--seed=N --trace` reads that seed's run
  // step by step (ask for more with --schedules or --trials).
  if (plan.spec.trace) plan.trials = 1;
  if (absl::GetFlag(FLAGS_trials) > 0) plan.trials = absl::GetFlag(FLAGS_trials);
  if (absl::GetFlag(FLAGS_schedules) > 0) plan.trials = absl::GetFlag(FLAGS_schedules);
  if (const auto range = chosen_seed_range()) {
    plan.spec.seed = range->first;
    plan.trials = range->second;
  }
  plan.keep_going = absl::GetFlag(FLAGS_keep_going);
  plan.batch.max_trials_per_child = absl::GetFlag(FLAGS_trials_per_child);
  return plan;
}

// The walk schedules a CTest test explores when the variant declares no
// walk budget of its own: a broken variant stops at its first evidence; a
// correct one pays for every schedule, and walk switches (an OS thread
// handoff) at almost every step: refcount's fixed variant takes 160,001
// steps, about 0.9 s per walk schedule against 4 ms per pct one, and
// gil_atomicity/fixed took 91 s for 20 walk schedules on a loaded machine.
// pct's thousand schedules are what earn a correct variant its "clean";
// walk's few check that its declaration holds there too.
constexpr int kWalkTestSchedulesBroken = 100;
constexpr int kWalkTestSchedulesCorrect = 10;
// The pct schedules a CTest test in the tsan build explores for a correct
// variant. Under TSan each schedule runs in a process of its own, forked
// (how-a-verdict-is-made.md), 40 to 200 ms of CPU apiece on the 2-core
// machine: a thousand for every correct variant would be most of an hour,
// so CI explores a pinned few and the soak preset (soak-tsan) the thousand.
constexpr int kTsanPctTestSchedules = 3;

// The pct schedules a CTest test in the absl build explores for a correct
// variant of a case that says what Abseil sees under controlled schedulers:
// its locks are what Abseil would report, and its stress test is clean.
constexpr int kAbslPctTestSchedulesCorrect = 100;

// Some variant of `c` declares what detector `d` sees under a controlled
// scheduler (the absl build's lock cases).
bool declares_controlled(const Case& c, Detector d) {
  for (const Variant& v : c.variants) {
    for (const Expectation& e : v.expect) {
      if (e.detector == d && is_controlled(e.scheduler)) return true;
    }
  }
  return false;
}

bool declares_more_than_a_hang(const Expectation& e) {
  return std::any_of(e.evidence.begin(), e.evidence.end(),
                     [](const Evidence& evidence) { return evidence.kind != Evidence::Kind::kHang; });
}

int command_list() {
  const std::string format = chosen_format({"ctest"});
  if (format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const Case& c : all_cases()) {
      nlohmann::json variants = nlohmann::json::array();
      for (const Variant& v : c.variants) {
        nlohmann::json expect;
        for (Detector d : kAllDetectors) expect[std::string(detector_name(d))] = describe_expectation(v, d);
        for (SchedulerKind s : {SchedulerKind::kPct, SchedulerKind::kGil, SchedulerKind::kWalk}) {
          expect[std::string(scheduler_name(s))] = describe_expectation(v, Detector::kOutcome, s);
        }
        expect["tsan_pct"] = describe_expectation(v, Detector::kTsan, SchedulerKind::kPct);
        variants.push_back({{"name", v.name}, {"broken", v.is_broken()}, {"expect", expect}});
      }
      out.push_back({{"name", c.name}, {"title", c.title}, {"variants", variants}});
    }
    std::cout << out.dump(2) << "\n";
  } else if (format == "ctest") {
    for (const std::string& line : case_test_lines(build_detector())) std::cout << line << "\n";
  } else {
    int position = 0;
    for (const Case& c : all_cases()) {
      std::cout << absl::StrFormat("%2d. %-26s %s\n", ++position, c.name, c.title);
    }
  }
  return 0;
}

int command_run(const std::string& program, const CommandLine& line) {
  const std::vector<std::string>& args = line.words;
  const bool all = absl::GetFlag(FLAGS_all);
  if (all ? !args.empty() : args.size() != 1) throw BadInput{"run takes one CASE, or --all"};
  const Detector detector = chosen_detector();
  if (detector == Detector::kThreadSafety) {
    throw BadInput{"the thread-safety detector runs no code: it reads the compiler's warnings "
                   "(hazardlab warnings CASE, in the thread-safety build)"};
  }
  const std::string format = chosen_format({"sarif", "svg", "html"});
  const std::uint64_t seed = chosen_seed();
  // A trace is read one schedule at a time; --all prints a row per variant.
  // Said first: it holds in every build, whatever the scheduler.
  if (all && line.given("trace")) throw BadInput{"--trace reads one case's schedules: give a CASE, not --all"};
  const std::string sarif_file = absl::GetFlag(FLAGS_sarif);
  if (line.given("sarif") && sarif_file.empty()) throw BadInput{"--sarif needs a file name"};
  const std::string json_file = absl::GetFlag(FLAGS_json);
  if (line.given("json") && json_file.empty()) throw BadInput{"--json needs a file name"};
  if (line.given("trials") && absl::GetFlag(FLAGS_trials) < 1) throw BadInput{"--trials must be at least 1"};
  if (absl::GetFlag(FLAGS_trials_per_child) < 1) throw BadInput{"--trials-per-child must be at least 1"};
  check_schedule_flags(line, chosen_scheduler());  // validate before running anything
  chosen_seed_range();
  if (all && is_picture(format)) {
    throw BadInput{absl::StrCat("--format=", format, " draws one case's schedule: give a CASE, not --all")};
  }

  std::vector<const Case*> cases;
  if (all) {
    for (const Case& c : all_cases()) cases.push_back(&c);
  } else {
    cases.push_back(&case_named(args[0]));
  }
  if (!all && cases[0]->variants.empty()) {
    throw BadInput{absl::StrCat(cases[0]->name, " is a benchmark lesson, not a test: ", cases[0]->benchmark)};
  }
  // With --all, --variant picks that variant in every case that has one
  // (--all --variant=broken); a name no case has is a typo, not an empty run.
  const std::string variant_name = absl::GetFlag(FLAGS_variant);
  if (line.given("variant") && variant_name.empty()) throw BadInput{"--variant needs a name"};
  if (!variant_name.empty() &&
      std::none_of(cases.begin(), cases.end(), [&](const Case* c) { return c->find_variant(variant_name); })) {
    throw BadInput{all ? absl::StrCat("no case has a variant '", variant_name, "'")
                       : absl::StrCat("case ", cases[0]->name, " has no variant '", variant_name, "'")};
  }

  if (is_picture(format)) {
    // The picture is of one schedule per variant, drawn from its trace.
    for (const Variant& v : cases[0]->variants) {
      if (!variant_name.empty() && v.name != variant_name) continue;
      if (!is_controlled(plan_for(*cases[0], v, detector, seed).spec.kind)) {
        throw BadInput{absl::StrCat("--format=", format, " draws a controlled schedule: add --scheduler=walk, pct or gil")};
      }
    }
    if (format == "svg" && variant_name.empty() && cases[0]->variants.size() > 1) {
      throw BadInput{"--format=svg draws one schedule: give --variant (or use --format=html for every variant)"};
    }
  }
  // The controller passes the turn between threads through atomics, which
  // Helgrind and DRD do not take for synchronization: they would report the
  // controller's own state (valgrind/README.md).
  if (is_valgrind(detector) && chosen_scheduler() && is_controlled(*chosen_scheduler())) {
    throw BadInput{absl::StrCat("the ", detector_name(detector),
                                " detector runs the stress schedulers (none, yield, random): Valgrind does not "
                                "see the controlled schedulers' atomic handoff as synchronization")};
  }
  // --sarif=FILE: the log besides the printed output, for CI to upload;
  // opened after every check of the command line (bad input leaves no empty
  // file behind) and before any trial (a bad path costs no run).
  std::ofstream sarif_out;
  if (!sarif_file.empty()) {
    sarif_out.open(sarif_file);
    if (!sarif_out) throw BadInput{absl::StrCat("cannot write the --sarif file '", sarif_file, "'")};
  }
  // --json=FILE: the same, as the JSON array (the detector matrix reads it).
  std::ofstream json_out;
  if (!json_file.empty()) {
    json_out.open(json_file);
    if (!json_out) throw BadInput{absl::StrCat("cannot write the --json file '", json_file, "'")};
  }

  std::vector<std::pair<RunPlan, Judgement>> runs;
  nlohmann::json json_runs = nlohmann::json::array();
  for (const Case* c : cases) {
    for (const Variant& v : c->variants) {
      if (!variant_name.empty() && v.name != variant_name) continue;
      RunPlan plan = plan_for(*c, v, detector, seed);
      Judgement judgement;
      {
        Progress progress(absl::StrCat(c->name, "/", v.name, " [", detector_name(detector), "]"));
        judgement = execute(plan, std::ref(progress));
      }
      if (format == "json" || json_out.is_open()) json_runs.push_back(render_json(program, plan, judgement));
      if (format == "json") {
        // printed whole at the end
      } else if (format == "sarif") {
        // printed whole at the end
      } else if (is_picture(format)) {
        // drawn below, once every run is in
      } else if (all) {
        std::cout << absl::StrFormat("%-24s %-20s %-12s %s\n", c->name, v.name, verdict_name(judgement.verdict),
                                     judgement.verdict == Verdict::kUnverified ? "unverified (declared)"
                                     : judgement.expected                      ? "as declared"
                                                                               : "NOT AS DECLARED")
                  << std::flush;
      } else {
        std::cout << render_text(program, plan, judgement) << "\n" << std::flush;
      }
      runs.emplace_back(plan, std::move(judgement));
    }
  }
  if (format == "json") {
    // Always an array: a script reads one run and many the same way.
    std::cout << json_runs.dump(2) << "\n";
  } else if (format == "sarif") {
    std::cout << sarif_for_runs(program, runs).dump(2) << "\n";
  } else if (format == "svg") {
    std::cout << render_swimlanes_svg(runs.front().first, runs.front().second);
  } else if (format == "html") {
    std::cout << render_swimlanes_html(runs);
  } else if (all) {
    std::cout << "\n" << render_table(runs);
  }
  if (sarif_out.is_open()) sarif_out << sarif_for_runs(program, runs).dump(2) << "\n" << std::flush;
  if (json_out.is_open()) json_out << json_runs.dump(2) << "\n" << std::flush;
  for (const auto& [plan, judgement] : runs) {
    if (!judgement.expected) return 1;
  }
  return 0;
}

int command_explain(const std::string& program, const CommandLine& line) {
  if (line.words.size() != 1) throw BadInput{"explain takes one CASE"};
  const std::string format = chosen_format();
  const Case& c = case_named(line.words[0]);
  if (format == "json") {
    std::cout << explain_json(c, program).dump(2) << "\n";
  } else {
    std::cout << explain(c, program);
  }
  return 0;
}

// Like grep: 1 when the log holds a report, so a script can branch on it.
int command_classify(const CommandLine& line) {
  if (!line.words.empty()) throw BadInput{"classify takes no arguments: it reads the log on stdin"};
  const std::string format = chosen_format({"sarif"});
  const std::string root = absl::GetFlag(FLAGS_source_root);
  // Not checked against this machine's folders: the log may come from CI.
  if (line.given("source-root") && root.empty()) throw BadInput{"--source-root needs a folder"};
  const UserCode code(root);
  const std::string log((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  const std::vector<Report> reports = classify_reports(log);
  if (format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const Report& r : reports) out.push_back(report_json(r, code));
    std::cout << out.dump(2) << "\n";
  } else if (format == "sarif") {
    std::cout << sarif_for_reports(reports, code).dump(2) << "\n";
  } else if (reports.empty()) {
    std::cout << "no sanitizer report found\n";
  } else {
    for (const Report& r : reports) std::cout << render_report_text(r, code) << "\n";
  }
  return reports.empty() ? 0 : 1;
}

// The thread-safety detector: no trial runs; the verdict is read from the
// warnings the compiler printed for the case file.
int command_warnings(const CommandLine& line) {
  const bool all = absl::GetFlag(FLAGS_all);
  if (all ? !line.words.empty() : line.words.size() != 1) throw BadInput{"warnings takes one CASE, or --all"};
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format != "text" && format != "json") throw BadInput{absl::StrCat("warnings prints text or json, not '", format, "'")};
  const std::string variant_name = absl::GetFlag(FLAGS_variant);
  std::string given_log = absl::GetFlag(FLAGS_log);
  if (all && !given_log.empty()) throw BadInput{"--log reads one case's log: give a CASE, not --all"};
  std::vector<const Case*> cases;
  if (all) {
    for (const Case& c : all_cases()) {
      if (!c.variants.empty() && (variant_name.empty() || c.find_variant(variant_name))) cases.push_back(&c);
    }
    if (cases.empty()) throw BadInput{absl::StrCat("no case has a variant '", variant_name, "'")};
  } else {
    const Case& c = case_named(line.words[0]);
    if (c.variants.empty()) throw BadInput{absl::StrCat(c.name, " is a benchmark lesson, not a test: ", c.benchmark)};
    if (!variant_name.empty() && !c.find_variant(variant_name)) {
      throw BadInput{absl::StrCat("case ", c.name, " has no variant '", variant_name, "'")};
    }
    cases.push_back(&c);
  }
  bool all_expected = true;
  nlohmann::json runs = nlohmann::json::array();
  for (const Case* c : cases) {
    std::string log_file = given_log;
    if (log_file.empty()) {
      const std::string file(source_file_name(*c));
      log_file = absl::StrCat(build_tree().string(), "/thread-safety/", file.substr(0, file.rfind('.')), ".log");
    }
    std::ifstream in(log_file);
    if (!in) {
      throw BadInput{absl::StrCat("cannot read the compiler log '", log_file,
                                  "' (cmake --workflow --preset thread-safety writes one per case file)")};
    }
    const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::vector<PlacedWarning> placed = place_warnings(*c, thread_safety_warnings(log));
    for (const Variant& v : c->variants) {
      if (!variant_name.empty() && v.name != variant_name) continue;
      const WarningVerdict verdict = judge_warnings(*c, v, placed);
      if (format == "json") {
        runs.push_back(warning_verdict_json(*c, v, verdict, log_file));
      } else {
        std::cout << render_warning_verdict(*c, v, verdict, log_file);
      }
      all_expected = all_expected && verdict.expected;
    }
  }
  if (format == "json") std::cout << runs.dump(2) << "\n";
  return all_expected ? 0 : 1;
}

int command_exercise(const std::string& program, const CommandLine& line) {
  const std::vector<std::string>& args = line.words;
  if (args.size() == 1 && args[0] == "list") {
    std::cout << exercise_list();
    return 0;
  }
  if (args.size() != 2 || (args[0] != "start" && args[0] != "check")) {
    throw BadInput{"exercise takes list, start CASE or check CASE"};
  }
  const Case& c = case_named(args[1]);
  if (c.variants.empty()) throw BadInput{absl::StrCat(c.name, " is a benchmark lesson: it has no exercise")};
  if (args[0] == "start") {
    std::string message;
    if (!start_exercise(c, message)) throw BadInput{message};
    std::cout << message << "\n";
    return 0;
  }
  if (!std::filesystem::exists(exercise_path(c))) {
    throw BadInput{absl::StrCat(c.name, " is not started (hazardlab exercise start ", c.name, ")")};
  }
  return check_exercise(program, c);
}

int command_help(const CommandLine& line) {
  if (line.words.size() > 1) throw BadInput{"help takes at most one COMMAND"};
  if (line.words.empty()) {
    std::cout << general_usage();
    return 0;
  }
  const CommandUsage* command = find_command(line.words[0]);
  if (!command) throw BadInput{absl::StrCat("unknown command '", line.words[0], "' (", command_names(), ")")};
  std::cout << command->help;
  return 0;
}

}  // namespace

std::uint64_t chosen_seed() {
  const std::string text = absl::GetFlag(FLAGS_seed);
  if (text.empty()) return std::random_device{}() % 1'000'000'000ULL;
  std::uint64_t seed = 0;
  if (!absl::SimpleAtoi(text, &seed)) throw BadInput{absl::StrCat("bad --seed '", text, "': want a non-negative integer")};
  return seed;
}

// `extra`: the formats the command takes besides text and json.
std::string chosen_format(std::initializer_list<absl::string_view> extra) {
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format == "text" || format == "json" || absl::c_linear_search(extra, format)) return format;
  std::vector<absl::string_view> known = {"text", "json"};
  known.insert(known.end(), extra.begin(), extra.end());
  const absl::string_view last = known.back();
  known.pop_back();
  throw BadInput{absl::StrCat("unknown format '", format, "' (", absl::StrJoin(known, ", "), " or ", last, ")")};
}

int cli_main(int argc, char** argv) {
  const std::string program = argc > 0 ? argv[0] : "hazardlab";
  try {
    // Everything after `--` is another program's command line (shake), not
    // hazardlab's words or flags.
    int own_argc = argc;
    std::vector<std::string> after_dashes;
    for (int i = 1; i < argc; ++i) {
      if (absl::string_view(argv[i]) != "--") continue;
      own_argc = i;
      after_dashes.assign(argv + i + 1, argv + argc);
      break;
    }
    const bool dashes = own_argc < argc;
    CommandLine line = parse_command_line(own_argc, argv);
    if (line.words.empty()) {
      if (line.help) {
        std::cout << general_usage();
        return 0;
      }
      throw BadInput{absl::StrCat("missing command (", command_names(), ")")};
    }
    const std::string name = line.words[0];
    line.words.erase(line.words.begin());
    const CommandUsage* command = find_command(name);
    if (!command) throw BadInput{absl::StrCat("unknown command '", name, "' (", command_names(), ")")};
    check_flags_apply(*command, line);
    if (line.help) {
      std::cout << command->help;
      return 0;
    }
    if (name == "shake") {
      if (!line.words.empty()) throw BadInput{absl::StrCat("shake takes the program after --: shake [FLAGS] -- ", line.words[0], " ...")};
      return command_shake(program, line.given("seed"), after_dashes);
    }
    if (dashes) throw BadInput{absl::StrCat("-- is for shake's program; ", name, " takes no program")};
    if (name == "list") {
      if (!line.words.empty()) throw BadInput{"list takes no arguments"};
      return command_list();
    }
    if (name == "run") return command_run(program, line);
    if (name == "explain") return command_explain(program, line);
    if (name == "classify") return command_classify(line);
    if (name == "warnings") return command_warnings(line);
    if (name == "exercise") return command_exercise(program, line);
    return command_help(line);
  } catch (const BadInput& bad) {
    std::cerr << "hazardlab: " << bad.message << "\n";
    return kBadInput;
  }
}

// One CTest test per (case, variant, detector `d`), read by
// cmake/case_tests.cmake: "name|label,label|arg arg ...". Broken variants
// that TSan must catch get one test per stress scheduler, proving that no
// scheduler hides the race.
std::vector<std::string> case_test_lines(Detector d) {
  std::vector<std::string> lines;
  const std::string det(detector_name(d));
  for (const Case& c : all_cases()) {
    for (const Variant& v : c.variants) {
      const std::string name = absl::StrCat(c.name, ".", v.name, ".", det);
      const std::string labels = absl::StrCat(c.name, ",", v.name, ",", v.is_broken() ? "broken" : "fixed", ",", det,
                                              v.name == kExerciseVariant ? ",exercises" : "");
      if (d == Detector::kThreadSafety) {  // no run: the compiler's warnings, read from the build's log
        lines.push_back(absl::StrCat(name, "|", labels, "|warnings ", c.name, " --variant=", v.name));
        continue;
      }
      const std::string args = absl::StrCat("run ", c.name, " --variant=", v.name, " --detector=", det);
      // One more test of the variant under scheduler `s`.
      auto under = [&](SchedulerKind s, absl::string_view extra) {
        const absl::string_view scheduler = scheduler_name(s);
        lines.push_back(absl::StrCat(name, ".", scheduler, "|", labels, ",", scheduler, "|", args,
                                     " --scheduler=", scheduler, extra));
      };
      if (d == Detector::kOutcome) {
        // Every variant again under pct: broken ones within their declared
        // budget, correct ones clean over the default thousand schedules.
        // Then cheaply under gil (one schedule: it has no randomness) and
        // walk (kWalkTestSchedules*, or the budget of a declaration of
        // walk's own), so that a declaration that holds for pct alone
        // shows.
        under(SchedulerKind::kPct, "");
        under(SchedulerKind::kGil, "");
        // A declared miss expects nothing, as a correct variant does: it
        // pays for every schedule, and gets a correct variant's few.
        const Expectation* walk = v.expectation_for(d, SchedulerKind::kWalk);
        const bool own_walk_budget = walk && walk->scheduler == SchedulerKind::kWalk && walk->trials > 0;
        const bool expects_evidence = v.is_broken() && !(walk && walk->kind == Expectation::Kind::kMisses);
        const int schedules = own_walk_budget ? walk->trials
                                              : (expects_evidence ? kWalkTestSchedulesBroken : kWalkTestSchedulesCorrect);
        under(SchedulerKind::kWalk, absl::StrCat(" --schedules=", schedules));
      }
      // Under TSan, pct too: a broken variant within its declared budget
      // (tsan_pct_sees), a correct one clean over kTsanPctTestSchedules
      // schedules (each a process of its own: CI's share of the
      // thousand the soak preset explores). Hang-only declarations are
      // left to the stress test below, as there.
      const Expectation* tsan_pct = v.expectation_for(d, SchedulerKind::kPct);
      if (d == Detector::kTsan) {
        if (!v.is_broken()) {
          // A declared false alarm must show, as a broken variant's
          // evidence must (within the run's budget): a pinned few schedules
          // can miss it, and a clean run is not its declaration.
          const bool false_alarm = tsan_pct && tsan_pct->kind == Expectation::Kind::kFalseAlarm;
          under(SchedulerKind::kPct, false_alarm ? "" : absl::StrCat(" --schedules=", kTsanPctTestSchedules));
        } else if (tsan_pct && tsan_pct->kind == Expectation::Kind::kDetects && declares_more_than_a_hang(*tsan_pct)) {
          under(SchedulerKind::kPct, "");
        }
      }
      // The absl build runs controlled schedulers too, and Abseil sees there
      // only the locks the controller grants (a lock that would block is
      // the controller's deadlock before Abseil sees it): a case whose
      // variants say so (sees(Detector::kAbsl, ...).under(kPct)) is tested
      // under pct, gil and walk, every variant of it.
      if (d == Detector::kAbsl && declares_controlled(c, d)) {
        under(SchedulerKind::kPct, v.is_broken() ? "" : absl::StrCat(" --schedules=", kAbslPctTestSchedulesCorrect));
        under(SchedulerKind::kGil, "");
        under(SchedulerKind::kWalk, absl::StrCat(" --schedules=", v.is_broken() ? kWalkTestSchedulesBroken
                                                                               : kWalkTestSchedulesCorrect));
      }
      // A race must show under every stress scheduler; a hang alone proves
      // nothing about hiding races, and each would cost a watchdog deadline.
      const Expectation* e = v.expectation_for(d, SchedulerKind::kRandom);
      if (is_tsan(d) && e && e->kind == Expectation::Kind::kDetects && declares_more_than_a_hang(*e)) {
        for (SchedulerKind s : kStressSchedulers) under(s, "");
      } else {
        lines.push_back(absl::StrCat(name, "|", labels, "|", args));
      }
    }
  }
  return lines;
}

}  // namespace hazardlab
