#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace hazardlab {

// A command of `hazardlab`: its help text and the flags that apply to it.
// A flag given to a command it does not apply to is bad input, not ignored.
struct CommandUsage {
  absl::string_view name;
  absl::string_view help;                // what `hazardlab help NAME` prints
  std::vector<absl::string_view> flags;  // as typed, without dashes: "seed-range"
};

// What `hazardlab help` (or -h, --help) prints: the commands in one screen.
absl::string_view general_usage();

// The command called `name`, or nullptr.
const CommandUsage* find_command(absl::string_view name);

// Whether some command takes --`flag` (as typed, without dashes).
bool is_command_flag(absl::string_view flag);

// "list, explain, run, classify or help", for error messages.
std::string command_names();

}  // namespace hazardlab
