#include "harness/schedule/controller.h"

#include <execinfo.h>
#include <link.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"

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

[[noreturn]] void misuse(const char* what) {
  std::fprintf(stderr, "hazardlab: controlled run: %s\n", what);
  std::abort();
}

}  // namespace

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

Controller::~Controller() {
  {
    std::lock_guard lock(monitor_mutex_);
    finished_ = true;
  }
  monitor_wake_.notify_all();
  monitor_.join();
}

void Controller::adopt_calling_thread() { claim(add_thread()); }

void Controller::claim(int index) {
  current_ = this;
  current_index_ = index;
  internal::t_yield_hook = this;
  ThreadState& me = threads_[static_cast<std::size_t>(index)];
  me.status = Status::kRunnable;
  me.id = std::this_thread::get_id();
  me.handle = pthread_self();
}

void Controller::leave_calling_thread() {
  current_ = nullptr;
  current_index_ = -1;
  internal::t_yield_hook = nullptr;
}

void Controller::finish() {
  leave_calling_thread();
  {
    std::lock_guard lock(monitor_mutex_);
    finished_ = true;
  }
  monitor_wake_.notify_all();
}

int Controller::add_thread() {
  const int index = thread_count_.load(std::memory_order_relaxed);
  if (index == kMaxThreads) misuse("more threads than a controlled run supports");
  thread_count_.store(index + 1, std::memory_order_relaxed);
  strategy_->on_thread_added(index);
  return index;
}

void Controller::begin(int index) {
  ThreadState& me = threads_[static_cast<std::size_t>(index)];
  // Wait for the first turn; only then is this thread's state ours to write.
  while (me.turn.load(std::memory_order_acquire) == 0) me.turn.wait(0, std::memory_order_acquire);
  me.turn.store(0, std::memory_order_relaxed);
  claim(index);
  // An id is reused once its thread has been joined: a finished thread with
  // this id is gone, and a join naming the id means this one.
  const int count = thread_count_.load(std::memory_order_relaxed);
  for (int i = 0; i < count; ++i) {
    ThreadState& t = threads_[static_cast<std::size_t>(i)];
    if (i != index && t.status == Status::kFinished && t.id == me.id) t.id = std::thread::id();
  }
  wake_all(&thread_count_);  // joiners waiting for unborn threads to begin
  step(StepKind::kOperation, "start", false);
}

void Controller::end() {
  ThreadState& me = threads_[static_cast<std::size_t>(current_index_)];
  me.status = Status::kFinished;
  wake_all(&threads_);  // joiners wait on the thread table
  current_ = nullptr;
  current_index_ = -1;
  internal::t_yield_hook = nullptr;
  step(StepKind::kBlocked, "end", false);
}

void Controller::yield() { step(StepKind::kYield, "yield", false); }

void Controller::operation(const char* op) { step(StepKind::kOperation, op, false); }

void Controller::block(const void* object, const char* op) {
  ThreadState& me = threads_[static_cast<std::size_t>(current_index_)];
  me.status = Status::kBlocked;
  me.blocked_on = object;
  step(StepKind::kBlocked, op, true);
}

void Controller::spin(const char* op) {
  threads_[static_cast<std::size_t>(current_index_)].status = Status::kSpinning;
  step(StepKind::kBlocked, op, true);
}

void Controller::wake_all(const void* object) {
  const int count = thread_count_.load(std::memory_order_relaxed);
  for (int i = 0; i < count; ++i) {
    ThreadState& t = threads_[static_cast<std::size_t>(i)];
    if (t.status == Status::kBlocked && t.blocked_on == object) t.status = Status::kRunnable;
  }
}

void Controller::wake_one(const void* object) {
  // The longest-waiting thread would be fairer, but the lowest index is as
  // deterministic and the cases do not depend on the difference.
  const int count = thread_count_.load(std::memory_order_relaxed);
  for (int i = 0; i < count; ++i) {
    ThreadState& t = threads_[static_cast<std::size_t>(i)];
    if (t.status == Status::kBlocked && t.blocked_on == object) {
      t.status = Status::kRunnable;
      return;
    }
  }
}

void Controller::join(std::thread::id id) {
  for (;;) {
    const int count = thread_count_.load(std::memory_order_relaxed);
    bool finished = false;
    bool unborn = false;
    for (int i = 0; i < count; ++i) {
      const ThreadState& t = threads_[static_cast<std::size_t>(i)];
      finished = finished || (t.id == id && t.status == Status::kFinished);
      unborn = unborn || t.status == Status::kUnborn;
    }
    // A finished thread with this id is the one joined, unless a thread that
    // has not begun yet holds the id now (an id is reused once its thread is
    // joined, and begin() forgets the old holder): then wait for threads to
    // begin. Otherwise the thread is not finished, or not begun and not
    // known yet: wait for the next thread to end. Either way, look again.
    if (finished && !unborn) return operation("joined");
    block(finished ? static_cast<const void*>(&thread_count_) : &threads_, "join");
  }
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

void Controller::step(StepKind kind, const char* op, bool capture) {
  const int me = running();
  ThreadState& state = threads_[static_cast<std::size_t>(me)];
  const std::int64_t number = steps_.load(std::memory_order_relaxed) + 1;
  steps_.store(number, std::memory_order_relaxed);
  state.op.store(op, std::memory_order_relaxed);
  if (capture || hooks_.on_step) state.stack = capture_call_stack();
  if (hooks_.on_step) hooks_.on_step({number, me, op, state.stack});
  if (number > kMaxSteps && hooks_.on_stall) {
    hooks_.on_stall(absl::StrCat("no end after ", kMaxSteps, " steps: a livelock"), {number, me, op, state.stack});
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
  pass_turn_to(strategy_->choose(*candidates, me, kind, number), state.status != Status::kFinished);
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
    waiting.push_back({steps(), i, t.op.load(std::memory_order_relaxed), t.stack});
  }
  if (hooks_.on_deadlock) hooks_.on_deadlock(waiting);
  misuse("deadlock with no handler");
}

void Controller::monitor() {
  std::unique_lock lock(monitor_mutex_);
  // Looking once per period would report a stall up to two periods after
  // its last step (a run that stalls just after one look still shows
  // progress at the next): past the deadline when the period is half of it.
  // Looking four times per period reports it within 1.25 periods.
  const auto look_every = std::max(stall_after_ / 4, std::chrono::milliseconds(1));
  std::int64_t last_seen = -1;
  auto last_progress = std::chrono::steady_clock::now();
  while (!finished_) {
    monitor_wake_.wait_for(lock, look_every, [&] { return finished_; });
    if (finished_) return;
    const std::int64_t now = steps();
    if (now != last_seen) {
      last_seen = now;
      last_progress = std::chrono::steady_clock::now();
      continue;
    }
    if (std::chrono::steady_clock::now() - last_progress < stall_after_) continue;
    // No step for a whole period: the running thread is stuck outside the
    // harness. Ask it for its stack, then report.
    const int stuck = running();
    ThreadState& t = threads_[static_cast<std::size_t>(stuck)];
    // A thread handed the turn but never begun (its callable never ran on a
    // thread) has no handle to signal: report it without a stack.
    if (t.handle != pthread_t{}) {
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
                                   thread_name(stuck),
                                   " is blocked outside the harness (a raw std::mutex, std::thread::join, a "
                                   "future, I/O or a sleep the scheduler cannot see) or loops without a yield "
                                   "point"),
                      {now, stuck, t.op.load(std::memory_order_relaxed), stack});
    }
    misuse("stall with no handler");
  }
}

}  // namespace hazardlab
