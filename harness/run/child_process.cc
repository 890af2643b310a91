#include "harness/run/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <stdexcept>
#include <system_error>

extern char** environ;

namespace hazardlab {
namespace {

// Output beyond this is dropped (a runaway loop of reports must not exhaust
// the parent); the first megabytes hold every report that matters.
constexpr std::size_t kMaxCapturedOutput = 8u << 20;

[[noreturn]] void fail(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

struct Pipe {
  int read = -1;
  int write = -1;
  Pipe() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) fail("pipe2");
    read = fds[0];
    write = fds[1];
  }
};

// Reads what is available; returns false at end of file.
bool drain(int fd, std::string& into) {
  std::array<char, 65536> buffer;
  const ssize_t n = ::read(fd, buffer.data(), buffer.size());
  if (n > 0) {
    if (into.size() < kMaxCapturedOutput) into.append(buffer.data(), static_cast<std::size_t>(n));
    return true;
  }
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  return false;
}

}  // namespace

std::string self_executable() {
  std::array<char, PATH_MAX> path{};
  const ssize_t n = readlink("/proc/self/exe", path.data(), path.size() - 1);
  if (n < 0) fail("readlink /proc/self/exe");
  return std::string(path.data(), static_cast<std::size_t>(n));
}

ChildResult run_child(const std::vector<std::string>& argv, std::chrono::milliseconds deadline) {
  using Clock = std::chrono::steady_clock;
  Pipe output;
  Pipe channel;

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, output.write, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, output.write, STDERR_FILENO);
  posix_spawn_file_actions_adddup2(&actions, channel.write, kResultChannelFd);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);

  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // Its own process group, so the watchdog also kills whatever it forked.
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);

  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  const Clock::time_point started = Clock::now();
  pid_t pid = -1;
  const int spawn_error = posix_spawn(&pid, args[0], &actions, &attributes, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(output.write);
  close(channel.write);
  if (spawn_error != 0) {
    close(output.read);
    close(channel.read);
    errno = spawn_error;
    fail("posix_spawn");
  }

  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) fail("pidfd_open");

  ChildResult result;
  const Clock::time_point kill_at = started + deadline;
  bool output_open = true;
  bool channel_open = true;
  bool exited = false;
  // Wait for exit *and* for both pipes to close: a grandchild may still hold
  // them, so after the exit only what is already buffered is read.
  while (!exited || output_open || channel_open) {
    std::array<pollfd, 3> fds{{{output_open ? output.read : -1, POLLIN, 0},
                               {channel_open ? channel.read : -1, POLLIN, 0},
                               {exited ? -1 : pidfd, POLLIN, 0}}};
    // Rounded up: the watchdog never fires before the deadline.
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(kill_at - Clock::now());
    const int timeout = exited ? 100 : static_cast<int>(std::max<std::int64_t>(left.count(), 0));
    const int ready = poll(fds.data(), fds.size(), timeout);
    if (ready < 0 && errno != EINTR) fail("poll");
    if (ready == 0) {
      if (exited) break;  // pipes still held open by a stray grandchild: stop reading
      result.hung = true;
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      // Only the already-written output is read from here on.
      exited = true;
      continue;
    }
    if (fds[0].revents != 0) output_open = drain(output.read, result.output);
    if (fds[1].revents != 0) channel_open = drain(channel.read, result.channel);
    if (fds[2].revents != 0) exited = true;
  }

  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!result.hung) kill(-pid, SIGKILL);  // reap nothing, but leave no stray grandchild behind
  result.wall = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  close(pidfd);
  close(output.read);
  close(channel.read);
  return result;
}

}  // namespace hazardlab
