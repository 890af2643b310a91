#include "harness/run/trial.h"

#include <sched.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>

#include "absl/strings/string_view.h"

#include "absl/strings/numbers.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "harness/run/child_process.h"
#include "harness/registry.h"

namespace hazardlab {
namespace {

// argv of a child: `<exe> --hazardlab-trial CASE VARIANT SCHEDULER SEED DEPTH
// STEPS INTERVAL TRACE` (the fields of a ScheduleSpec).
constexpr absl::string_view kTrialArgument = "--hazardlab-trial";
constexpr int kTrialArgc = 10;

// The result channel carries lines. "outcome v1 v2 ..." when the variant
// returned; in controlled runs also "run|THREADS|STEPS", "step|N|T|OP|STACK"
// per step when tracing, "deadlock|N|T|OP|STACK" per waiting thread and
// "stall|N|T|OP|STACK|WHY". A stack is hexadecimal offsets joined by ','.
constexpr absl::string_view kOutcomePrefix = "outcome";

// How long a controlled run may go without a step before it counts as
// stalled: well inside the deadline, far above any step's duration.
std::chrono::milliseconds stall_limit(const Case& c) {
  return std::min(std::chrono::milliseconds(2000), c.deadline / 2);
}

// The watchdog's deadline. A controlled run needs no watchdog to find a
// deadlock (all-blocked) or a stuck thread (the stall monitor), and it pays
// an OS thread handoff at every switch, which on a loaded machine can cost a
// hundred times what it costs on an idle one: a case deadline sized for
// free-running threads would turn slowness into false hangs.
std::chrono::milliseconds watchdog_deadline(const Case& c, const ScheduleSpec& spec) {
  if (!is_controlled(spec.kind)) return c.deadline;
  return std::max(c.deadline * 4, std::chrono::milliseconds(30'000));
}

// Only one thread of a controlled run runs at a time, so one CPU costs it
// nothing, and keeping every thread on it keeps each handoff on one run
// queue: the woken thread takes the CPU the waker gives up.
void stay_on_this_cpu() {
  const int cpu = sched_getcpu();
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof set, &set);
}

std::optional<Outcome> parse_outcome(absl::string_view line) {
  std::vector<absl::string_view> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
  std::vector<std::int64_t> values;
  for (std::size_t i = 1; i < words.size(); ++i) {
    std::int64_t value = 0;
    if (!absl::SimpleAtoi(words[i], &value)) return std::nullopt;
    values.push_back(value);
  }
  return Outcome(std::move(values));
}

std::string format_step(absl::string_view tag, const StepRecord& step) {
  std::vector<std::string> offsets;
  for (std::uintptr_t offset : step.stack) offsets.push_back(absl::StrCat(absl::Hex(offset)));
  return absl::StrCat(tag, "|", step.step, "|", step.thread, "|", step.op, "|", absl::StrJoin(offsets, ","));
}

std::optional<StepRecord> parse_step(const std::vector<absl::string_view>& fields) {
  StepRecord step;
  if (fields.size() < 5 || !absl::SimpleAtoi(fields[1], &step.step) || !absl::SimpleAtoi(fields[2], &step.thread)) {
    return std::nullopt;
  }
  step.op = std::string(fields[3]);
  for (absl::string_view hex : absl::StrSplit(fields[4], ',', absl::SkipEmpty())) {
    std::uint64_t offset = 0;
    if (!absl::SimpleHexAtoi(hex, &offset)) return std::nullopt;
    step.stack.push_back(offset);
  }
  return step;
}

// Reads the channel into `result`.
void parse_channel(absl::string_view channel, bool controlled, TrialResult& result) {
  if (controlled) result.controlled.emplace();
  for (absl::string_view line : absl::StrSplit(channel, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, kOutcomePrefix)) {
      result.outcome = parse_outcome(line);
      continue;
    }
    if (!controlled) continue;
    ControlledRun& run = *result.controlled;
    const std::vector<absl::string_view> fields = absl::StrSplit(line, '|');
    if (fields[0] == "run" && fields.size() == 3) {
      (void)absl::SimpleAtoi(fields[1], &run.threads);
      (void)absl::SimpleAtoi(fields[2], &run.steps);
    } else if (std::optional<StepRecord> step = parse_step(fields)) {
      if (fields[0] == "step") run.trace.push_back(std::move(*step));
      if (fields[0] == "deadlock") run.deadlock.push_back(std::move(*step));
      if (fields[0] == "stall" && fields.size() >= 6) {
        run.stalled = std::move(*step);
        run.stall = std::string(fields[5]);
      }
    }
  }
}

void write_all(int fd, absl::string_view text) {
  while (!text.empty()) {
    const ssize_t n = write(fd, text.data(), text.size());
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

void write_line(const std::string& line) { write_all(kResultChannelFd, absl::StrCat(line, "\n")); }

std::string run_line(const Controller& controller) {
  return absl::StrCat("run|", controller.threads_created(), "|", controller.steps());
}

// Runs the variant under a controller on this thread (thread 0). A deadlock
// or a stall ends the process from inside the controller: nothing after
// them could run anyway, and the channel already holds the evidence.
Outcome run_controlled(const Variant& variant, const ScheduleSpec& spec, std::chrono::milliseconds stall_after) {
  Controller::Hooks hooks;
  // Set below; the hooks run only after the controller exists.
  static Controller* controller = nullptr;
  if (spec.trace) hooks.on_step = [](const StepRecord& step) { write_line(format_step("step", step)); };
  hooks.on_deadlock = [](const std::vector<StepRecord>& waiting) {
    for (const StepRecord& step : waiting) write_line(format_step("deadlock", step));
    write_line(run_line(*controller));
    _exit(0);
  };
  hooks.on_stall = [](const std::string& why, const StepRecord& last) {
    write_line(absl::StrCat(format_step("stall", last), "|", why));
    write_line(run_line(*controller));
    _exit(0);
  };
  stay_on_this_cpu();
  // Never destroyed: threads a variant detaches stay parked on it until the
  // process exits.
  controller = new Controller(spec, std::move(hooks), stall_after);
  controller->adopt_calling_thread();
  Threads threads(spec, controller);
  const Outcome outcome = variant.body(threads);
  controller->finish();
  write_line(run_line(*controller));
  return outcome;
}

}  // namespace

TrialResult run_trial(const Case& c, const Variant& variant, const ScheduleSpec& spec) {
  const ChildResult child =
      run_child({self_executable(), std::string(kTrialArgument), c.name, variant.name,
                 std::string(scheduler_name(spec.kind)), absl::StrCat(spec.seed), absl::StrCat(spec.depth),
                 absl::StrCat(spec.steps), absl::StrCat(spec.switch_interval), spec.trace ? "1" : "0"},
                watchdog_deadline(c, spec));
  TrialResult result;
  result.seed = spec.seed;
  result.hung = child.hung;
  result.exit_code = child.exit_code;
  result.signal = child.signal;
  result.output = child.output;
  result.wall = child.wall;
  result.deadline = watchdog_deadline(c, spec);
  parse_channel(child.channel, is_controlled(spec.kind), result);
  if (child.hung) result.outcome.reset();
  result.reports = classify_reports(child.output);
  return result;
}

std::optional<int> run_trial_child_if_requested(int argc, char** argv) {
  if (argc < 2 || argv[1] != kTrialArgument) return std::nullopt;
  // A trial never outlives the harness that started it, even a hung one
  // whose parent was killed.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  const bool complete = argc == kTrialArgc;
  const Case* c = complete ? find_case(argv[2]) : nullptr;
  const Variant* variant = c ? c->find_variant(argv[3]) : nullptr;
  const std::optional<SchedulerKind> scheduler = complete ? parse_scheduler(argv[4]) : std::nullopt;
  ScheduleSpec spec;
  int trace = 0;
  if (!variant || !scheduler || !absl::SimpleAtoi(argv[5], &spec.seed) || !absl::SimpleAtoi(argv[6], &spec.depth) ||
      !absl::SimpleAtoi(argv[7], &spec.steps) || !absl::SimpleAtoi(argv[8], &spec.switch_interval) ||
      !absl::SimpleAtoi(argv[9], &trace)) {
    write_all(STDERR_FILENO, "hazardlab: malformed trial request\n");
    return 2;
  }
  spec.kind = *scheduler;
  spec.trace = trace != 0;
  Outcome outcome;
  if (is_controlled(spec.kind)) {
    outcome = run_controlled(*variant, spec, stall_limit(*c));
  } else {
    Threads threads(spec);
    outcome = variant->body(threads);
  }
  std::string line(kOutcomePrefix);
  for (std::int64_t value : outcome.values()) absl::StrAppend(&line, " ", value);
  write_line(line);
  close(kResultChannelFd);
  // Returning (not _exit) lets the sanitizers finish: TSan's thread-leak check
  // and LeakSanitizer run at exit.
  return 0;
}

}  // namespace hazardlab
