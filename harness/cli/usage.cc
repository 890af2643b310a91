#include "harness/cli/usage.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace hazardlab {
namespace {

constexpr char kGeneral[] = R"(usage: hazardlab COMMAND [ARGS] [FLAGS]

commands:
  list              the cases in teaching order, one line each
  explain CASE      the lesson, the code, and what each detector is declared to see
  run CASE          run a case's variants: histogram, verdict, evidence, seed, replay command
  run --all         every case and variant under this build's detector, then a verdict table
  classify < LOG    read a sanitizer log; print each report's kind and location
  warnings CASE     the thread-safety detector: clang's -Wthread-safety warnings on the
                    case file, placed in its functions, judged per variant
  shake -- PROGRAM [ARGS]
                    run any program many times with seeded delays at its pthread
                    synchronization calls; each failing run's seed replays it
  exercise list|start CASE|check CASE
                    learn by fixing: write a case's broken code to exercises/CASE.cc,
                    edit it, and check it under every detector
  help [COMMAND]    this text, or one command's flags (also: COMMAND --help, -h)

exit code: 0 every verdict as declared (classify: no report), 1 some verdict not as
declared (classify: a report found), 2 bad input, with one line on stderr
)";

constexpr char kList[] = R"(usage: hazardlab list [--format=text|json|ctest]

Every case in teaching order, one line each.

  --format=F   text (default); json: each case's variants and what each detector
               is declared to see; ctest: one line per CTest test of this build
               (name|labels|arguments), read by the test suite

exit code: 0, or 2 on bad input
)";

constexpr char kExplain[] = R"(usage: hazardlab explain CASE [--format=text|json]

The lesson with the failing interleaving as numbered steps, the outcome table,
what each detector is declared to see for each variant, each variant's code, and
the commands that run them.

  --format=F   text (default) or json (one object: name, title, lesson, outcomes,
               variants with their expectations and code)

exit code: 0, or 2 on bad input (an unknown case)
)";

constexpr char kRun[] = R"(usage: hazardlab run CASE [FLAGS]
       hazardlab run --all [FLAGS]

Runs variants in child processes under this build's detector (build/dev: outcome,
build/tsan: ThreadSanitizer, build/asan: AddressSanitizer + UBSan + LeakSanitizer)
and prints the outcome histogram, the verdict with its evidence, the seed and the
command that replays it.

  --all                every case and every variant, ending in a verdict table
  --variant=V          one variant (default: every variant of the case); with --all,
                       variant V of every case that has one (--all --variant=broken)
  --detector=D         outcome | tsan | asan: must be this build's (the default)
  --scheduler=S        stress: none | yield | random (default: as the case declares)
                       controlled: walk | pct | gil
  --seed=N             base seed; trial i uses N+i (default: random, always printed)
  --trials=N           number of trials (default: the case's declared budget)
  --keep-going         run every trial (for detection rates) instead of stopping early
  --format=F           text (default); json: an array, one object per run; sarif: a
                       SARIF 2.1.0 log, one result per finding, at its case line;
                       svg or html (controlled schedulers): the traced schedule drawn as
                       swimlanes, one lane per thread (svg: one --variant; html: a page)
  --sarif=FILE         also write that SARIF log to FILE (with any --format)
  --json=FILE          also write the json array to FILE (with any --format): the
                       detector matrix (ci/matrix.sh) reads the main job's runs
  --trials-per-child=N at most N trials share one child process (default 1000; 1: each
                       alone, for a suspected effect of one trial on the next; the tsan
                       build always runs each trial alone: TSan reports a race once per
                       process)
controlled schedulers only (one thread runs at a time; a run is a function of its seed):
  --schedules=N        explore N schedules (seeds --seed, --seed+1, ...), stopping at the
                       first failure
  --seed-range=A:B     explore seeds A to B-1 (to split one exploration across machines)
  --trace              print the schedule step by step (thread, operation, case line);
                       one schedule unless --schedules or --trials says more; not with --all
  --depth=D            pct: bug depth, D-1 priority change points (default 3)
  --pct-steps=K        pct: steps the change points are drawn from (default: measured)
  --switch-interval=S  gil: switch at a yield point only S steps after the last switch

exit code: 0 every verdict as declared, 1 some verdict not as declared, 2 bad input
)";

constexpr char kClassify[] = R"(usage: hazardlab classify [--source-root=DIR] [--format=text|json|sarif] < LOG

Reads a sanitizer log on stdin (ThreadSanitizer, AddressSanitizer, UBSan,
LeakSanitizer), from a case or from any program, and prints each report's tool,
kind, location and first frames in the user's code: frames in cases/ for a
case's log; for another program's, frames with a source file outside system and
toolchain folders (/usr, /lib, /opt, glibc's sources) and the sanitizer runtime.

  --source-root=DIR  the user's code is the files under DIR (paths shown relative
                     to it), when the guess above is wrong
  --format=F         text (default), json (an array of reports) or sarif (a SARIF
                     2.1.0 log, one result per report)

exit code: 0 no report found, 1 some report found, 2 bad input
)";

constexpr char kExercise[] = R"(usage: hazardlab exercise list
       hazardlab exercise start CASE
       hazardlab exercise check CASE

Learn by fixing. `start` writes exercises/CASE.cc in the source tree: the lesson's
first part, the broken code under the name `attempt`, and a TODO; it never
overwrites that file. The build compiles exercises/*.cc in as the case's variant
"exercise". `check` rebuilds, runs the exercise under every detector the builds have
(this build's, with pct too in the dev build, and build/tsan, build/asan when they
are configured), with the budgets of the case's fixed variants, and prints pass or
fail per detector with the evidence and a hint. `list` shows each exercise's state.

exit code: 0 passing (start, list: done), 1 failing, 2 bad input (an existing file
for start, an exercise not started for check)
)";

constexpr char kShake[] = R"(usage: hazardlab shake [--runs=N] [--seed=S] [--timeout=MS] [--format=text|json] -- PROGRAM [ARGS]

Runs PROGRAM (any executable: a test binary, a GoogleTest binary, a native,
TSan or ASan build) N times, each run in a process of its own with the shake
library preloaded: at the program's mutex, rwlock, condition variable,
semaphore, thread create/join and std::atomic wait/notify calls it yields or
sleeps briefly, as its seed decides (run i has seed S+i; each thread draws from
its own sequence, numbered in creation order). A run fails when it exits
non-zero, dies of a signal, hangs past --timeout (its process group is killed)
or prints a sanitizer report; every report is classified (kind, first frames in
the user's code). Prints each failing run, a summary, and for each failing run
the command that repeats its injection sequence (--seed=X --runs=1).

  --runs=N       runs (default 100)
  --seed=S       the first run's seed (default: random, always printed)
  --timeout=MS   a run still going after MS milliseconds is a hang (default 10000)
  --format=F     text (default) or json: seed, run_count, failing_runs, replays, and
                 runs: per run its seed, exit_code, signal, hang, failed, reports

exit code: 0 no run failed, 1 some run failed, 2 bad input (no PROGRAM, a bad
number, an unknown flag), 3 the shake library is missing or a run cannot start
)";

constexpr char kWarnings[] = R"(usage: hazardlab warnings (CASE | --all) [--variant=V] [--log=FILE] [--format=text|json]

The thread-safety detector, which runs no code: the warnings clang's
-Wthread-safety analysis printed when the thread-safety build compiled the case
file (cmake --workflow --preset thread-safety), each placed in the function of
the file whose lines hold it (a lambda or a local type is its enclosing
function's), judged against what each variant declares: every declared warning
printed and no other for a broken variant, none at all for a fixed one.

  --all        every case (with --variant=V, variant V of every case that has one)
  --variant=V  one variant (default: every variant of the case)
  --log=FILE   the compiler's log of the case file (default: this build's
               thread-safety/CASE.log); not with --all
  --format=F   text (default) or json: an array with one object per variant,
               shaped as run's (case, variant, detector, verdict, expected,
               declared, evidence, unexpected, trials), plus the warnings

exit code: 0 every verdict as declared, 1 some verdict not as declared, 2 bad input
(an unknown case or variant, no log)
)";

constexpr char kHelp[] = R"(usage: hazardlab help [COMMAND]

Prints the list of commands, or one command's help (the same as COMMAND --help).
)";

const std::vector<CommandUsage>& commands() {
  static const std::vector<CommandUsage> all = {
      {"list", kList, {"format"}},
      {"explain", kExplain, {"format"}},
      {"run", kRun, {"all", "variant", "detector", "scheduler", "seed", "trials", "keep-going", "format", "schedules",
                     "seed-range", "trials-per-child", "sarif", "json", "trace", "depth", "pct-steps", "switch-interval"}},
      {"classify", kClassify, {"format", "source-root"}},
      {"warnings", kWarnings, {"all", "variant", "log", "format"}},
      {"exercise", kExercise, {}},
      {"shake", kShake, {"runs", "seed", "timeout", "format"}},
      {"help", kHelp, {}},
  };
  return all;
}

}  // namespace

absl::string_view general_usage() { return kGeneral; }

const CommandUsage* find_command(absl::string_view name) {
  const auto& all = commands();
  const auto it = std::find_if(all.begin(), all.end(), [&](const CommandUsage& c) { return c.name == name; });
  return it == all.end() ? nullptr : &*it;
}

bool is_command_flag(absl::string_view flag) {
  return std::any_of(commands().begin(), commands().end(), [&](const CommandUsage& c) {
    return std::find(c.flags.begin(), c.flags.end(), flag) != c.flags.end();
  });
}

std::string command_names() { return "list, explain, run, classify, warnings, exercise, shake or help"; }

}  // namespace hazardlab
