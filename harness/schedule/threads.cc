#include "harness/schedule/threads.h"

namespace hazardlab {

WorkerGroup::~WorkerGroup() { join(); }

void WorkerGroup::join() {
  // The case asked for a group run; these joins are the harness's steps.
  Controller::HarnessSteps harness;
  for (std::thread& thread : threads_) {
    if (thread.joinable()) hazardlab::join(thread);
  }
}

Threads::Threads(const ScheduleSpec& spec, Controller* controller) : spec_(spec), controller_(controller) {}

std::unique_ptr<ThreadSchedule> Threads::next_schedule() {
  const int index = next_index_++;
  // With no scheduler, yield points find no schedule and cost one branch.
  // Controlled threads take their turns from the controller instead.
  if (spec_.kind == SchedulerKind::kNone || controller_) return nullptr;
  return std::make_unique<ThreadSchedule>(spec_.kind, spec_.seed, index);
}

WorkerGroup Threads::start(int count, std::function<void(int index)> body) {
  WorkerGroup group;
  group.start_ = std::make_unique<Latch>(count);
  group.threads_.reserve(static_cast<std::size_t>(count));
  auto shared_body = std::make_shared<std::function<void(int)>>(std::move(body));
  for (int index = 0; index < count; ++index) {
    group.threads_.emplace_back(instrumented([start = group.start_.get(), shared_body, index] {
      {
        Controller::HarnessSteps harness;
        start->arrive_and_wait();
      }
      (*shared_body)(index);
    }));
  }
  return group;
}

void Threads::run(int count, const std::function<void(int index)>& body) {
  start(count, body).join();
}

}  // namespace hazardlab
