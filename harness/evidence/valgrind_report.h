#pragma once

// Reading the reports of Valgrind's thread-error detectors, Helgrind and DRD,
// as harness/evidence/report.cc reads the sanitizers'. Every line Valgrind
// prints starts with "==PID== "; a report is a headline naming the error,
// then stacks of "at 0x...: function (file:line)" / "by 0x...: ..." frames.

#include <optional>

#include "absl/strings/string_view.h"
#include "harness/evidence/report.h"

namespace hazardlab {

// The exit code valgrind/*.options give a process in which the tool reported
// an error (--error-exitcode): a report, not a crash. It is also the backstop
// for a report this classifier does not know: that trial is then a
// termination with this code, never a clean run.
inline constexpr int kValgrindErrorExitCode = 67;

// The line without Valgrind's "==PID== " prefix, or nullopt when it is not
// a line of Valgrind's error output (the program's own, a sanitizer's).
std::optional<absl::string_view> valgrind_body(absl::string_view line);

// Starts a report when `body` (a line without its prefix) is the headline of
// a Helgrind or DRD error: tool "Helgrind" or "DRD", a kind without
// addresses or thread numbers ("Possible data race", "lock order violated",
// "Conflicting load", "Mutex not locked"), the headline as printed.
bool parse_valgrind_headline(absl::string_view body, Report& report);

// "at 0x10C458: fn() const (/src/cases/x.cc:22)" or "by 0x4C0A1F4: ??? (in
// /lib/libc.so.6)": a frame, with its file and line when it has them.
bool parse_valgrind_frame(absl::string_view body, Frame& frame);

// A line after which nothing belongs to the report before it: Helgrind's
// separators and thread announcements, the summaries at exit.
bool ends_valgrind_report(absl::string_view body);

// The report tool name ("Helgrind", "DRD") of a Valgrind tool ("helgrind",
// "drd"); empty for anything else.
absl::string_view valgrind_report_tool(absl::string_view valgrind_tool);

}  // namespace hazardlab
