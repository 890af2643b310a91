#include "harness/run/valgrind.h"

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "harness/run/child_process.h"

namespace hazardlab {
namespace {

// Measured on the 2-core machine: lost_update's fixed variant runs 6 ms
// natively and 0.5 s under Helgrind, most of it start-up; a hang case's
// deadline (1 to 2 s) is what its threads need free-running, and under the
// tool a thread that is merely slow must not be taken for a hung one. The
// first trial's deadline also covers Valgrind's start-up (it reads the
// binary's debug information): about 0.4 s idle, about 9 s at load average
// 9 (10 trials one to a child took 106 s, batched 19 s).
// The slowdown is the tool's on synchronization-heavy code: DRD ran
// gil_atomicity/fixed (40,000 lock handoffs) in about 20 s a trial, 60 s and
// more with two test suites at once, against 0.2 s natively.
constexpr int kSlowdown = 20;
constexpr std::chrono::milliseconds kStartUp{10'000};

// One option a line; the build wrote the file without comments.
std::vector<std::string> read_options(absl::string_view tool) {
  const std::string path = absl::StrCat(HAZARDLAB_VALGRIND_OPTIONS_DIR, "/", tool, ".options");
  std::ifstream file(path);
  if (!file) throw ChildProcessError(absl::StrCat("cannot read the Valgrind options ", path));
  std::vector<std::string> options;
  for (std::string line; std::getline(file, line);) {
    const absl::string_view option = absl::StripAsciiWhitespace(line);
    if (!option.empty()) options.emplace_back(option);
  }
  return options;
}

}  // namespace

std::vector<std::string> under_valgrind(absl::string_view tool, std::vector<std::string> argv) {
  std::vector<std::string> command = {HAZARDLAB_VALGRIND_PROGRAM, absl::StrCat("--tool=", tool)};
  for (std::string& option : read_options(tool)) command.push_back(std::move(option));
  for (std::string& word : argv) command.push_back(std::move(word));
  return command;
}

std::chrono::milliseconds valgrind_deadline(std::chrono::milliseconds deadline) {
  return deadline * kSlowdown + kStartUp;
}

}  // namespace hazardlab
