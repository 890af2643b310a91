#include "harness/evidence/symbolize.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "harness/run/child_process.h"
#include "harness/evidence/report.h"

namespace hazardlab {
namespace {

// llvm-symbolizer from PATH (Debian's llvm package installs it unversioned;
// llvm-14 installs the versioned name).
std::string find_symbolizer() {
  const char* path = std::getenv("PATH");
  for (absl::string_view name : {"llvm-symbolizer", "llvm-symbolizer-14"}) {
    for (absl::string_view dir : absl::StrSplit(path ? path : "/usr/bin", ':', absl::SkipEmpty())) {
      std::string candidate = absl::StrCat(dir, "/", name);
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return "";
}

// "cases/x.cc:12:7" from a symbolizer line "/src/cases/x.cc:12:7".
std::string short_location(absl::string_view line) {
  const std::vector<absl::string_view> parts = absl::StrSplit(line, ':');
  if (parts.size() < 2 || parts[0].empty() || parts[0] == "??") return "";
  Frame frame;
  frame.file = std::string(parts[0]);
  if (!absl::SimpleAtoi(parts[1], &frame.line) || frame.line == 0) return "";
  return frame.location();
}

}  // namespace

void Symbolizer::prepare(const std::vector<const CallStack*>& stacks) {
  std::set<std::uintptr_t> wanted;
  for (const CallStack* stack : stacks) {
    for (std::uintptr_t offset : *stack) {
      if (!frames_.contains(offset)) wanted.insert(offset);
    }
  }
  if (wanted.empty()) return;
  static const std::string tool = find_symbolizer();
  std::vector<std::string> argv = {tool, absl::StrCat("--obj=", self_executable()), "--inlines"};
  for (std::uintptr_t offset : wanted) argv.push_back(absl::StrCat("0x", absl::Hex(offset)));
  std::string output;
  if (!tool.empty()) output = run_child(argv, std::chrono::milliseconds(20'000)).output;
  // One block per address, blank-line separated: pairs of lines (function,
  // file:line:column), innermost inlined frame first.
  std::vector<absl::string_view> blocks = absl::StrSplit(output, "\n\n", absl::SkipWhitespace());
  auto block = blocks.begin();
  for (std::uintptr_t offset : wanted) {
    std::vector<std::string>& frames = frames_[offset];
    if (block == blocks.end()) continue;
    const std::vector<absl::string_view> lines = absl::StrSplit(*block++, '\n', absl::SkipEmpty());
    for (std::size_t i = 1; i < lines.size(); i += 2) frames.push_back(short_location(lines[i]));
  }
}

std::string Symbolizer::case_location(const CallStack& stack) {
  prepare({&stack});
  // Case code first; else the first frame outside the harness and the
  // standard library (a test's own case); else anything with a file.
  std::string outside_harness;
  std::string any;
  for (std::uintptr_t offset : stack) {
    for (const std::string& frame : frames_[offset]) {
      if (absl::StartsWith(frame, "cases/") || absl::StartsWith(frame, "exercises/")) return frame;
      if (outside_harness.empty() && !absl::StartsWith(frame, "harness/") && !absl::StartsWith(frame, "/")) {
        outside_harness = frame;
      }
      if (any.empty()) any = frame;
    }
  }
  return !outside_harness.empty() ? outside_harness : !any.empty() ? any : "?";
}

Symbolizer& symbolizer() {
  static Symbolizer instance;
  return instance;
}

void locate_offset_frames(std::vector<Report>& reports) {
  // Every trial's reports pass here: most have no frame to locate (only
  // Abseil's name offsets), and cost no more than this look.
  auto unlocated = [](const Frame& frame) { return frame.file.empty() && frame.offset != 0; };
  const bool any = std::any_of(reports.begin(), reports.end(), [&](const Report& report) {
    return std::any_of(report.frames.begin(), report.frames.end(), unlocated);
  });
  if (!any) return;
  const std::string self = self_executable();
  const std::string self_name = self.substr(self.rfind('/') + 1);
  auto wanted = [&](const Frame& frame) { return unlocated(frame) && frame.binary == self_name; };
  std::vector<std::uintptr_t> offsets;
  for (const Report& report : reports) {
    for (const Frame& frame : report.frames) {
      if (wanted(frame)) offsets.push_back(frame.offset);
    }
  }
  static const std::string tool = find_symbolizer();
  if (offsets.empty() || tool.empty()) return;
  // Each is a return address (the instruction after the call): one byte
  // back is inside the call, on the line that made it (measured: without it
  // the lock at cases/lock_order_deadlock.cc:56 showed as line 57).
  std::vector<std::string> argv = {tool, absl::StrCat("--obj=", self), "--inlines"};
  for (std::uintptr_t offset : offsets) argv.push_back(absl::StrCat("0x", absl::Hex(offset - 1)));
  const std::string output = run_child(argv, std::chrono::milliseconds(20'000)).output;
  // One block per address, blank-line separated: pairs of lines (function,
  // file:line:column), innermost inlined frame first.
  std::map<std::uintptr_t, std::vector<Frame>> located;
  const std::vector<absl::string_view> blocks = absl::StrSplit(output, "\n\n", absl::SkipWhitespace());
  for (std::size_t i = 0; i < offsets.size() && i < blocks.size(); ++i) {
    const std::vector<absl::string_view> lines = absl::StrSplit(blocks[i], '\n', absl::SkipEmpty());
    for (std::size_t j = 0; j + 1 < lines.size(); j += 2) {
      Frame frame;
      frame.function = std::string(lines[j]);
      const std::vector<absl::string_view> parts = absl::StrSplit(lines[j + 1], ':');
      if (parts.size() < 2 || parts[0] == "??" || !absl::SimpleAtoi(parts[1], &frame.line)) continue;
      frame.file = std::string(parts[0]);
      frame.binary = self_name;
      frame.offset = offsets[i];
      located[offsets[i]].push_back(std::move(frame));
    }
  }
  for (Report& report : reports) {
    std::vector<Frame> frames;
    for (Frame& frame : report.frames) {
      auto found = wanted(frame) ? located.find(frame.offset) : located.end();
      if (found == located.end() || found->second.empty()) {
        frames.push_back(std::move(frame));
      } else {
        frames.insert(frames.end(), found->second.begin(), found->second.end());
      }
    }
    report.frames = std::move(frames);
    for (const Frame& frame : report.frames) {
      if (frame.in_case_code()) {
        report.location = frame.location();
        break;
      }
    }
  }
}

}  // namespace hazardlab
