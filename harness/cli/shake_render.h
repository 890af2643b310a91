#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/run/shake_run.h"
#include "nlohmann/json.hpp"

namespace hazardlab {

// What one `hazardlab shake` did: its command line and every run.
struct ShakeSession {
  std::string program;              // hazardlab itself, for the replay commands
  std::vector<std::string> target;  // the shaken program and its arguments
  std::uint64_t seed = 0;           // run i has seed + i
  std::chrono::milliseconds timeout{0};
  std::vector<ShakenRun> runs;

  int failing_runs() const;
  // The command that runs `run` alone again with its seed.
  std::string replay_command(const ShakenRun& run) const;
};

// Every failing run (seed, how it failed, its reports), a summary, and the
// replay command of each failing run.
std::string render_shake_text(const ShakeSession& session);

// {seed, runs: [...], failing_runs, run_count, timeout_ms, program, replays}.
nlohmann::json render_shake_json(const ShakeSession& session);

}  // namespace hazardlab
