// The parent side of a batch of trials: starts a child (trial_child.cc),
// reads each trial's result from the channel as it ends, gives every trial
// its own watchdog deadline and its own share of the output, and starts a
// fresh child at the next trial when one ends early.

#include "harness/run/trial.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "harness/evidence/symbolize.h"
#include "harness/run/channel.h"
#include "harness/run/child_process.h"
#include "harness/run/runner.h"
#include "harness/run/valgrind.h"

namespace hazardlab {
namespace {

using Clock = ChildProcess::Clock;

// After a child exits, what it already wrote is read for at most this long
// (the group is killed first, so only a grandchild that left the group can
// still hold the pipes).
constexpr std::chrono::milliseconds kReadAfterExit{200};

// ThreadSanitizer sleeps at exit while threads a trial left are running
// (atexit_sleep_ms, a second by default), so that their races still show.
constexpr std::chrono::milliseconds kExitAllowance{2000};

// The watchdog's deadline, per trial. A controlled run needs no watchdog to
// find a deadlock (all-blocked) or a stuck thread (the stall monitor), and it
// pays an OS thread handoff at every switch, which on a loaded machine can
// cost a hundred times what it costs on an idle one: a case deadline sized
// for free-running threads would turn slowness into false hangs.
std::chrono::milliseconds watchdog_deadline(const Case& c, const ScheduleSpec& spec) {
  if (is_valgrind(build_detector())) return valgrind_deadline(c.deadline);
  if (!is_controlled(spec.kind)) return c.deadline;
  return std::max(c.deadline * 4, std::chrono::milliseconds(30'000));
}

std::vector<std::string> trial_argv(const Case& c, const Variant& variant, const ScheduleSpec& spec, int count,
                                    bool fork_each_trial) {
  return {self_executable(),
          "--hazardlab-trial",
          c.name,
          variant.name,
          std::string(scheduler_name(spec.kind)),
          absl::StrCat(spec.seed),
          absl::StrCat(spec.depth),
          absl::StrCat(spec.steps),
          absl::StrCat(spec.switch_interval),
          spec.trace ? "1" : "0",
          absl::StrCat(count),
          fork_each_trial ? "fork" : "share"};
}

// The child's command: the trial request, under the build's Valgrind tool in
// the helgrind and drd builds (the tool's reports land on the child's output
// like a sanitizer's).
std::vector<std::string> child_argv(const Case& c, const Variant& variant, const ScheduleSpec& spec, int count,
                                    bool fork_each_trial) {
  std::vector<std::string> argv = trial_argv(c, variant, spec, count, fork_each_trial);
  const absl::string_view tool = valgrind_tool_of(build_detector());
  return tool.empty() ? argv : under_valgrind(tool, std::move(argv));
}

// The trial a child is running, as the parent assembles it.
struct OpenTrial {
  TrialResult result;
  Clock::time_point begun;
  bool ended = false;
  // It ran in a process of its own, forked from the child, whose exit
  // status the child sent: that status is the trial's, whatever the child
  // does afterwards.
  bool status_known = false;
};

// One child process running a batch, read as it goes.
class Batch {
 public:
  Batch(const Case& c, const Variant& variant, const ScheduleSpec& first, int count, bool fork_each_trial,
        const TrialSink& sink)
      : controlled_(is_controlled(first.kind)),
        deadline_(watchdog_deadline(c, first)),
        first_seed_(first.seed),
        sink_(sink),
        child_(child_argv(c, variant, first, count, fork_each_trial), {.no_address_randomization = controlled_}),
        kill_at_(Clock::now() + deadline_) {}

  // Runs the child to its end. Returns how many trials it used up (at least
  // one: a child that died before its first trial took that trial with it),
  // or nullopt when the sink asked to stop.
  std::optional<int> run() {
    bool hung = false;
    while (!child_.exited() && !stopped_) {
      if (!child_.wait(kill_at_)) {
        hung = true;
        break;
      }
      read_lines();
    }
    if (stopped_) return std::nullopt;
    const ChildProcess::Exit exit =
        child_.finish(hung ? Clock::now() : std::min(kill_at_, Clock::now() + kReadAfterExit));
    read_lines();
    if (stopped_) return std::nullopt;
    if (!open_) begin(first_seed_);  // died before its first trial began: that trial crashed
    TrialResult& last = open_->result;
    if (!open_->status_known) {
      last.hung = hung;
      last.exit_code = exit.exit_code;
      last.signal = exit.signal;
    }
    if (!open_->ended || last.hung) {
      last.wall = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - open_->begun);
    }
    // Whatever followed the last marker is the last trial's: its own output
    // and what the runtimes printed at exit (which is why a trial that
    // leaves anything for the exit to report ends its batch).
    complete(child_.output().substr(std::min(output_start_, child_.output().size())));
    if (stopped_) return std::nullopt;
    return begun_;
  }

 private:
  void read_lines() {
    std::string& channel = child_.channel();
    std::size_t consumed = 0;
    for (std::size_t newline; !stopped_ && (newline = channel.find('\n', consumed)) != std::string::npos;
         consumed = newline + 1) {
      const absl::string_view line(channel.data() + consumed, newline - consumed);
      const channel::Line parsed = channel::classify_line(line);
      switch (parsed.kind) {
        case channel::Line::Kind::kBegin: begin(parsed.seed); break;
        case channel::Line::Kind::kEnd:
          if (open_) {
            open_->ended = true;
            open_->result.wall = std::chrono::microseconds(parsed.microseconds);
          }
          // What follows (the next trial's start, or the exit) gets a
          // deadline of its own, plus the time a runtime may take at exit.
          kill_at_ = Clock::now() + deadline_ + kExitAllowance;
          break;
        case channel::Line::Kind::kStatus:
          if (open_) {
            open_->result.exit_code = parsed.exit_code;
            open_->result.signal = parsed.signal;
            open_->status_known = true;
          }
          kill_at_ = Clock::now() + deadline_;  // for the child to start the next trial
          break;
        case channel::Line::Kind::kData:
          if (open_) channel::apply_line(line, open_->result);
          break;
        case channel::Line::Kind::kUnknown: break;
      }
    }
    channel.erase(0, consumed);
  }

  // A trial starts: the one before it is complete, and its output is what
  // lies between its marker and this one (the child writes the marker
  // before the begin line, so it is in the pipe by now).
  void begin(std::uint64_t seed) {
    child_.read_available();
    std::string& output = child_.output();
    const std::string marker = channel::output_marker(seed);
    const std::size_t at = output.find(marker, output_start_);
    const std::size_t before = at == std::string::npos ? output.size() : at;
    if (open_) {
      // Unless its own process's status came: it returned, and the child
      // went on to the next trial.
      if (!open_->status_known) open_->result.exit_code = 0;
      complete(output.substr(output_start_, before - output_start_));
      output.erase(0, before);
      output_start_ = 0;
    } else {
      // Anything a child printed before its first trial (a runtime's start-up
      // warning) goes with that trial.
      prelude_ = output.substr(0, before);
      output.erase(0, before);
      output_start_ = 0;
    }
    if (at != std::string::npos) output_start_ = marker.size();
    open_.emplace();
    open_->result.seed = seed;
    open_->result.deadline = deadline_;
    if (controlled_) open_->result.controlled.emplace();
    open_->begun = Clock::now();
    kill_at_ = open_->begun + deadline_;
    ++begun_;
  }

  void complete(std::string output) {
    TrialResult result = std::move(open_->result);
    result.output = std::move(prelude_) + std::move(output);
    prelude_.clear();
    if (result.hung) result.outcome.reset();
    result.reports = classify_reports(result.output);
    locate_offset_frames(result.reports);  // Abseil's frames: offsets into this executable
    if (!sink_(std::move(result))) stopped_ = true;
  }

  const bool controlled_;
  const std::chrono::milliseconds deadline_;
  const std::uint64_t first_seed_;
  const TrialSink& sink_;
  ChildProcess child_;
  Clock::time_point kill_at_;
  std::optional<OpenTrial> open_;  // the trial running now (or the last one)
  std::size_t output_start_ = 0;   // where the open trial's output starts
  std::string prelude_;
  int begun_ = 0;
  bool stopped_ = false;
};

}  // namespace

bool may_corrupt_memory(const Variant& variant) {
  for (const Expectation& e : variant.expect) {
    if (e.detector != Detector::kAsan || e.kind != Expectation::Kind::kDetects) continue;
    for (const Evidence& evidence : e.evidence) {
      if (evidence.kind == Evidence::Kind::kReport && !absl::StrContains(evidence.detail, "leak")) return true;
    }
  }
  return false;
}

bool forks_each_trial(const BatchOptions& options) {
  // ThreadSanitizer reports a race only if it can still find the earlier
  // access's stack in the racing thread's history, and silently drops it
  // otherwise; it also prints one report per racing pair of stacks per
  // process. In a child that has already run trials (and their threads)
  // that history is recycled sooner: event_wait/broken, 200 trials, no
  // stress: 199 reported one to a child, 82 to 151 in batches (and 50 with
  // four runs at once even with history_size=7). A batch can only hide
  // races, from a broken variant's detection and from a fixed variant's
  // "clean" alike, so under TSan every trial runs in a process of its own:
  // forked, by the child, from itself before it ran any trial. The fork is
  // TSan's state of a fresh start (one thread, no history, no report yet)
  // without TSan's start-up (about 130 ms of CPU for this executable; a
  // whole forked pct schedule of joinable_destroyed/fixed takes 41 ms), and
  // a trial that crashes or reports costs the child nothing (one that hangs
  // costs it at its own deadline).
  return is_tsan(build_detector()) && options.tsan_trials_alone;
}

int trials_per_child(const Variant& variant, const BatchOptions& options) {
  // A fork of the child is fresh for every trial: nothing one leaves
  // behind (a damaged heap included) reaches the next.
  if (forks_each_trial(options)) return std::max(1, options.max_trials_per_child);
  // A trial that corrupts the heap without crashing leaves the damage to the
  // next trial in its process, which may then crash (or crash differently:
  // SIGABRT from glibc's heap checks where alone it was SIGSEGV) and be blamed
  // for it. Only the asan build sees the corruption where it happens, and a
  // report ends the batch there; everywhere else such a variant's trials run
  // one to a child.
  if (may_corrupt_memory(variant) && sanitizer_of(build_detector()) != Sanitizer::kAddress) return 1;
  // Under Valgrind (helgrind, drd) trials share a process and the first
  // error ends the batch (trial_child.cc): each distinct error is shown once
  // per process, but detection itself is happens-before, with no history
  // for earlier trials to wear out. A start-up is what a trial costs there:
  // lost_update/fixed_atomic, 10 trials under Helgrind at load average 9,
  // took 19.3 s batched and 105.7 s one to a child.
  return std::max(1, options.max_trials_per_child);
}

void run_trials(const Case& c, const Variant& variant, const ScheduleSpec& spec, int count, const TrialSink& sink,
                const BatchOptions& options) {
  const int per_child = trials_per_child(variant, options);
  int done = 0;
  while (done < count) {
    ScheduleSpec first = spec;
    first.seed += static_cast<std::uint64_t>(done);
    Batch batch(c, variant, first, std::min(count - done, per_child), forks_each_trial(options), sink);
    const std::optional<int> used = batch.run();
    if (!used) return;
    done += *used;
  }
}

TrialResult run_trial(const Case& c, const Variant& variant, const ScheduleSpec& spec) {
  TrialResult result;
  run_trials(c, variant, spec, 1, [&](TrialResult trial) {
    result = std::move(trial);
    return true;
  });
  return result;
}

}  // namespace hazardlab
