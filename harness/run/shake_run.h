#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/evidence/report.h"
#include "harness/run/child_process.h"

namespace hazardlab {

// The environment variable that carries a run's seed to the shake library
// (shake/injector.h); without it the library only forwards.
inline constexpr char kShakeSeedVariable[] = "HAZARDLAB_SHAKE_SEED";

// One run of a program under the shake library.
struct ShakenRun {
  std::uint64_t seed = 0;
  ChildResult result;           // exit status, signal, hang, output
  std::vector<Report> reports;  // every sanitizer report in its output, classified

  // A run fails on a non-zero exit, a signal, a hang or any sanitizer report.
  bool failed() const;
};

// The shake library of this build: next to the running executable.
std::string shake_library_path();

// Runs `argv` once with `library` preloaded (before whatever LD_PRELOAD the
// environment already has) and injection seeded by `seed`; kills its process
// group at `timeout`. Throws ChildProcessError when it cannot be started.
ShakenRun shake_once(const std::vector<std::string>& argv, const std::string& library, std::uint64_t seed,
                     std::chrono::milliseconds timeout);

}  // namespace hazardlab
