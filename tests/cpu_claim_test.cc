// Controlled trials running at the same time claim different CPUs.
#include "harness/run/cpu_claim.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace hazardlab {
namespace {

TEST(CpuClaimTest, ProcessesAliveTogetherStayOnDifferentCpus) {
  cpu_set_t allowed;
  ASSERT_EQ(sched_getaffinity(0, sizeof allowed, &allowed), 0);
  if (CPU_COUNT(&allowed) < 2) GTEST_SKIP() << "needs two CPUs";
  // Claims of this test only: other tests' children claim in the default
  // temporary directory.
  char dir[] = "/tmp/cpu-claim-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  setenv("TMPDIR", dir, 1);

  // Two children claim a CPU each, report it, and stay alive until both have.
  int report[2], release[2];
  ASSERT_EQ(pipe(report), 0);
  ASSERT_EQ(pipe(release), 0);
  pid_t children[2];
  for (pid_t& child : children) {
    child = fork();
    if (child == 0) {
      const int cpu = stay_on_one_cpu();
      // Both the claim and the pinning are real: the child now runs there.
      const int running_on = sched_getcpu();
      const int pair[2] = {cpu, running_on};
      if (write(report[1], pair, sizeof pair) != sizeof pair) _exit(1);
      char go;
      if (read(release[0], &go, 1) != 1) _exit(1);
      _exit(0);
    }
    ASSERT_GT(child, 0);
  }
  int first[2], second[2];
  ASSERT_EQ(read(report[0], first, sizeof first), static_cast<ssize_t>(sizeof first));
  ASSERT_EQ(read(report[0], second, sizeof second), static_cast<ssize_t>(sizeof second));
  ASSERT_EQ(write(release[1], "go", 2), 2);
  for (pid_t child : children) {
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  unsetenv("TMPDIR");
  std::filesystem::remove_all(dir);

  EXPECT_GE(first[0], 0);
  EXPECT_NE(first[0], second[0]) << "both children claimed CPU " << first[0];
  EXPECT_EQ(first[0], first[1]);
  EXPECT_EQ(second[0], second[1]);
}

}  // namespace
}  // namespace hazardlab
