#pragma once

#include <pthread.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "harness/schedule/scheduler.h"
#include "harness/schedule/strategy.h"

namespace hazardlab {

// Return addresses of a call, as offsets into this executable (so that the
// parent process can turn them into case source lines), innermost first.
using CallStack = std::vector<std::uintptr_t>;

// The calling thread's stack, from its caller out to the first frame
// outside this executable.
CallStack capture_call_stack();

// How reports name a controlled run's threads: "main" (0), "thread 1", ...
std::string thread_name(int index);

// One scheduling step as --trace shows it, or one thread's last step when a
// run ends early (deadlock, stall).
struct StepRecord {
  std::int64_t step = 0;  // every step counts here, the harness's own too
  int thread = 0;   // the thread's number, in creation order (thread_name): not its slot
  std::string op;   // "yield", "lock", "wait", "join", ...
  CallStack stack;  // empty unless tracing (or the thread is blocked)
};

// A controlled run: real threads, but only the one holding the turn runs.
// Every yield point and every harness synchronization operation (see
// harness/sync.h) is a step at which the strategy picks the thread that
// runs next, so the run is a function of its ScheduleSpec.
//
// Only the thread holding the turn touches the controller's state; the turn
// passes through one atomic flag per thread (release/acquire), which is also
// what orders one thread's steps before the next thread's.
//
// Nothing the controller decides depends on an address: threads are known by
// their index (creation order) and registration order, never ordered or told
// apart by a pthread_t, which is a stack address that glibc reuses; waiters
// are woken in the order they began to wait. So a schedule is the same
// whether the run is alone in its process or follows others, with or
// without address randomization.
//
// The handoff is synchronization that ThreadSanitizer would see as
// happens-before, hiding exactly the races a schedule exposes: every entry
// point runs in a tsan::HarnessOnly scope (tsan_handoff.h), so TSan sees
// neither the handoff nor the controller's state, and the case-facing
// primitives (sync.h) show it only the synchronization the case itself has.
class Controller final : public YieldHook {
 public:
  struct Hooks {
    // Called at every step when set (tracing).
    std::function<void(const StepRecord&)> on_step;
    // Every live thread is blocked: each one's waiting step. Must not return.
    std::function<void(const std::vector<StepRecord>&)> on_deadlock;
    // No step for `stall_after`: a thread blocked outside the harness, or a
    // run that never ends. Called on the controller's monitor thread. Must
    // not return.
    std::function<void(const std::string& why, const StepRecord& last)> on_stall;
  };

  // A run longer than this many steps is a livelock.
  static constexpr std::int64_t kMaxSteps = 20'000'000;
  // Threads of a run that hold a slot at once. A thread holds its slot from
  // its creation until it has ended and been joined through the harness (or
  // its callable was destroyed unrun); the next thread created takes the
  // lowest free slot. A detached thread keeps its slot to the end of the run.
  static constexpr int kMaxThreads = 64;
  // Spins in a row with every other thread blocked before it is a deadlock.
  static constexpr int kSpinLimit = 10'000;

  Controller(const ScheduleSpec& spec, Hooks hooks, std::chrono::milliseconds stall_after);
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // The calling thread becomes thread 0 ("main") and holds the turn.
  void adopt_calling_thread();
  // The variant's body returned on thread 0: scheduling ends, and the stall
  // monitor has ended when this returns. Threads still alive (detached
  // ones) stay parked on this controller until the process exits, so it
  // must outlive them.
  void finish();

  // Thread lifecycle. The running thread registers a thread it is about to
  // create (add_thread returns its slot; more than kMaxThreads slots in use
  // at once end the run with a harness failure that names the limit); the
  // new OS thread calls begin() first (it waits for its first
  // turn). The thread's turn ends when the thread itself does: after its
  // callable and captures are destroyed and its thread_local destructors
  // have run (begin() arranges it), so that no code of a finished thread
  // runs beside the next thread's turn. abandon(): the callable for
  // `index` was destroyed without ever running on a thread.
  int add_thread();
  void begin(int index);
  void abandon(int index);

  // Steps, called by the thread holding the turn.
  void yield();                         // a yield point
  void at_yield_point() override { yield(); }
  void operation(const char* op);       // a synchronization operation that never blocks
  void block(const void* object, const char* op);  // cannot go on until `object` is woken
  // A condition variable's wait: blocks until `object` is woken, unless the
  // strategy makes this a spurious wakeup (then it is a step that returns).
  void wait_for_notification(const void* object, const char* op);
  void spin(const char* op);            // waits for another thread's progress (a spin loop, a sleep)
  void wake_all(const void* object);
  // Wakes one waiter of `object`: the strategy chooses which.
  void wake_one(const void* object);
  // Blocks until the thread with `id` has ended (it may not have begun yet).
  void join(std::thread::id id);

  // Steps the harness takes on its own behalf while one is alive on the
  // calling thread (the start latch of Threads::start, the joins of
  // WorkerGroup) are traced but not counted: pct's k and its change points
  // are over the case's own steps. A thread's start and end never count.
  class HarnessSteps {
   public:
    HarnessSteps();
    ~HarnessSteps();
    HarnessSteps(const HarnessSteps&) = delete;
    HarnessSteps& operator=(const HarnessSteps&) = delete;

   private:
    Controller* controller_;
  };

  // The calling thread's controller: null outside controlled runs. Inline:
  // every yield point and harness lock asks.
  static Controller* current() { return current_; }
  // The thread-exit hook begin() installs (public for the hook's C signature).
  static void end_at_thread_exit_hook(void* controller);

  // The calling thread takes no more part in any controlled run (a forked
  // child's only thread: the others do not exist there).
  static void leave_calling_thread();

  // After finish(): whether every thread the run created has ended (handed
  // its last turn on). Only then may the controller be destroyed: a thread
  // parked or not yet started reads it when it wakes.
  bool every_thread_ended() const;
  // The slot of the thread holding the turn (0 is main).
  int running_thread() const { return running(); }
  // Threads the run created so far, main included (n); more than the slots
  // used when joined threads freed theirs.
  int threads_created() const { return threads_created_.load(std::memory_order_relaxed); }
  // The case's steps so far (pct's k): every step but the harness's own.
  std::int64_t steps() const { return case_steps_.load(std::memory_order_relaxed); }
  // Every step so far, the harness's own included (a trace's numbering).
  std::int64_t all_steps() const { return steps_.load(std::memory_order_relaxed); }

 private:
  enum class Status { kUnborn, kRunnable, kBlocked, kSpinning, kFinished };

  struct ThreadState {
    int number = 0;  // the thread's name: creation order, 0 is main (slots are reused, numbers are not)
    Status status = Status::kUnborn;
    const void* blocked_on = nullptr;
    std::int64_t blocked_at = 0;  // the step it began to wait at: waiters wake first come, first served
    bool joined = false;          // a harness join of it returned
    int harness_steps = 0;        // HarnessSteps alive on this thread
    // Written by the thread itself when it starts, before its first turn:
    // `id` and `handle`, then `registered` (the order of registration, from
    // 1) with release. A join tells threads apart by it, not by the id.
    std::thread::id id;
    pthread_t handle{};
    std::atomic<std::uint64_t> registered{0};
    std::atomic<bool> abandoned{false};
    std::atomic<const char*> op{"start"};  // last step's operation (read by the monitor)
    CallStack stack;                        // where it blocked
    std::atomic<std::uint32_t> turn{0};     // 1: this thread may run
  };

  // A slot for a new thread: the lowest one whose thread has ended and was
  // joined (or never ran), else a fresh one; -1 when all are taken.
  int free_slot();
  // The calling thread's id and handle go into thread `index`'s state.
  void register_calling_thread(int index);
  // The calling thread becomes thread `index`, runnable.
  void claim(int index);
  // The end of the calling thread's turn, from its thread-exit hook.
  void end();
  // The thread `id` names: the one registered last with that id, once
  // every thread that may hold the id has registered; -1 if none does.
  int thread_of(std::thread::id id);
  void step(StepKind kind, const char* op, bool capture, bool harness);
  // Another thread made progress: every spinner may look again.
  void set_spinners_runnable();
  // The threads that may run next (unborn or runnable), ascending.
  const std::vector<int>& enabled();
  void pass_turn_to(int next, bool wait_for_return);
  [[noreturn]] void report_deadlock();
  void monitor();
  void stop_monitor();  // ends and joins the monitor; idempotent
  int running() const { return running_.load(std::memory_order_relaxed); }

  static constinit thread_local Controller* current_;
  static constinit thread_local int current_index_;

  Hooks hooks_;
  std::unique_ptr<Strategy> strategy_;
  std::array<ThreadState, kMaxThreads> threads_;
  std::atomic<int> thread_count_{0};  // slots ever used: the threads_ the loops look at
  std::atomic<int> threads_created_{0};
  std::atomic<int> running_{0};
  std::atomic<std::int64_t> steps_{0};
  std::atomic<std::int64_t> case_steps_{0};
  // Threads registered or abandoned so far; a join waits on it (outside the
  // schedule) for a new thread's registration.
  std::atomic<std::uint32_t> registrations_{0};
  int lone_spins_ = 0;
  std::vector<int> candidates_;  // enabled()'s answer, reused: a step allocates nothing
  std::vector<int> waiters_;     // wake_one's, likewise

  // The stall monitor: an uncontrolled thread that wakes when no step has
  // happened for `stall_after_`.
  std::chrono::milliseconds stall_after_;
  std::mutex monitor_mutex_;
  std::condition_variable monitor_wake_;
  bool finished_ = false;  // guarded by monitor_mutex_
  std::thread monitor_;
};

}  // namespace hazardlab
