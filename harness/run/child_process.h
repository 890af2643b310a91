#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace hazardlab {

// The file descriptor on which a child writes its structured result.
inline constexpr int kResultChannelFd = 3;

// A system call the harness needs failed (not something the child did): the
// run cannot go on. The child, if one was started, is already killed and
// reaped, and every descriptor is closed.
class ChildProcessError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A file descriptor that closes itself.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release();
  void reset();

 private:
  int fd_ = -1;
};

struct SpawnOptions {
  // Run the child without address randomisation (controlled runs: addresses
  // must not make two runs of one seed differ).
  bool no_address_randomization = false;
  // Variables to set in the child's environment, over the parent's ("NAME",
  // "value"); the rest of the parent's environment is passed on.
  std::vector<std::pair<std::string, std::string>> environment;
};

// A child process in its own process group, with stdout and stderr captured
// together, fd 3 open for the result channel and stdin on /dev/null.
//
// The owner reads as data arrives (wait), may kill the whole group at any
// time, and reaps it last. While the child is unreaped its process id (and so
// its group id) cannot be reused, so killing the group before reaping never
// hits a stranger. Destroying a ChildProcess kills and reaps what is left.
class ChildProcess {
 public:
  using Clock = std::chrono::steady_clock;

  // Throws ChildProcessError when the child cannot be started or watched.
  ChildProcess(const std::vector<std::string>& argv, const SpawnOptions& options = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Waits until something arrives (output, channel data, the child's exit)
  // or `until` passes; appends what arrived. Returns false at `until`.
  bool wait(Clock::time_point until);
  // Reads whatever output and channel data is already written, without
  // waiting: data written before some channel message is in the pipe when
  // that message is read.
  void read_available();

  bool exited() const { return exited_; }
  bool streams_open() const { return output_fd_ || channel_fd_; }

  // Everything read so far. The owner may consume the channel.
  std::string& output() { return output_; }
  std::string& channel() { return channel_; }

  // SIGKILL to the whole group (the child and whatever it forked).
  void kill_group();

  struct Exit {
    std::optional<int> exit_code;  // set when it exited
    std::optional<int> signal;     // set when a signal ended it
  };
  // Kills what is left of the group, reads what is already written (at most
  // until `read_until`: a grandchild that left the group may hold the pipes
  // open for ever) and reaps the child.
  Exit finish(Clock::time_point read_until);

 private:
  bool drain(UniqueFd& fd, std::string& into);

  pid_t pid_ = -1;
  UniqueFd pidfd_;
  UniqueFd output_fd_;
  UniqueFd channel_fd_;
  bool exited_ = false;
  bool reaped_ = false;
  std::string output_;
  std::string channel_;
};

// How a child process ended, and everything it wrote.
struct ChildResult {
  std::optional<int> exit_code;  // set when it exited
  std::optional<int> signal;     // set when a signal ended it (SIGKILL after a hang too)
  bool hung = false;             // killed by the watchdog at the deadline
  std::string output;            // stdout and stderr, interleaved as written
  std::string channel;           // what it wrote to the result channel (fd 3)
  std::chrono::microseconds wall{0};
};

// Runs argv[0] with arguments argv[1..] as a ChildProcess and waits for it.
// A child still running at `deadline` is killed with its whole process group
// and reported as hung; nothing it does (or leaves behind: a grandchild
// holding its pipes) keeps the caller past the deadline. Throws
// ChildProcessError only when the harness itself cannot go on.
ChildResult run_child(const std::vector<std::string>& argv, std::chrono::milliseconds deadline,
                      const SpawnOptions& options = {});

// Path of the running executable (children are the same program).
std::string self_executable();

}  // namespace hazardlab
