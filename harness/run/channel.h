#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "harness/evidence/trial_result.h"

namespace hazardlab {

// What a trial child tells its parent, one line per fact, on the result
// channel (fd 3). A child runs trials one after another (a batch):
//
//   begin SEED                  a trial starts
//   outcome V1 V2 ...           its variant returned this outcome
//   run|THREADS|STEPS           controlled runs: n and k
//   step|N|T|OP|STACK           controlled runs, tracing: one step
//   deadlock|N|T|OP|STACK       every live thread's waiting step, when all wait
//   stall|N|T|OP|STACK|WHY      the thread that stopped the run, and why
//   end MICROSECONDS            the trial is over, after this long
//   status exit CODE            a trial run in a process of its own (forked
//   status signal NUMBER        from the child) ended so: its exit status
//
// A stack is hexadecimal offsets joined by ','. A trial with a begin but no
// end is the one the child died in (a crash, a hang the watchdog killed, a
// deadlock or stall, which end the process from inside the controller).
namespace channel {

std::string begin_line(std::uint64_t seed);
std::string outcome_line(const Outcome& outcome);
std::string run_line(int threads, std::int64_t steps);
// `tag` is "step" or "deadlock".
std::string step_line(absl::string_view tag, const StepRecord& step);
std::string stall_line(const StepRecord& last, absl::string_view why);
std::string end_line(std::int64_t microseconds);
// How the process a trial was forked into ended (a wait status).
std::string status_line(int wait_status);

// Each trial also marks where its output starts in the child's stdout and
// stderr (one stream): the parent splits the stream at these lines, so
// every sanitizer report lands with the trial that printed it.
std::string output_marker(std::uint64_t seed);

// One line of the channel, read back.
struct Line {
  enum class Kind { kBegin, kEnd, kStatus, kData, kUnknown };
  Kind kind = Kind::kUnknown;
  std::uint64_t seed = 0;           // kBegin
  std::int64_t microseconds = 0;    // kEnd
  std::optional<int> exit_code;     // kStatus: it exited
  std::optional<int> signal;        // kStatus: a signal ended it
};
Line classify_line(absl::string_view line);

// Adds a kData line (outcome, run, step, deadlock, stall) to `trial`.
void apply_line(absl::string_view line, TrialResult& trial);

}  // namespace channel
}  // namespace hazardlab
