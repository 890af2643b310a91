#include "harness/run/cpu_claim.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace hazardlab {
namespace {

// Whether this process now holds the claim on `cpu`. The descriptor is
// kept open for the life of the process: closing it would drop the lock.
bool claim(const std::filesystem::path& dir, int cpu) {
  const std::string path = (dir / absl::StrCat("cpu", cpu, ".lock")).string();
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  if (flock(fd, LOCK_EX | LOCK_NB) == 0) return true;
  close(fd);
  return false;
}

// The CPU to stay on: the first one, from the current one on, that no other
// process has claimed; the current one if all are claimed.
int choose_cpu() {
  const int current = sched_getcpu();
  if (current < 0) return -1;
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return current;
  std::error_code error;
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path(error) / absl::StrCat("hazardlab-cpus-", getuid());
  if (error) return current;
  std::filesystem::create_directories(dir, error);
  if (error) return current;
  for (int i = 0; i < CPU_SETSIZE; ++i) {
    const int cpu = (current + i) % CPU_SETSIZE;
    if (CPU_ISSET(cpu, &allowed) && claim(dir, cpu)) return cpu;
  }
  return current;
}

}  // namespace

int stay_on_one_cpu() {
  static const int cpu = choose_cpu();
  if (cpu < 0) return cpu;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof set, &set);
  return cpu;
}

}  // namespace hazardlab
