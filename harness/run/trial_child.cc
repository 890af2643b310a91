// The child side of a batch of trials: `<exe> --hazardlab-trial CASE VARIANT
// SCHEDULER SEED DEPTH STEPS INTERVAL TRACE COUNT fork|share` runs COUNT
// trials, seeds SEED, SEED+1, ..., one after another, and reports each on
// the result channel (harness/run/channel.h) as it ends.
//
// With `fork` each trial runs in a process of its own, forked from this one
// before it ran anything of a case, and this process sends the trial's exit
// status and goes on to the next whatever became of it (ThreadSanitizer
// builds: harness/run/trial.cc, forks_each_trial, says why). With `share`
// the trials run in this process:
//
// A trial ends its batch (the process exits, and the parent starts a fresh
// child at the next trial) when sharing the process with the next trial
// could hide or misplace evidence:
//  - a sanitizer printed a report: runtimes print each distinct report once
//    per process (TSan one per racing pair of stacks, UBSan one per source
//    location), so the next trial's identical report would be silent; the
//    same for a Valgrind tool's error (Helgrind, DRD: VALGRIND_COUNT_ERRORS);
//  - LeakSanitizer found a leak (checked after every trial in ASan builds,
//    so a leak lands with the trial that leaked, not at the batch's exit);
//  - a thread the trial started is still running (a detached or stalled
//    thread could touch the next trial's state, and whatever it does later
//    belongs to this trial);
//  - the trial never returned: a crash, std::terminate, a deadlock or a
//    stall ends the process anyway.
// Static state a case leaves behind is the case's defect, not batching's:
// tests/batch_test.cc runs every variant alone and in a batch and compares.

#include <dirent.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "harness/registry.h"
#include "harness/run/channel.h"
#include "harness/run/cpu_claim.h"
#include "harness/run/child_process.h"
#include "harness/run/trial.h"
#include "harness/schedule/absl_deadlock.h"

// The sanitizers' runtimes call this with the SUMMARY line of every report
// (TSan, ASan, UBSan, LSan); their own definition is weak and prints it. This
// one prints it the same way and remembers that a report happened. It runs
// inside the runtime's reporting: no instrumentation, no intercepted calls.
namespace {
int g_reports = 0;
}  // namespace

extern "C" __attribute__((no_sanitize("thread", "address", "undefined"))) void __sanitizer_report_error_summary(
    const char* summary) {
  __atomic_store_n(&g_reports, 1, __ATOMIC_RELAXED);
  syscall(SYS_write, STDERR_FILENO, summary, std::strlen(summary));
  syscall(SYS_write, STDERR_FILENO, "\n", 1);
}

// LeakSanitizer's check on demand; present in ASan builds only.
extern "C" int __lsan_do_recoverable_leak_check() __attribute__((weak));

// Valgrind's count of the errors its tool has shown so far (Helgrind's and
// DRD's reports, the helgrind and drd builds); 0 when not under Valgrind.
// The header is Valgrind's client-request macros, a no-op natively.
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
namespace {
unsigned valgrind_errors() { return VALGRIND_COUNT_ERRORS; }
}  // namespace
#else
namespace {
unsigned valgrind_errors() { return 0; }
}  // namespace
#endif

#include "harness/schedule/tsan_handoff.h"

namespace hazardlab {
namespace {

constexpr absl::string_view kTrialArgument = "--hazardlab-trial";
constexpr int kTrialArgc = 12;

// How long a controlled run may go without a step before it counts as
// stalled: well inside the deadline, far above any step's duration.
// Under TSan no less than 10 s, whatever the case's deadline: a thread that
// holds the turn while TSan symbolizes a report (an external symbolizer,
// started afresh in every trial's process, which it waits for using no CPU)
// is cut short as a stall otherwise, and TSan has no hook before it
// symbolizes, as ASan and UBSan have (controller.cc). Measured on the loaded
// machine: more than 2 s (relaxed_message_passing/fixed_fences under pct),
// and more than lock_order_deadlock's 750 ms (half its deadline, the limit
// before), whose batch trial at pct seed 1025 ended "stalled" where alone it
// ended in its report. A controlled run's watchdog is 30 s at least
// (trial.cc), so a real stall still ends before it.
std::chrono::milliseconds stall_limit(const Case& c) {
#ifdef HAZARDLAB_TSAN_ANNOTATIONS
  return std::max(std::chrono::milliseconds(10'000), c.deadline / 2);
#else
  return std::min(std::chrono::milliseconds(2000), c.deadline / 2);
#endif
}

void write_all(int fd, absl::string_view text) {
  while (!text.empty()) {
    const ssize_t n = write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

void send(const std::string& line) { write_all(kResultChannelFd, line); }

// Threads of this process, the calling one included.
int live_threads() {
  DIR* tasks = opendir("/proc/self/task");
  if (!tasks) return -1;
  int count = 0;
  while (const dirent* entry = readdir(tasks)) count += entry->d_name[0] != '.';
  closedir(tasks);
  return count;
}

// The threads of this process once a thread just joined has left the
// list: the kernel lists an exiting thread for a moment after its join
// returned, and a count one too high between trials would take a trial's
// leftover thread for one of the process's own.
int settled_thread_count() {
  int fewest = live_threads();
  for (int look = 0; look < 20; ++look) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
    fewest = std::min(fewest, live_threads());
  }
  return fewest;
}

// Runs the variant under a controller on this thread (thread 0). A deadlock
// or a stall ends the process from inside the controller: nothing after
// them could run anyway, and the channel already holds the evidence.
// Returns the controller, which the caller may destroy only when no thread
// of the run is left (a detached one stays parked on it).
Outcome run_controlled(const Variant& variant, const ScheduleSpec& spec, std::chrono::milliseconds stall_after,
                       Controller*& controller_out) {
  Controller::Hooks hooks;
  // Set below; the hooks run only after the controller exists.
  static Controller* controller = nullptr;
  if (spec.trace) hooks.on_step = [](const StepRecord& step) { send(channel::step_line("step", step)); };
  hooks.on_deadlock = [](const std::vector<StepRecord>& waiting) {
    for (const StepRecord& step : waiting) send(channel::step_line("deadlock", step));
    send(channel::run_line(controller->threads_created(), controller->steps()));
    _exit(0);
  };
  hooks.on_stall = [](const std::string& why, const StepRecord& last) {
    send(channel::stall_line(last, why));
    send(channel::run_line(controller->threads_created(), controller->steps()));
    _exit(0);
  };
  stay_on_one_cpu();  // one thread runs at a time (cpu_claim.h says why)
  controller = new Controller(spec, std::move(hooks), stall_after);
  controller_out = controller;
  controller->adopt_calling_thread();
  Threads threads(spec, controller);
  const Outcome outcome = variant.body(threads);
  controller->finish();
  send(channel::run_line(controller->threads_created(), controller->steps()));
  return outcome;
}

struct TrialRequest {
  const Case* c = nullptr;
  const Variant* variant = nullptr;
  ScheduleSpec spec;
  int count = 0;
  bool fork_each_trial = false;
};

std::optional<TrialRequest> parse_request(int argc, char** argv) {
  if (argc != kTrialArgc) return std::nullopt;
  TrialRequest request;
  request.c = find_case(argv[2]);
  request.variant = request.c ? request.c->find_variant(argv[3]) : nullptr;
  const std::optional<SchedulerKind> scheduler = parse_scheduler(argv[4]);
  ScheduleSpec& spec = request.spec;
  int trace = 0;
  if (!request.variant || !scheduler || !absl::SimpleAtoi(argv[5], &spec.seed) ||
      !absl::SimpleAtoi(argv[6], &spec.depth) || !absl::SimpleAtoi(argv[7], &spec.steps) ||
      !absl::SimpleAtoi(argv[8], &spec.switch_interval) || !absl::SimpleAtoi(argv[9], &trace) ||
      !absl::SimpleAtoi(argv[10], &request.count) || request.count < 1 ||
      (argv[11] != absl::string_view("fork") && argv[11] != absl::string_view("share"))) {
    return std::nullopt;
  }
  request.fork_each_trial = argv[11] == absl::string_view("fork");
  spec.kind = *scheduler;
  spec.trace = trace != 0;
  return request;
}

// Runs one trial and reports it. Returns whether the next trial may share
// this process.
bool run_one(const TrialRequest& request, const ScheduleSpec& spec, int threads_between_trials) {
  std::fflush(nullptr);
  write_all(STDERR_FILENO, channel::output_marker(spec.seed));
  send(channel::begin_line(spec.seed));
  const auto started = std::chrono::steady_clock::now();
  __atomic_store_n(&g_reports, 0, __ATOMIC_RELAXED);
  const unsigned valgrind_errors_before = valgrind_errors();

  Outcome outcome;
  Controller* controller = nullptr;
  if (is_controlled(spec.kind)) {
    outcome = run_controlled(*request.variant, spec, stall_limit(*request.c), controller);
  } else {
    Threads threads(spec);
    outcome = request.variant->body(threads);
  }
  send(channel::outcome_line(outcome));

  // A controlled run knows its threads: the controller is freed only when
  // every one of them has ended, because a thread parked on it reads it
  // when it wakes. (Counting the process's threads decided this before, and
  // a detached heartbeat woke into a freed controller whenever the stall
  // monitor, counted as alive, had in fact just exited: ASan's
  // heap-use-after-free, about 1 trial in 300.) The count of threads still
  // decides whether the next trial may share the process: it also sees
  // threads started around the harness.
  const bool run_threads_left = controller && !controller->every_thread_ended();
  if (controller && !run_threads_left) delete controller;
  const bool threads_left = run_threads_left || live_threads() > threads_between_trials;
  const bool leaked = __lsan_do_recoverable_leak_check && __lsan_do_recoverable_leak_check() != 0;
  std::fflush(nullptr);
  const auto took = std::chrono::steady_clock::now() - started;
  send(channel::end_line(std::chrono::duration_cast<std::chrono::microseconds>(took).count()));
  // Valgrind, like the sanitizers, shows each distinct error once per
  // process: after a report the next trial starts in a fresh one.
  const bool valgrind_reported = valgrind_errors() != valgrind_errors_before;
  return !threads_left && !leaked && !valgrind_reported && __atomic_load_n(&g_reports, __ATOMIC_RELAXED) == 0;
}

// Runs the trial in a process forked from this one and sends how that
// process ended. Returns in the forked process only, with its exit code (the
// caller returns it from main, so that the runtimes' exit checks, TSan's
// thread-leak check and exit code included, run for this trial alone).
std::optional<int> run_forked(const TrialRequest& request, const ScheduleSpec& spec, int threads_between_trials) {
  std::fflush(nullptr);  // nothing buffered here is printed twice
  const pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    run_one(request, spec, threads_between_trials);
    return 0;
  }
  if (pid < 0) {
    const std::string error = std::string("hazardlab: fork: ") + std::strerror(errno) + "\n";
    write_all(STDERR_FILENO, error);
    std::_Exit(3);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      write_all(STDERR_FILENO, "hazardlab: waitpid of a forked trial failed\n");
      std::_Exit(3);
    }
  }
  send(channel::status_line(status));
  return std::nullopt;
}

}  // namespace

std::optional<int> run_trial_child_if_requested(int argc, char** argv) {
  if (argc < 2 || argv[1] != kTrialArgument) return std::nullopt;
  // A trial never outlives the harness that started it, even a hung one
  // whose parent was killed.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  const std::optional<TrialRequest> request = parse_request(argc, argv);
  if (!request) {
    write_all(STDERR_FILENO, "hazardlab: malformed trial request\n");
    return 2;
  }
  start_absl_deadlock_detection(argv[0]);  // the absl build's detector; nothing elsewhere
  // A runtime may start a helper thread of its own at the first thread a
  // program creates (ThreadSanitizer does): start one now, so that the count
  // of threads between trials is the same before and after the first.
  std::thread([] {}).join();
  const int threads_between_trials = settled_thread_count();
  for (int i = 0; i < request->count; ++i) {
    ScheduleSpec spec = request->spec;
    spec.seed += static_cast<std::uint64_t>(i);
    if (request->fork_each_trial) {
      if (const std::optional<int> forked_exit = run_forked(*request, spec, threads_between_trials)) {
        return forked_exit;
      }
      continue;
    }
    if (!run_one(*request, spec, threads_between_trials)) break;
  }
  close(kResultChannelFd);
  // Returning (not _exit) lets the sanitizers finish: TSan's thread-leak check
  // and LeakSanitizer run at exit.
  return 0;
}

}  // namespace hazardlab
