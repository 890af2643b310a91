#include "harness/cli/shake.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "harness/cli/common_flags.h"
#include "harness/cli/progress.h"
#include "harness/cli/shake_render.h"
#include "harness/run/shake_run.h"

ABSL_DECLARE_FLAG(std::string, seed);

ABSL_FLAG(int, runs, 100, "shake: how many times to run the program (run i has seed --seed + i)");
ABSL_FLAG(int, timeout, 10'000, "shake: milliseconds a run may take; then its process group is killed: a hang");

namespace hazardlab {
namespace {

// PROGRAM as posix_spawn needs it: a path. A bare name is looked up in PATH,
// as a shell would.
std::string program_path(const std::string& name) {
  const auto runnable = [](const std::filesystem::path& p) {
    std::error_code error;
    return std::filesystem::is_regular_file(p, error) && access(p.c_str(), X_OK) == 0;
  };
  if (name.find('/') != std::string::npos) {
    if (!runnable(name)) throw BadInput{absl::StrCat("cannot run '", name, "': not an executable file")};
    return name;
  }
  const char* path = std::getenv("PATH");
  for (absl::string_view folder : absl::StrSplit(path ? path : "", ':', absl::SkipEmpty())) {
    const std::filesystem::path candidate = std::filesystem::path(std::string(folder)) / name;
    if (runnable(candidate)) return candidate.string();
  }
  throw BadInput{absl::StrCat("cannot run '", name, "': not found in PATH")};
}

}  // namespace

int command_shake(const std::string& program, bool seed_given, const std::vector<std::string>& target) {
  if (target.empty()) throw BadInput{"shake needs a program: hazardlab shake [FLAGS] -- PROGRAM [ARGS]"};
  const std::string format = chosen_format();
  const int runs = absl::GetFlag(FLAGS_runs);
  if (runs < 1) throw BadInput{"--runs must be at least 1"};
  const int timeout = absl::GetFlag(FLAGS_timeout);
  if (timeout < 1) throw BadInput{"--timeout must be at least 1 (milliseconds)"};
  if (seed_given && absl::GetFlag(FLAGS_seed).empty()) throw BadInput{"--seed needs a number"};
  const std::uint64_t seed = chosen_seed();  // a fresh one when not given, always printed
  std::vector<std::string> argv = target;
  argv[0] = program_path(target[0]);

  const std::string library = shake_library_path();
  if (access(library.c_str(), R_OK) != 0) {
    std::cerr << "hazardlab: cannot shake: the shake library " << library << " is missing (build it)\n";
    return 3;
  }

  ShakeSession session;
  session.program = program;
  session.target = target;
  session.seed = seed;
  session.timeout = std::chrono::milliseconds(timeout);
  {
    Progress progress(absl::StrCat("shake ", target[0]), "run");
    for (int i = 0; i < runs; ++i) {
      session.runs.push_back(shake_once(argv, library, seed + static_cast<std::uint64_t>(i), session.timeout));
      progress(i + 1, runs);
    }
  }
  if (format == "json") {
    std::cout << render_shake_json(session).dump(2) << "\n";
  } else {
    std::cout << render_shake_text(session);
  }
  return session.failing_runs() > 0 ? 1 : 0;
}

}  // namespace hazardlab
