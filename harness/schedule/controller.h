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
  std::int64_t step = 0;
  int thread = 0;
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
// The handoff is synchronization that ThreadSanitizer would see as
// happens-before, hiding exactly the races a schedule exposes; the harness
// therefore refuses controlled schedulers in TSan builds (harness/cli/cli.cc).
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
  static constexpr int kMaxThreads = 64;
  // Spins in a row with every other thread blocked before it is a deadlock.
  static constexpr int kSpinLimit = 10'000;

  Controller(const ScheduleSpec& spec, Hooks hooks, std::chrono::milliseconds stall_after);
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // The calling thread becomes thread 0 ("main") and holds the turn.
  void adopt_calling_thread();
  // The variant's body returned on thread 0: scheduling ends. Threads still
  // alive (detached ones) stay parked until the process exits.
  void finish();

  // Thread lifecycle. The running thread registers a thread it is about to
  // create; the new OS thread calls begin() first (it waits for its first
  // turn) and end() last.
  int add_thread();
  void begin(int index);
  void end();

  // Steps, called by the thread holding the turn.
  void yield();                         // a yield point
  void at_yield_point() override { yield(); }
  void operation(const char* op);       // a synchronization operation that never blocks
  void block(const void* object, const char* op);  // cannot go on until `object` is woken
  void spin(const char* op);            // waits for another thread's progress (a spin loop, a sleep)
  void wake_all(const void* object);
  void wake_one(const void* object);
  // Blocks until the thread with `id` has ended (it may not have begun yet).
  void join(std::thread::id id);

  // The calling thread's controller: null outside controlled runs. Inline:
  // every yield point and harness lock asks.
  static Controller* current() { return current_; }
  // The calling thread takes no more part in any controlled run (a forked
  // child's only thread: the others do not exist there).
  static void leave_calling_thread();

  // The index of the thread holding the turn (0 is main).
  int running_thread() const { return running(); }
  int threads_created() const { return thread_count_.load(std::memory_order_relaxed); }
  std::int64_t steps() const { return steps_.load(std::memory_order_relaxed); }

 private:
  enum class Status { kUnborn, kRunnable, kBlocked, kSpinning, kFinished };

  struct ThreadState {
    Status status = Status::kUnborn;
    const void* blocked_on = nullptr;
    std::thread::id id;
    pthread_t handle{};
    std::atomic<const char*> op{"start"};  // last step's operation (read by the monitor)
    CallStack stack;                        // where it blocked
    std::atomic<std::uint32_t> turn{0};     // 1: this thread may run
  };

  // The calling thread becomes thread `index`, runnable, with its id.
  void claim(int index);
  void step(StepKind kind, const char* op, bool capture);
  // Another thread made progress: every spinner may look again.
  void set_spinners_runnable();
  // The threads that may run next (unborn or runnable), ascending.
  const std::vector<int>& enabled();
  void pass_turn_to(int next, bool wait_for_return);
  [[noreturn]] void report_deadlock();
  void monitor();
  int running() const { return running_.load(std::memory_order_relaxed); }

  static constinit thread_local Controller* current_;
  static constinit thread_local int current_index_;

  Hooks hooks_;
  std::unique_ptr<Strategy> strategy_;
  std::array<ThreadState, kMaxThreads> threads_;
  std::atomic<int> thread_count_{0};
  std::atomic<int> running_{0};
  std::atomic<std::int64_t> steps_{0};
  int lone_spins_ = 0;
  std::vector<int> candidates_;  // enabled()'s answer, reused: a step allocates nothing

  // The stall monitor: an uncontrolled thread that wakes when no step has
  // happened for `stall_after_`.
  std::chrono::milliseconds stall_after_;
  std::mutex monitor_mutex_;
  std::condition_variable monitor_wake_;
  bool finished_ = false;  // guarded by monitor_mutex_
  std::thread monitor_;
};

}  // namespace hazardlab
