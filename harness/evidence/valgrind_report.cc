#include "harness/evidence/valgrind_report.h"

#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"

namespace hazardlab {
namespace {

// "==12345== " (the error stream's prefix; "--12345--" lines are Valgrind's
// own warnings, "**12345**" its internal errors: neither is a report).
const std::regex& prefix_pattern() {
  static const std::regex pattern(R"(^==\d+== )");
  return pattern;
}

// One Helgrind or DRD headline: the pattern of its first line, the tool and
// the kind that names it. Addresses, sizes and thread numbers vary from run
// to run, so the kind leaves them out; the headline keeps them.
struct Headline {
  std::regex pattern;
  const char* tool;
  const char* kind;  // nullptr: the pattern's first group is the kind
};

const std::vector<Headline>& headlines() {
  static const std::vector<Headline> table = [] {
    std::vector<Headline> t;
    auto add = [&](const char* pattern, const char* tool, const char* kind) {
      t.push_back({std::regex(pattern), tool, kind});
    };
    // Helgrind (valgrind/README.md lists which hazards print which).
    add(R"(^Possible data race during (?:read|write) of size \d+ at 0x[0-9A-Fa-f]+ by thread #\d+)", "Helgrind",
        "Possible data race");
    add(R"(^Thread #\d+: lock order "0x[0-9A-Fa-f]+ before 0x[0-9A-Fa-f]+" violated)", "Helgrind",
        "lock order violated");
    add(R"(^Thread #\d+ unlocked a not-locked lock at 0x)", "Helgrind", "unlocked a not-locked lock");
    add(R"(^Thread #\d+ unlocked an invalid lock at 0x)", "Helgrind", "unlocked an invalid lock");
    add(R"(^Thread #\d+ unlocked lock at 0x[0-9A-Fa-f]+ currently held by thread #\d+)", "Helgrind",
        "unlocked a lock held by another thread");
    add(R"(^Thread #\d+: pthread_mutex_destroy of a locked mutex)", "Helgrind", "destroy of a locked lock");
    add(R"(^Thread #\d+: pthread_rwlock_destroy of a locked mutex)", "Helgrind", "destroy of a locked lock");
    add(R"(^Thread #\d+: Attempt to re-lock a non-recursive lock I already hold)", "Helgrind",
        "re-lock of a non-recursive lock");
    add(R"(^Thread #\d+: Exiting thread still holds \d+ locks?)", "Helgrind", "exiting thread still holds a lock");
    add(R"(^Thread #\d+'s call to (\S+) failed)", "Helgrind", nullptr);
    // The rest of Helgrind's misuse reports ("Thread #1: pthread_cond_signal:
    // dubious: associated lock is not held by any thread"): the text after
    // the thread, up to its first address.
    add(R"(^Thread #\d+: ([^"0]+?)\s*(?:0x|$))", "Helgrind", nullptr);
    // DRD.
    add(R"(^(Conflicting (?:load|store)) by thread \d+ at 0x)", "DRD", nullptr);
    add(R"(^The object at address 0x[0-9A-Fa-f]+ is not a (\w+)\.)", "DRD", nullptr);
    // "Mutex not locked: mutex 0x...", "Destroying locked mutex: mutex 0x...",
    // "Recursive locking not allowed: mutex 0x...", and the like for
    // condition variables, rwlocks, semaphores and barriers.
    add(R"(^([A-Z][A-Za-z ]+?): (?:mutex|cond|condition variable|rwlock|semaphore|barrier) 0x)", "DRD", nullptr);
    return t;
  }();
  return table;
}

// "at 0x10C458: text" / "by 0x10C458: text".
const std::regex& frame_pattern() {
  static const std::regex pattern(R"(^\s*(?:at|by) 0x[0-9A-Fa-f]+: (.*)$)");
  return pattern;
}

// "function (file:line)" at the end of a frame's text.
const std::regex& source_pattern() {
  static const std::regex pattern(R"(^(.*) \((\S+):(\d+)\)$)");
  return pattern;
}

}  // namespace

std::optional<absl::string_view> valgrind_body(absl::string_view line) {
  std::cmatch match;
  if (!std::regex_search(line.begin(), line.end(), match, prefix_pattern())) return std::nullopt;
  return line.substr(static_cast<std::size_t>(match.length(0)));
}

bool parse_valgrind_headline(absl::string_view body, Report& report) {
  for (const Headline& h : headlines()) {
    std::cmatch match;
    if (!std::regex_search(body.begin(), body.end(), match, h.pattern)) continue;
    // A thread announcement is context, never an error.
    if (absl::StrContains(body, " was created") || absl::StrContains(body, "root thread")) return false;
    report.tool = h.tool;
    report.kind = h.kind ? std::string(h.kind) : match[1].str();
    if (!h.kind && absl::StartsWith(match[0].str(), "The object")) report.kind = "not a " + report.kind;
    if (!h.kind && absl::StartsWith(match[0].str(), "Thread #") && absl::StrContains(match[0].str(), "'s call to")) {
      report.kind = match[1].str() + " failed";
    }
    report.headline = std::string(absl::StripAsciiWhitespace(body));
    return true;
  }
  return false;
}

bool parse_valgrind_frame(absl::string_view body, Frame& frame) {
  std::cmatch match;
  if (!std::regex_match(body.begin(), body.end(), match, frame_pattern())) return false;
  const std::string text = match[1].str();
  std::smatch where;
  if (std::regex_match(text, where, source_pattern()) && absl::SimpleAtoi(where[3].str(), &frame.line)) {
    frame.function = where[1].str();
    frame.file = where[2].str();
    return true;
  }
  // "fn (in /lib/libc.so.6)": no source location.
  const std::size_t in = text.rfind(" (in ");
  frame.function = in == std::string::npos ? text : text.substr(0, in);
  return true;
}

bool ends_valgrind_report(absl::string_view body) {
  return absl::StartsWith(body, "----") || absl::StartsWith(body, "HEAP SUMMARY") ||
         absl::StartsWith(body, "ERROR SUMMARY") || absl::StartsWith(body, "For lists of detected") ||
         absl::StartsWith(body, "Use --history-level=approx") || absl::StartsWith(body, "For counts of detected");
}

absl::string_view valgrind_report_tool(absl::string_view valgrind_tool) {
  if (valgrind_tool == "helgrind") return "Helgrind";
  if (valgrind_tool == "drd") return "DRD";
  return "";
}

}  // namespace hazardlab
