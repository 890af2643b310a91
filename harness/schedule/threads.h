#pragma once

#include <cstdint>
#include <functional>
#include <latch>
#include <memory>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "harness/schedule/controller.h"
#include "harness/schedule/scheduler.h"
#include "harness/schedule/sync.h"

namespace hazardlab {

// A group of worker threads started by `Threads::start`. They begin together
// behind a start latch; `join` waits for all of them. Destroying a group that
// was never joined joins it, so the harness itself never leaks a thread: a
// case that wants to show a missing join does so with its own std::thread.
class WorkerGroup {
 public:
  WorkerGroup(WorkerGroup&&) noexcept = default;
  WorkerGroup& operator=(WorkerGroup&&) noexcept = default;
  ~WorkerGroup();

  void join();

 private:
  friend class Threads;
  WorkerGroup() = default;

  std::unique_ptr<Latch> start_;
  std::vector<std::thread> threads_;
};

// What a variant receives: the way to start threads whose yield points follow
// this run's scheduler and seed.
//
// The harness adds no synchronization between workers beyond one start latch
// (which orders nothing that case code does), so every race in a case stays
// visible to ThreadSanitizer.
//
// In a controlled run (`controller` set) every thread started here takes its
// turns from the controller, from its first instruction to its last.
class Threads {
 public:
  explicit Threads(const ScheduleSpec& spec, Controller* controller = nullptr);

  // Runs body(index) on `count` threads started together; returns when all
  // have finished.
  void run(int count, const std::function<void(int index)>& body);

  // Starts body(index) on `count` threads and returns at once.
  WorkerGroup start(int count, std::function<void(int index)> body);

  // Wraps a callable for a thread the case creates itself (std::thread,
  // std::jthread, a detached thread) so that its yield points follow the
  // scheduler too. Arguments, std::stop_token included, pass through.
  template <class F>
  auto instrumented(F body);

  SchedulerKind scheduler() const { return spec_.kind; }
  std::uint64_t seed() const { return spec_.seed; }

 private:
  template <class F>
  class Instrumented;

  // How the next thread is scheduled, numbered in creation order. Called
  // only by the creating thread: workers share no harness state.
  std::unique_ptr<ThreadSchedule> next_schedule();

  ScheduleSpec spec_;
  Controller* controller_;
  int next_index_ = 0;
};

template <class F>
class Threads::Instrumented {
 public:
  Instrumented(std::unique_ptr<ThreadSchedule> schedule, Controller* controller, F body)
      : schedule_(std::move(schedule)),
        controller_(controller),
        controlled_index_(controller ? controller->add_thread() : -1),
        body_(std::move(body)) {}
  // A moved-from callable no longer stands for the thread.
  Instrumented(Instrumented&& other) noexcept
      : schedule_(std::move(other.schedule_)),
        controller_(std::exchange(other.controller_, nullptr)),
        controlled_index_(other.controlled_index_),
        invoked_(other.invoked_),
        body_(std::move(other.body_)) {}
  Instrumented& operator=(Instrumented&&) = delete;
  ~Instrumented() {
    if (controller_ && !invoked_) controller_->abandon(controlled_index_);
  }

  template <class... Args>
  auto operator()(Args&&... args) -> std::invoke_result_t<F&, Args...> {
    invoked_ = true;
    ScheduleScope scope(schedule_.get());
    // The turn ends at thread exit, after this callable, its captures and
    // the thread's thread_locals are destroyed (Controller::begin).
    if (controller_) controller_->begin(controlled_index_);
    return std::invoke(body_, std::forward<Args>(args)...);
  }

 private:
  // Owned by the callable, not by Threads: a detached thread may outlive the
  // run that created it.
  std::unique_ptr<ThreadSchedule> schedule_;
  Controller* controller_;
  int controlled_index_;
  bool invoked_ = false;
  F body_;
};

template <class F>
auto Threads::instrumented(F body) {
  return Instrumented<F>(next_schedule(), controller_, std::move(body));
}

}  // namespace hazardlab
