#include "harness/threads.h"

namespace hazardlab {

WorkerGroup::~WorkerGroup() { join(); }

void WorkerGroup::join() {
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

Threads::Threads(SchedulerKind scheduler, std::uint64_t seed) : scheduler_(scheduler), seed_(seed) {}

std::unique_ptr<ThreadSchedule> Threads::next_schedule() {
  const int index = next_index_++;
  // With no scheduler, yield points find no schedule and cost one branch.
  if (scheduler_ == SchedulerKind::kNone) return nullptr;
  return std::make_unique<ThreadSchedule>(scheduler_, seed_, index);
}

WorkerGroup Threads::start(int count, std::function<void(int index)> body) {
  WorkerGroup group;
  group.start_ = std::make_unique<std::latch>(count);
  group.threads_.reserve(static_cast<std::size_t>(count));
  auto shared_body = std::make_shared<std::function<void(int)>>(std::move(body));
  for (int index = 0; index < count; ++index) {
    group.threads_.emplace_back(instrumented([start = group.start_.get(), shared_body, index] {
      start->arrive_and_wait();
      (*shared_body)(index);
    }));
  }
  return group;
}

void Threads::run(int count, const std::function<void(int index)>& body) {
  start(count, body).join();
}

}  // namespace hazardlab
