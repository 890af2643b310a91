// The runner's own failures: when a system call the harness needs fails
// after the child is started, the child is killed and reaped, every
// descriptor is closed, and the caller gets one error it can report.
#include <dirent.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <gtest/gtest.h>

#include "harness/run/child_process.h"

namespace hazardlab {
namespace {

int open_descriptors() {
  DIR* fds = opendir("/proc/self/fd");
  int count = 0;
  while (const dirent* entry = readdir(fds)) count += entry->d_name[0] != '.';
  closedir(fds);
  return count;
}

// From now on pidfd_open fails with ENOSYS in this process, as on a kernel
// older than 5.3 or under a seccomp policy that does not know it.
bool refuse_pidfd_open() {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pidfd_open, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog program{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
  return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0;
}

// Exit codes of the process that tries: what went wrong, if anything.
enum Failure { kNone = 0, kNoSeccomp = 10, kNoError, kWrongError, kChildLeft, kDescriptorsLeft };

int try_to_run_a_child() {
  if (!refuse_pidfd_open()) return kNoSeccomp;
  const int before = open_descriptors();
  try {
    run_child({"/bin/sleep", "30"}, std::chrono::seconds(60));
    return kNoError;
  } catch (const ChildProcessError& error) {
    if (std::string(error.what()).find("pidfd_open") == std::string::npos) return kWrongError;
  }
  // The sleeper was reaped (no child is left to wait for) and the pipes closed.
  if (!(waitpid(-1, nullptr, WNOHANG) < 0 && errno == ECHILD)) return kChildLeft;
  if (open_descriptors() != before) return kDescriptorsLeft;
  return kNone;
}

TEST(ChildProcessTest, AFailedPidfdOpenLeavesNoChildAndNoDescriptorAndSaysWhy) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) _exit(try_to_run_a_child());
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "the trying process died of signal " << WTERMSIG(status);
  if (WEXITSTATUS(status) == kNoSeccomp) GTEST_SKIP() << "seccomp filters are not available here";
  EXPECT_EQ(WEXITSTATUS(status), kNone) << "see enum Failure";
}

TEST(ChildProcessTest, ASpawnThatFailsThrowsAndLeavesNothing) {
  const int before = open_descriptors();
  EXPECT_THROW(run_child({"/nonexistent/program"}, std::chrono::seconds(5)), ChildProcessError);
  EXPECT_EQ(open_descriptors(), before);
}

}  // namespace
}  // namespace hazardlab

namespace hazardlab {
namespace {

// shake passes the run's seed and LD_PRELOAD this way: set over the parent's
// environment, the rest of it passed on.
TEST(ChildProcessTest, EnvironmentOverridesAreSetOverTheParentsAndTheRestIsPassedOn) {
  ASSERT_EQ(setenv("HAZARDLAB_TEST_OVERRIDDEN", "parent", 1), 0);
  ASSERT_EQ(setenv("HAZARDLAB_TEST_KEPT", "kept", 1), 0);
  SpawnOptions options;
  options.environment = {{"HAZARDLAB_TEST_OVERRIDDEN", "child"}, {"HAZARDLAB_TEST_NEW", "new"}};
  const ChildResult result = run_child({"/usr/bin/env"}, std::chrono::seconds(30), options);
  unsetenv("HAZARDLAB_TEST_OVERRIDDEN");
  unsetenv("HAZARDLAB_TEST_KEPT");
  EXPECT_NE(result.output.find("HAZARDLAB_TEST_OVERRIDDEN=child\n"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("HAZARDLAB_TEST_OVERRIDDEN=parent"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("HAZARDLAB_TEST_NEW=new\n"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("HAZARDLAB_TEST_KEPT=kept\n"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace hazardlab
