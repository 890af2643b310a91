#include "harness/schedule/controller.h"

#include <execinfo.h>
#include <link.h>
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "harness/schedule/tsan_handoff.h"

extern "C" char __executable_start;
extern "C" char etext;

namespace hazardlab {

constinit thread_local Controller* Controller::current_ = nullptr;
constinit thread_local int Controller::current_index_ = -1;

namespace {

constexpr int kStackDepth = 24;

std::uintptr_t load_bias() {
  static const std::uintptr_t bias = [] {
    std::uintptr_t found = 0;
    // The first object dl_iterate_phdr reports is the executable itself.
    dl_iterate_phdr(
        [](dl_phdr_info* info, std::size_t, void* out) {
          *static_cast<std::uintptr_t*>(out) = info->dlpi_addr;
          return 1;
        },
        &found);
    return found;
  }();
  return bias;
}

CallStack to_offsets(void* const* pcs, int depth) {
  CallStack stack;
  const auto begin = reinterpret_cast<std::uintptr_t>(&__executable_start);
  const auto end = reinterpret_cast<std::uintptr_t>(&etext);
  for (int i = 0; i < depth; ++i) {
    const auto pc = reinterpret_cast<std::uintptr_t>(pcs[i]);
    // A return address points after its call: step back into the call.
    if (pc > begin && pc <= end) stack.push_back(pc - 1 - load_bias());
  }
  return stack;
}

// A stalled thread's stack, taken by a signal handler on that thread: the
// monitor cannot walk another thread's stack itself.
void* g_stalled_pcs[kStackDepth];
std::atomic<int> g_stalled_depth{-1};

void capture_stalled_stack(int) {
  // glibc's backtrace unwinds with the DWARF tables, through the signal frame
  // and the libc function the thread is blocked in (which keeps no frame
  // pointer, so a frame-pointer walk stops there).
  g_stalled_depth.store(backtrace(g_stalled_pcs, kStackDepth), std::memory_order_release);
}

// A forked child keeps only the forking thread: it must not wait for turns
// from threads that do not exist there.
void leave_controlled_run_in_child() {
  Controller::leave_calling_thread();
}

// Set when AddressSanitizer or UBSan begins a report. Symbolizing its stack
// (an external symbolizer the reporting thread waits for) can take longer
// than the stall period on a loaded machine: the monitor must not race it
// with a stall of its own. An ASan report ends the process; after a UBSan
// report the run goes on (halt_on_error=0) with stalls no longer reported,
// and the watchdog's deadline still bounds it (the report ends the batch).
std::atomic<bool> g_sanitizer_reporting{false};

// CPU time a thread has used so far (-1 when it cannot be read).
std::chrono::nanoseconds thread_cpu_time(pthread_t thread) {
  clockid_t clock;
  timespec used{};
  if (pthread_getcpuclockid(thread, &clock) != 0 || clock_gettime(clock, &used) != 0) {
    return std::chrono::nanoseconds{-1};
  }
  return std::chrono::seconds(used.tv_sec) + std::chrono::nanoseconds(used.tv_nsec);
}

[[noreturn]] void misuse(const char* what) {
  std::fprintf(stderr, "hazardlab: controlled run: %s\n", what);
  std::abort();
}

}  // namespace

// AddressSanitizer's hook at the start of every error report (a weak
// definition in its runtime; never called in other builds).
extern "C" void __asan_on_error() { g_sanitizer_reporting.store(true, std::memory_order_relaxed); }

// UBSan's hook once a runtime error's message is ready, before its stack is
// symbolized and printed (weak in its runtime, likewise). Without it a
// UBSan report in a loaded asan test run (producer_consumer's broken
// variant: a reference bound to freed memory) was cut short as a stall.
extern "C" void __ubsan_on_report() { g_sanitizer_reporting.store(true, std::memory_order_relaxed); }

// A walk of the frame-pointer chain, from this function's caller outwards.
// Not absl::GetStackTrace: its skip count assumes that it and its unwinder
// keep frame pointers, which a distribution's build need not (Debian's does
// not), and then it silently drops the frames below the skipped ones: a
// spinner's or an unlocker's case line among them. This executable keeps
// frame pointers everywhere (sanitizers/sanitizers.cmake); the walk stops at
// the first return address outside it, before it reads a frame that a
// library may have laid out without one.
std::string thread_name(int index) { return index == 0 ? "main" : absl::StrCat("thread ", index); }

[[gnu::noinline]] CallStack capture_call_stack() {
  void* pcs[kStackDepth];
  int depth = 0;
  const auto begin = reinterpret_cast<std::uintptr_t>(&__executable_start);
  const auto end = reinterpret_cast<std::uintptr_t>(&etext);
  auto* frame = static_cast<void* const*>(__builtin_frame_address(0));
  while (depth < kStackDepth) {
    void* const pc = frame[1];
    const auto address = reinterpret_cast<std::uintptr_t>(pc);
    if (address <= begin || address > end) break;
    pcs[depth++] = pc;
    auto* const next = static_cast<void* const*>(frame[0]);
    // Outwards means upwards, by less than any sane frame.
    if (next <= frame || reinterpret_cast<const char*>(next) - reinterpret_cast<const char*>(frame) > (1 << 20)) {
      break;
    }
    frame = next;
  }
  return to_offsets(pcs, depth);
}

Controller::Controller(const ScheduleSpec& spec, Hooks hooks, std::chrono::milliseconds stall_after)
    : hooks_(std::move(hooks)), strategy_(make_strategy(spec)), stall_after_(stall_after) {
  const tsan::HarnessOnly harness_only;  // see tsan_handoff.h
  if (!strategy_) misuse("not a controlled scheduler");
  static const int registered = [] {
    // backtrace() loads the unwinder on first use, which a signal handler
    // must not be the one to do.
    void* warm_up[1];
    backtrace(warm_up, 1);
    return pthread_atfork(nullptr, nullptr, leave_controlled_run_in_child);
  }();
  (void)registered;
  monitor_ = std::thread([this] { monitor(); });
}

Controller::~Controller() { stop_monitor(); }

void Controller::stop_monitor() {
  const tsan::HarnessOnly harness_only;  // see tsan_handoff.h
  {
    std::lock_guard lock(monitor_mutex_);
    finished_ = true;
  }
  monitor_wake_.notify_all();
  if (monitor_.joinable()) monitor_.join();
}

void Controller::adopt_calling_thread() {
  const tsan::HarnessOnly harness_only;  // see tsan_handoff.h
  const int index = add_thread();
  register_calling_thread(index);
  claim(index);
}

void Controller::register_calling_thread(int index) {
  ThreadState& me = threads_[static_cast<std::size_t>(index)];
  me.id = std::this_thread::get_id();
  me.handle = pthread_self();
  me.registered.store(registrations_.fetch_add(1, std::memory_order_acq_rel) + 1, std::memory_order_release);
  registrations_.notify_all();
}

void Controller::claim(int index) {
  current_ = this;
  current_index_ = index;
  internal::t_yield_hook = this;
  threads_[static_cast<std::size_t>(index)].status = Status::kRunnable;
}

void Controller::leave_calling_thread() {
  current_ = nullptr;
  current_index_ = -1;
  internal::t_yield_hook = nullptr;
}

void Controller::finish() {
  const tsan::HarnessOnly harness_only;  // see tsan_handoff.h
  leave_calling_thread();
  // Joined here, not left to end on its own: whoever counts the threads
  // still alive after a run (trial_child.cc) must not count a monitor that
  // may or may not have exited yet.
  stop_monitor();
}

bool Controller::every_thread_ended() const {
  const tsan::HarnessOnly harness_only;  // see tsan_handoff.h
  const int used = thread_count_.load(std::memory_order_relaxed);
  for (int i = 1; i < used; ++i) {
    if (threads_[static_cast<std::size_t>(i)].status != Status::kFinished) return false;
  }
  return true;
}

int Controller::free_slot() {
  const int used = thread_count_.load(std::memory_order_relaxed);
  for (int i = 0; i < used; ++i) {
    ThreadState& t = threads_[static_cast<std::size_t>(i)];
    // Nobody waits for a joined thread any more, and an ended thread touches
    // its state no more once it handed the turn on (end()).
    const bool unrun = t.abandoned.load(std::memory_order_acquire) && t.registered.load(std::memory_order_acquire) == 0;
    if (t.status == Status::kFinished && (t.joined || unrun)) return i;
  }
  if (used == kMaxThreads) return -1;
  thread_count_.store(used + 1, std::memory_order_relaxed);
  return used;
}

int Controller::add_thread() {
  const tsan::HarnessOnly harness_only;  // see tsan_handoff.h
  const int index = free_slot();
  if (index < 0) {
    misuse(absl::StrCat("more than ", kMaxThreads,
                        " threads alive at once (a controlled run's limit: a thread holds its slot until it has "
                        "ended and been joined; detached threads hold theirs to the end of the run)")
               .c_str());
  }
  ThreadState& t = threads_[static_cast<std::size_t>(index)];
  t.number = threads_created_.fetch_add(1, std::memory_order_relaxed);
  t.status = Status::kUnborn;
  t.blocked_on = nullptr;
  t.blocked_at = 0;
  t.joined = false;
  t.harness_steps = 0;
  t.id = {};
  t.handle = {};
  t.registered.store(0, std::memory_order_release);
  t.abandoned.store(false, std::memory_order_release);
  t.op.store("start", std::memory_order_relaxed);
  t.stack.clear();
  t.turn.store(0, std::memory_order_relaxed);
  strategy_->on_thread_added(index);
  return index;
}

namespace {

// A thread-exit hook per thread of a controlled run. glibc runs thread-specific
// data destructors after the thread's callable (and its captures) are
// destroyed and after its thread_local destructors: the latest point at which
// code of the thread still runs on it.
pthread_key_t end_of_thread_key() {
  static const pthread_key_t key = [] {
    pthread_key_t made;
    if (pthread_key_create(&made, &Controller::end_at_thread_exit_hook) != 0) {
      std::fprintf(stderr, "hazardlab: controlled run: no thread-exit hook\n");
      std::abort();
    }
    return made;
  }();
  return key;
}

}  // namespace

void Controller::end_at_thread_exit_hook(void* controller) { static_cast<Controller*>(controller)->end(); }

void Controller::begin(int index) {
  const tsan::HarnessOnly harness_only;  // see tsan_handoff.h
  // Registered at once, before the first turn: a join that names this
  // thread need not wait for the schedule to start it.
  register_calling_thread(index);
  pthread_setspecific(end_of_thread_key(), this);
  ThreadState& me = threads_[static_cast<std::size_t>(index)];
  // Wait for the first turn; only then is this thread's state ours to write.
  while (me.turn.load(std::memory_order_acquire) == 0) me.turn.wait(0, std::memory_order_acquire);
  me.turn.store(0, std::memory_order_relaxed);
  claim(index);
  step(StepKind::kOperation, "start", false, true);
}

void Controller::abandon(int index) {
  const tsan::HarnessOnly harness_only;  // see tsan_handoff.h
  ThreadState& t = threads_[static_cast<std::size_t>(index)];
  // Only the thread holding the turn may change a status; the callable is
  // destroyed by the thread that made it, which holds the turn.
  if (current_ == this && t.status == Status::kUnborn) t.status = Status::kFinished;
  t.abandoned.store(true, std::memory_order_release);
  registrations_.fetch_add(1, std::memory_order_acq_rel);
  registrations_.notify_all();
}

void Controller::end() {
  const tsan::HarnessOnly harness_only;  // see tsan_handoff.h
  ThreadState& me = threads_[static_cast<std::size_t>(current_index_)];
  me.status = Status::kFinished;
  wake_all(&me);  // its joiners
  current_ = nullptr;
  current_index_ = -1;
  internal::t_yield_hook = nullptr;
  step(StepKind::kBlocked, "end", false, true);
}

Controller::HarnessSteps::HarnessSteps() : controller_(Controller::current()) {
  const tsan::HarnessOnly harness_only;  // see tsan_handoff.h
  if (controller_) ++controller_->threads_[static_cast<std::size_t>(current_index_)].harness_steps;
}

Controller::HarnessSteps::~HarnessSteps() {
  const tsan::HarnessOnly harness_only;  // see tsan_handoff.h
  if (controller_) --controller_->threads_[static_cast<std::size_t>(current_index_)].harness_steps;
}

void Controller::yield() { step(StepKind::kYield, "yield", false, false); }

void Controller::operation(const char* op) { step(StepKind::kOperation, op, false, false); }

void Controller::block(const void* object, const char* op) {
  const tsan::HarnessOnly harness_only;  // see tsan_handoff.h
  ThreadState& me = threads_[static_cast<std::size_t>(current_index_)];
  me.status = Status::kBlocked;
  me.blocked_on = object;
  me.blocked_at = all_steps() + 1;
  step(StepKind::kBlocked, op, true, false);
}

void Controller::wait_for_notification(const void* object, const char* op) {
  const tsan::HarnessOnly harness_only;  // see tsan_handoff.h
  if (strategy_->wake_spuriously()) return step(StepKind::kYield, "spurious wakeup", false, false);
  block(object, op);
}

void Controller::spin(const char* op) {
  const tsan::HarnessOnly harness_only;  // see tsan_handoff.h
  threads_[static_cast<std::size_t>(current_index_)].status = Status::kSpinning;
  step(StepKind::kBlocked, op, true, false);
}

void Controller::wake_all(const void* object) {
  const tsan::HarnessOnly harness_only;  // see tsan_handoff.h
  const int count = thread_count_.load(std::memory_order_relaxed);
  for (int i = 0; i < count; ++i) {
    ThreadState& t = threads_[static_cast<std::size_t>(i)];
    if (t.status == Status::kBlocked && t.blocked_on == object) t.status = Status::kRunnable;
  }
}

void Controller::wake_one(const void* object) {
  const tsan::HarnessOnly harness_only;  // see tsan_handoff.h
  waiters_.clear();
  const int count = thread_count_.load(std::memory_order_relaxed);
  for (int i = 0; i < count; ++i) {
    const ThreadState& t = threads_[static_cast<std::size_t>(i)];
    if (t.status == Status::kBlocked && t.blocked_on == object) waiters_.push_back(i);
  }
  if (waiters_.empty()) return;
  // First come, first served: the strategy sees them in the order they
  // began to wait (two threads never block at the same step).
  std::sort(waiters_.begin(), waiters_.end(), [this](int a, int b) {
    return threads_[static_cast<std::size_t>(a)].blocked_at < threads_[static_cast<std::size_t>(b)].blocked_at;
  });
  threads_[static_cast<std::size_t>(strategy_->choose_waiter(waiters_))].status = Status::kRunnable;
}

int Controller::thread_of(std::thread::id id) {
  for (;;) {
    // Read the count first: a thread registers only after it was added.
    const std::uint32_t seen = registrations_.load(std::memory_order_acquire);
    const int count = thread_count_.load(std::memory_order_relaxed);
    int latest = -1;
    std::uint64_t latest_order = 0;
    bool all_known = true;
    for (int i = 0; i < count; ++i) {
      ThreadState& t = threads_[static_cast<std::size_t>(i)];
      const std::uint64_t order = t.registered.load(std::memory_order_acquire);
      if (order == 0) {
        all_known = all_known && t.abandoned.load(std::memory_order_acquire);
        continue;
      }
      if (t.id != id || t.joined) continue;
      // A thread that has not ended is alive, and no other live thread has
      // its id: this is the one.
      if (t.status != Status::kFinished) return i;
      if (order > latest_order) {
        latest = i;
        latest_order = order;
      }
    }
    // Otherwise an ended thread with the id may be the one, or a thread that
    // has not registered yet may have been given the id since that one
    // exited: the one registered last holds it, once all have registered.
    // The wait is outside the schedule: a started thread registers at once.
    if (all_known) return latest;
    registrations_.wait(seen, std::memory_order_acquire);
  }
}

void Controller::join(std::thread::id id) {
  const tsan::HarnessOnly harness_only;  // see tsan_handoff.h
  const int target = thread_of(id);
  if (target >= 0) {
    ThreadState& t = threads_[static_cast<std::size_t>(target)];
    while (t.status != Status::kFinished) block(&t, "join");
    t.joined = true;
  }
  operation("joined");
}

const std::vector<int>& Controller::enabled() {
  candidates_.clear();
  const int count = thread_count_.load(std::memory_order_relaxed);
  for (int i = 0; i < count; ++i) {
    const Status status = threads_[static_cast<std::size_t>(i)].status;
    if (status == Status::kUnborn || status == Status::kRunnable) candidates_.push_back(i);
  }
  return candidates_;
}

void Controller::step(StepKind kind, const char* op, bool capture, bool harness) {
  const tsan::HarnessOnly harness_only;  // see tsan_handoff.h
  const int me = running();
  ThreadState& state = threads_[static_cast<std::size_t>(me)];
  const std::int64_t number = steps_.load(std::memory_order_relaxed) + 1;
  steps_.store(number, std::memory_order_relaxed);
  harness = harness || state.harness_steps > 0;
  const std::int64_t case_step = case_steps_.load(std::memory_order_relaxed) + (harness ? 0 : 1);
  case_steps_.store(case_step, std::memory_order_relaxed);
  state.op.store(op, std::memory_order_relaxed);
  if (capture || hooks_.on_step) state.stack = capture_call_stack();
  if (hooks_.on_step) hooks_.on_step({number, state.number, op, state.stack});
  if (number > kMaxSteps && hooks_.on_stall) {
    hooks_.on_stall(absl::StrCat("no end after ", kMaxSteps, " steps: a livelock"),
                    {number, state.number, op, state.stack});
  }

  // A spinning thread waits for another thread's progress: any step but a
  // spin is progress (a spinner handing the turn to another spinner is not,
  // or two spinners would take turns forever).
  const bool spinning = state.status == Status::kSpinning;
  if (!spinning) {
    lone_spins_ = 0;
    set_spinners_runnable();
  }
  const std::vector<int>* candidates = &enabled();
  if (candidates->empty()) {
    // Only spinners (or sleepers) could go on. Time passes for them: a sleep
    // ends, a spin checks again. But spinning this long with every other
    // thread blocked means nobody can change what they spin on.
    if (spinning && ++lone_spins_ <= kSpinLimit) {
      set_spinners_runnable();
      candidates = &enabled();
    } else {
      report_deadlock();
    }
  }
  const Step seen{.kind = kind, .number = case_step, .harness = harness};
  pass_turn_to(strategy_->choose(*candidates, me, seen), state.status != Status::kFinished);
}

void Controller::set_spinners_runnable() {
  const int count = thread_count_.load(std::memory_order_relaxed);
  for (int i = 0; i < count; ++i) {
    ThreadState& t = threads_[static_cast<std::size_t>(i)];
    if (t.status == Status::kSpinning) t.status = Status::kRunnable;
  }
}

void Controller::pass_turn_to(int next, bool wait_for_return) {
  const int me = running();
  if (next == me) return;
  running_.store(next, std::memory_order_relaxed);
  ThreadState& target = threads_[static_cast<std::size_t>(next)];
  target.turn.store(1, std::memory_order_release);
  target.turn.notify_one();
  if (!wait_for_return) return;
  ThreadState& mine = threads_[static_cast<std::size_t>(me)];
  while (mine.turn.load(std::memory_order_acquire) == 0) mine.turn.wait(0, std::memory_order_acquire);
  mine.turn.store(0, std::memory_order_relaxed);
}

void Controller::report_deadlock() {
  std::vector<StepRecord> waiting;
  const int count = thread_count_.load(std::memory_order_relaxed);
  for (int i = 0; i < count; ++i) {
    const ThreadState& t = threads_[static_cast<std::size_t>(i)];
    if (t.status == Status::kFinished) continue;
    waiting.push_back({all_steps(), t.number, t.op.load(std::memory_order_relaxed), t.stack});
  }
  if (hooks_.on_deadlock) hooks_.on_deadlock(waiting);
  misuse("deadlock with no handler");
}

void Controller::monitor() {
  const tsan::HarnessOnly harness_only;  // see tsan_handoff.h
  std::unique_lock lock(monitor_mutex_);
  // Looking once per period would report a stall up to two periods after
  // its last step (a run that stalls just after one look still shows
  // progress at the next): past the deadline when the period is half of it.
  // Looking four times per period reports it within 1.25 periods.
  const auto look_every = std::max(stall_after_ / 4, std::chrono::milliseconds(1));
  std::int64_t last_seen = -1;
  auto last_progress = std::chrono::steady_clock::now();
  std::chrono::nanoseconds cpu_at_progress{-1};
  int sampled = -1;  // whose CPU time cpu_at_progress is
  while (!finished_) {
    monitor_wake_.wait_for(lock, look_every, [&] { return finished_; });
    if (finished_) return;
    const std::int64_t now = all_steps();
    const int stuck = running();
    ThreadState& t = threads_[static_cast<std::size_t>(stuck)];
    const bool registered = t.registered.load(std::memory_order_acquire) != 0;
    // A step in progress may hand the turn on after this look: measure the
    // thread that holds it at the next look from then on.
    if (now != last_seen || stuck != sampled) {
      last_seen = now;
      last_progress = std::chrono::steady_clock::now();
      cpu_at_progress = registered ? thread_cpu_time(t.handle) : std::chrono::nanoseconds{-1};
      sampled = stuck;
      continue;
    }
    const auto idle = std::chrono::steady_clock::now() - last_progress;
    if (idle < stall_after_ || g_sanitizer_reporting.load(std::memory_order_relaxed)) continue;
    // No step for a whole period. A thread that has used the CPU for a
    // good part of it is working, however slowly a loaded machine lets it
    // (a stall must not depend on the load): it is reported only once it
    // has used a whole period of CPU time without a step (a loop with no
    // yield point). One that has barely run is stuck outside the harness.
    if (registered && cpu_at_progress.count() >= 0) {
      const auto used = thread_cpu_time(t.handle) - cpu_at_progress;
      if (used * 20 > idle && used < stall_after_) continue;
    }
    // Ask the stuck thread for its stack, then report.
    // A thread handed the turn but never begun (its callable never ran on a
    // thread) has no handle to signal: report it without a stack.
    if (t.registered.load(std::memory_order_acquire) != 0) {
      g_stalled_depth.store(-1, std::memory_order_release);
      struct sigaction action {};
      action.sa_handler = capture_stalled_stack;
      sigaction(SIGURG, &action, nullptr);
      pthread_kill(t.handle, SIGURG);
      for (int i = 0; i < 100 && g_stalled_depth.load(std::memory_order_acquire) < 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    }
    const int depth = g_stalled_depth.load(std::memory_order_acquire);
    const CallStack stack = depth > 0 ? to_offsets(g_stalled_pcs, depth) : CallStack{};
    if (hooks_.on_stall) {
      hooks_.on_stall(absl::StrCat("no step for ", stall_after_.count(), " ms: ",
                                   thread_name(t.number),
                                   " is blocked outside the harness (a raw std::mutex, std::thread::join, a "
                                   "future, I/O or a sleep the scheduler cannot see) or loops without a yield "
                                   "point"),
                      {now, t.number, t.op.load(std::memory_order_relaxed), stack});
    }
    misuse("stall with no handler");
  }
}

}  // namespace hazardlab
