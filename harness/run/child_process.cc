#include "harness/run/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>

#include "absl/strings/str_cat.h"

extern char** environ;

namespace hazardlab {
namespace {

// Output beyond this is dropped (a runaway loop of reports must not exhaust
// the parent); the first megabytes hold every report that matters.
constexpr std::size_t kMaxCapturedOutput = 8u << 20;

std::string error_text(const char* what, int error) { return absl::StrCat(what, ": ", std::strerror(error)); }

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Pipe make_pipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw ChildProcessError(error_text("pipe2", errno));
  Pipe pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
  // The parent reads without blocking (it waits in poll); the child's end
  // stays blocking, as any program's stdout expects.
  if (fcntl(pipe.read.get(), F_SETFL, O_NONBLOCK) != 0) throw ChildProcessError(error_text("fcntl", errno));
  return pipe;
}

// posix_spawn's file actions and attributes, destroyed on every path.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
};

// The calling thread's personality with address randomisation off for the
// lifetime of the scope; a spawned child inherits it.
class NoAddressRandomization {
 public:
  explicit NoAddressRandomization(bool wanted) {
    if (!wanted) return;
    const int current = personality(0xffffffff);
    if (current < 0 || (current & ADDR_NO_RANDOMIZE)) return;
    if (personality(static_cast<unsigned long>(current) | ADDR_NO_RANDOMIZE) >= 0) previous_ = current;
  }
  ~NoAddressRandomization() {
    if (previous_ >= 0) personality(static_cast<unsigned long>(previous_));
  }
  NoAddressRandomization(const NoAddressRandomization&) = delete;
  NoAddressRandomization& operator=(const NoAddressRandomization&) = delete;

 private:
  int previous_ = -1;
};

// The parent's environment with `overrides` set over it, as "NAME=value"
// strings for posix_spawn.
std::vector<std::string> child_environment(const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> entries;
  for (char** entry = environ; *entry; ++entry) {
    const absl::string_view text = *entry;
    const bool overridden = std::any_of(overrides.begin(), overrides.end(), [&](const auto& o) {
      return text.size() > o.first.size() && text.substr(0, o.first.size()) == o.first && text[o.first.size()] == '=';
    });
    if (!overridden) entries.emplace_back(text);
  }
  for (const auto& [name, value] : overrides) entries.push_back(absl::StrCat(name, "=", value));
  return entries;
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = other.release();
  }
  return *this;
}

int UniqueFd::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

void UniqueFd::reset() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

std::string self_executable() {
  std::array<char, PATH_MAX> path{};
  const ssize_t n = readlink("/proc/self/exe", path.data(), path.size() - 1);
  if (n < 0) throw ChildProcessError(error_text("readlink /proc/self/exe", errno));
  return std::string(path.data(), static_cast<std::size_t>(n));
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const SpawnOptions& options) {
  Pipe output = make_pipe();
  Pipe channel = make_pipe();

  SpawnSetup setup;
  posix_spawn_file_actions_adddup2(&setup.actions, output.write.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&setup.actions, output.write.get(), STDERR_FILENO);
  posix_spawn_file_actions_adddup2(&setup.actions, channel.write.get(), kResultChannelFd);
  posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  // Its own process group, so the watchdog also kills whatever it forked.
  posix_spawnattr_setflags(&setup.attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&setup.attributes, 0);

  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const std::vector<std::string> environment = child_environment(options.environment);
  std::vector<char*> environment_pointers;
  for (const std::string& e : environment) environment_pointers.push_back(const_cast<char*>(e.c_str()));
  environment_pointers.push_back(nullptr);

  int spawn_error = 0;
  {
    NoAddressRandomization no_aslr(options.no_address_randomization);
    spawn_error = posix_spawn(&pid_, args[0], &setup.actions, &setup.attributes, args.data(),
                              options.environment.empty() ? environ : environment_pointers.data());
  }
  if (spawn_error != 0) throw ChildProcessError(error_text(absl::StrCat("posix_spawn ", argv[0]).c_str(), spawn_error));
  output_fd_ = std::move(output.read);
  channel_fd_ = std::move(channel.read);

  pidfd_ = UniqueFd(static_cast<int>(syscall(SYS_pidfd_open, pid_, 0)));
  if (!pidfd_) {
    const int error = errno;
    // The destructor does not run for a constructor that throws: clean up
    // here, so no child or descriptor outlives the error.
    kill_group();
    while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    throw ChildProcessError(error_text("pidfd_open (Linux 5.3 or later is needed to watch a trial)", error));
  }
}

ChildProcess::~ChildProcess() {
  if (!reaped_) finish(Clock::now());
}

bool ChildProcess::drain(UniqueFd& fd, std::string& into) {
  std::array<char, 65536> buffer;
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n > 0) {
      if (into.size() < kMaxCapturedOutput) into.append(buffer.data(), static_cast<std::size_t>(n));
      if (static_cast<std::size_t>(n) < buffer.size()) return true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;
    fd.reset();  // end of file (or an error: nothing more will come)
    return false;
  }
}

bool ChildProcess::wait(Clock::time_point until) {
  std::array<pollfd, 3> fds{{{output_fd_ ? output_fd_.get() : -1, POLLIN, 0},
                             {channel_fd_ ? channel_fd_.get() : -1, POLLIN, 0},
                             {exited_ ? -1 : pidfd_.get(), POLLIN, 0}}};
  for (;;) {
    // Rounded up: a deadline never fires before its time.
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now());
    const int timeout = static_cast<int>(std::max<std::int64_t>(left.count(), 0));
    const int ready = poll(fds.data(), fds.size(), timeout);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) throw ChildProcessError(error_text("poll", errno));
    if (ready == 0) return false;
    break;
  }
  if (fds[0].revents != 0) drain(output_fd_, output_);
  if (fds[1].revents != 0) drain(channel_fd_, channel_);
  if (fds[2].revents != 0) exited_ = true;
  return true;
}

void ChildProcess::read_available() {
  std::array<pollfd, 2> fds{{{output_fd_ ? output_fd_.get() : -1, POLLIN, 0},
                             {channel_fd_ ? channel_fd_.get() : -1, POLLIN, 0}}};
  while (poll(fds.data(), fds.size(), 0) < 0 && errno == EINTR) {
  }
  if (fds[0].revents != 0) drain(output_fd_, output_);
  if (fds[1].revents != 0) drain(channel_fd_, channel_);
}

void ChildProcess::kill_group() {
  if (reaped_ || pid_ <= 0) return;
  kill(-pid_, SIGKILL);
  kill(pid_, SIGKILL);
}

ChildProcess::Exit ChildProcess::finish(Clock::time_point read_until) {
  Exit result;
  if (reaped_) return result;
  // The child may have exited; its group may not have. The child is not
  // reaped yet, so the group id is still ours to kill.
  kill_group();
  while (streams_open() && wait(read_until)) {
  }
  output_fd_.reset();
  channel_fd_.reset();
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

ChildResult run_child(const std::vector<std::string>& argv, std::chrono::milliseconds deadline,
                      const SpawnOptions& options) {
  using Clock = ChildProcess::Clock;
  const Clock::time_point started = Clock::now();
  const Clock::time_point kill_at = started + deadline;
  ChildProcess child(argv, options);
  ChildResult result;
  while (!child.exited()) {
    if (!child.wait(kill_at)) {
      result.hung = true;
      break;
    }
  }
  // After the exit, what is already written is read (briefly: the group is
  // killed first, so only a grandchild that left the group can still hold
  // the pipes, and it cannot keep the caller past the deadline).
  const ChildProcess::Exit exit = child.finish(std::min(kill_at, Clock::now() + std::chrono::milliseconds(200)));
  result.exit_code = exit.exit_code;
  result.signal = exit.signal;
  result.output = std::move(child.output());
  result.channel = std::move(child.channel());
  result.wall = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
  return result;
}

}  // namespace hazardlab
