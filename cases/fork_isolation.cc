// A counter bumped in forked child processes stays 0 in the parent: processes share no memory.
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <new>
#include <vector>

#include "harness/case.h"

namespace hazardlab {
namespace {

constexpr char kLesson[] = R"(Threads share their process's memory; processes do not. A child made by
fork() starts with a copy of its parent's memory (copy-on-write), and from
then on each has its own: what the child writes changes only its copy, and
the copy is gone when the child exits. This is why multiprocessing escapes
both the GIL and data races, and why its results must be sent back
explicitly. Here four children each add 1 to "the" counter 1,000 times:

  1. The parent's counter is 0; it forks child C1
  2. C1 gets its own copy of the parent's memory: its counter is 0 too
  3. C1 adds 1,000 times: its copy reads 1,000 (C1 checks that, and exits)
  4. C1's memory disappears with it; the parent's counter was never touched
  5. The same for C2..C4; the parent reads its counter: 0

The outcome is what the parent sees and how many children finished
cleanly (each child checks that its own copy counted to 1,000). Neither
sanitizer has anything to report: each process is single-threaded and
touches only its own memory, so there is nothing shared to race on and no
bad access; the count is simply in the wrong place.

The fixes send the results back. `fixed` gives every child the write end
of a pipe: each writes its count, the parent reads until every writer has
closed and adds them up. `fixed_shared_memory` maps one page shared
between the processes (mmap MAP_SHARED, which fork does not copy) and puts
a std::atomic<int> in it, so the children really do increment one counter,
concurrently, and need an atomic for it exactly as threads would.)";

constexpr int kChildren = 4;
constexpr int kIncrements = 1'000;
constexpr int kExpected = kChildren * kIncrements;

// Starts a child process that runs `body` and exits with the status it
// returns; _exit, so the child runs no exit handlers and flushes no buffers
// it inherited. Returns the child's pid to the parent (-1 if fork failed).
template <class Body>
pid_t start_child(Body body) {
  const pid_t pid = fork();
  if (pid == 0) _exit(body());
  return pid;
}

// Waits for every child (no zombies left behind); returns how many exited
// with status 0.
int wait_for(const std::vector<pid_t>& children) {
  int clean = 0;
  for (pid_t child : children) {
    if (child < 0) continue;
    int status = 0;
    while (waitpid(child, &status, 0) < 0) {
      if (errno != EINTR) break;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) ++clean;
  }
  return clean;
}

// Each child increments the counter it inherited: its own copy.
Outcome broken(Threads& threads) {
  static_cast<void>(threads);  // processes, not threads
  int counter = 0;
  std::vector<pid_t> children;
  for (int c = 0; c < kChildren; ++c) {
    children.push_back(start_child([&counter] {
      for (int i = 0; i < kIncrements; ++i) {
        counter = counter + 1;
        yield_point();
      }
      return counter == kIncrements ? 0 : 1;  // the child's copy did count
    }));
  }
  const int clean = wait_for(children);
  return {counter, clean};
}

// Each child sends its count back through a pipe; the parent adds them up.
Outcome fixed(Threads& threads) {
  static_cast<void>(threads);  // processes, not threads
  int fds[2];
  if (pipe(fds) != 0) return {-1, 0};
  std::vector<pid_t> children;
  for (int c = 0; c < kChildren; ++c) {
    children.push_back(start_child([&fds] {
      close(fds[0]);
      int counter = 0;
      for (int i = 0; i < kIncrements; ++i) {
        counter = counter + 1;
        yield_point();
      }
      return write(fds[1], &counter, sizeof counter) == sizeof counter ? 0 : 1;
    }));
  }
  close(fds[1]);  // now the read below ends when the last child has exited
  int total = 0;
  int received = 0;
  while (read(fds[0], &received, sizeof received) == sizeof received) total += received;
  close(fds[0]);
  const int clean = wait_for(children);
  return {total, clean};
}

// One counter in memory that fork shares instead of copying; the children
// update it concurrently, so it is atomic.
Outcome fixed_shared_memory(Threads& threads) {
  static_cast<void>(threads);  // processes, not threads
  void* page = mmap(nullptr, sizeof(std::atomic<int>), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return {-1, 0};
  auto* counter = new (page) std::atomic<int>(0);
  std::vector<pid_t> children;
  for (int c = 0; c < kChildren; ++c) {
    children.push_back(start_child([counter] {
      for (int i = 0; i < kIncrements; ++i) {
        counter->fetch_add(1, std::memory_order_relaxed);
        yield_point();
      }
      return 0;
    }));
  }
  const int clean = wait_for(children);  // the children's updates are done
  const int total = counter->load();
  munmap(page, sizeof(std::atomic<int>));
  return {total, clean};
}

HAZARDLAB_CASE({
    .name = "fork_isolation",
    .title = "Forked children update their own copy of memory",
    .order = 210,
    .notebook = "processes do not share memory the way threads do: a multiprocessing worker that "
                "changes a global changes its own copy, and results must be sent back",
    .lesson = kLesson,
    .outcome_meaning = "count seen by the parent, children that finished cleanly",
    .outcomes = {acceptable(equals({kExpected, kChildren}), "the parent saw every child's increments"),
                 forbidden(below(kExpected), "the children's increments stayed in their own memory")},
    .variants = {{"broken", broken,
                  {misses(Detector::kDrd, "each process has its own memory and a single thread: nothing is "
                       "shared, so nothing can race (0 of 5 trials)"),
                   misses(Detector::kHelgrind, "each process has its own memory and a single thread: nothing is "
                       "shared, so nothing can race (0 of 5 trials)"),
                   misses(Detector::kThreadSafety, "fork copies the process: the hazard is which "
                                                   "memory is shared, not a lock held at an access"),
                   pct_sees(forbidden_outcome()).within(4),
                   outcome_sees(forbidden_outcome()),
                   misses(Detector::kTsan, "each process has its own memory and a single thread: "
                                           "nothing is shared, so nothing can race"),
                   misses(Detector::kAsan, "every access is to the process's own valid memory"),
                   misses(Detector::kAbsl, "separate memory after fork: no lock is taken")}},
                 {"fixed", fixed, {},
                  no_mutant("the fix is a different channel (a pipe), not one removable line")},
                 {"fixed_shared_memory", fixed_shared_memory, {},
                  no_mutant("the fix is where the counter lives (a shared mapping), not one removable line")}},
});

}  // namespace
}  // namespace hazardlab
