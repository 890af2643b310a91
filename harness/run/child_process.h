#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace hazardlab {

// How a child process ended, and everything it wrote.
struct ChildResult {
  std::optional<int> exit_code;  // set when it exited
  std::optional<int> signal;     // set when a signal ended it (SIGKILL after a hang too)
  bool hung = false;             // killed by the watchdog at the deadline
  std::string output;            // stdout and stderr, interleaved as written
  std::string channel;           // what it wrote to the result channel (fd 3)
  std::chrono::microseconds wall{0};
};

// The file descriptor on which a child writes its structured result.
inline constexpr int kResultChannelFd = 3;

// Runs argv[0] with arguments argv[1..] in its own process group, with stdout
// and stderr captured together and fd 3 open for the result channel. A child
// still running at `deadline` is killed with its whole process group and
// reported as hung. Nothing the child does can end the caller.
ChildResult run_child(const std::vector<std::string>& argv, std::chrono::milliseconds deadline);

// Path of the running executable (children are the same program).
std::string self_executable();

}  // namespace hazardlab
