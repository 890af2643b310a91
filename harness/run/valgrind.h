#pragma once

// The helgrind and drd builds are native builds whose trial children run
// under Valgrind (`valgrind --tool=helgrind|drd`). This is where the child's
// command line gets the tool and its options (valgrind/<tool>.options,
// stripped of comments by the build), and where the watchdog learns how much
// slower a trial runs there. Nothing else of the harness knows that a
// trial runs under Valgrind: its reports reach the parent on the child's
// output, like a sanitizer's.

#include <chrono>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace hazardlab {

// valgrind --tool=TOOL OPTIONS... ARGV...; throws ChildProcessError when the
// build's options file cannot be read (a broken build, not a case's fault).
std::vector<std::string> under_valgrind(absl::string_view tool, std::vector<std::string> argv);

// A case's watchdog deadline as it stands under Valgrind: the tool runs the
// process on one core at a time, tens of times slower, after a start-up of
// its own (about 0.4 s; more on a loaded machine).
std::chrono::milliseconds valgrind_deadline(std::chrono::milliseconds deadline);

}  // namespace hazardlab
