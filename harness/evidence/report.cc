#include "harness/evidence/report.h"

#include <optional>
#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "harness/evidence/valgrind_report.h"

namespace hazardlab {
namespace {

// "    #3 0x4f2a1 in fn(int) /src/cases/x.cc:12:7 (bin+0x4f2a1)" (ASan) or
// "    #3 fn(int) /src/cases/x.cc:12:7 (bin+0x4f2a1)" (TSan).
const std::regex& frame_pattern() {
  static const std::regex pattern(R"(^\s*#\d+\s+(?:0x[0-9a-fA-F]+\s+in\s+)?(.*)$)");
  return pattern;
}

// "file:line" or "file:line:column" at the end of a frame's text.
const std::regex& location_pattern() {
  static const std::regex pattern(R"(^(.*)\s(\S+?):(\d+)(?::\d+)?$)");
  return pattern;
}

// "/path/file.cc:12:5: runtime error: signed integer overflow: ..."
const std::regex& ubsan_pattern() {
  static const std::regex pattern(R"(^(\S+?):(\d+):\d+: runtime error: ([^:]+))");
  return pattern;
}

std::string strip_pid(absl::string_view text) {
  // "data race (pid=123)" -> "data race"
  const std::size_t at = text.rfind(" (pid=");
  return std::string(absl::StripAsciiWhitespace(at == absl::string_view::npos ? text : text.substr(0, at)));
}

// Abseil's Mutex deadlock detector writes through its raw logger, each line
// "[mutex.cc : 1367] RAW: ...":
//   Potential Mutex deadlock:            <- the headline; then the acquiring
//   	@ 0x7ff1... absl::Mutex::Lock()      thread's stack, when stacks are
//   	@ 0x55ea... take()                   recorded (absl_deadlock.h)
//   Acquiring absl::Mutex 0x..88 while holding  0x..80; a cycle in the
//     historical lock ordering graph has been observed
//   Cycle:
//   mutex@0x..88 stack:                  <- each mutex of the cycle, with the
//   	@ ...                                stack that first acquired it
//   dying due to potential deadlock      <- kAbort mode, then abort()
// Its frames carry function names only: no file or line.
constexpr absl::string_view kAbslRaw = "RAW: ";

// The message of a raw log line, or empty.
absl::string_view absl_raw_message(absl::string_view line) {
  const std::size_t at = line.find(kAbslRaw);
  if (at == absl::string_view::npos || !absl::StartsWith(line, "[")) return "";
  return absl::StripAsciiWhitespace(line.substr(at + kAbslRaw.size()));
}

bool parse_absl_headline(absl::string_view line, Report& report) {
  const absl::string_view message = absl_raw_message(line);
  if (!absl::StartsWith(message, "Potential Mutex deadlock")) return false;
  report.tool = std::string(Report::kAbslMutexTool);
  report.kind = "potential deadlock";
  report.headline = std::string(absl::StripSuffix(message, ":"));
  return true;
}

// One more line of an Abseil report: a frame ("@ 0x55ea53c0b368 take()"),
// a mutex of the cycle ("mutex@0x7ffe... stack:"). Returns false at its last
// line ("dying due to potential deadlock").
bool continue_absl_report(absl::string_view line, Report& report) {
  absl::string_view text = absl::StripLeadingAsciiWhitespace(line);
  if (absl::ConsumePrefix(&text, "@ ")) {
    Frame frame;
    const std::size_t space = text.find(' ');
    absl::string_view function = space == absl::string_view::npos ? "" : absl::StripAsciiWhitespace(text.substr(space));
    // "take() (hazardlab+0x4a2f7)": the binary and offset the harness's
    // symbolizer adds (harness/schedule/absl_deadlock.cc).
    const std::size_t open = function.rfind(" (");
    const std::size_t plus = function.rfind("+0x");
    if (absl::EndsWith(function, ")") && open != absl::string_view::npos && plus != absl::string_view::npos &&
        plus > open &&
        absl::SimpleHexAtoi(function.substr(plus + 3, function.size() - plus - 4), &frame.offset)) {
      frame.binary = std::string(function.substr(open + 2, plus - open - 2));
      function = function.substr(0, open);
    }
    frame.function = std::string(function);
    if (!frame.function.empty() || frame.offset != 0) report.frames.push_back(std::move(frame));
    return true;
  }
  absl::string_view message = absl_raw_message(line);
  if (absl::ConsumePrefix(&message, "mutex@")) {
    report.locks.push_back(std::string(message.substr(0, message.find(' '))));
    return true;
  }
  return !absl::StartsWith(message, "dying due to potential deadlock");
}

bool parse_frame(absl::string_view line, Frame& frame) {
  std::cmatch match;
  if (!std::regex_match(line.begin(), line.end(), match, frame_pattern())) return false;
  std::string text = match[1].str();
  // Drop the trailing "(module+0xoffset)" and "(BuildId: ...)" groups.
  while (!text.empty() && text.back() == ')') {
    const std::size_t open = text.rfind(" (");
    if (open == std::string::npos) break;
    text.resize(open);
  }
  std::smatch where;
  if (std::regex_match(text, where, location_pattern()) && absl::SimpleAtoi(where[3].str(), &frame.line)) {
    frame.function = where[1].str();
    frame.file = where[2].str();
  } else {
    frame.function = text;
  }
  return true;
}

// Starts a report if `line` is a report's first line.
bool parse_headline(absl::string_view line, Report& report) {
  if (parse_absl_headline(line, report)) return true;
  static constexpr std::pair<absl::string_view, absl::string_view> kTools[] = {
      {"WARNING: ThreadSanitizer: ", "ThreadSanitizer"},
      {"ERROR: ThreadSanitizer: ", "ThreadSanitizer"},  // a deadly signal: "SEGV on unknown address"
      {"ERROR: AddressSanitizer: ", "AddressSanitizer"},
      {"ERROR: LeakSanitizer: ", "LeakSanitizer"},
  };
  for (const auto& [marker, tool] : kTools) {
    const std::size_t at = line.find(marker);
    if (at == absl::string_view::npos) continue;
    absl::string_view rest = line.substr(at + marker.size());
    report.tool = std::string(tool);
    report.headline = std::string(absl::StripAsciiWhitespace(line));
    if (absl::StartsWith(marker, "ERROR: ") && tool != "LeakSanitizer") {
      // "heap-use-after-free on address ...", "attempting double-free on ...",
      // "SEGV on unknown address ...": the kind is the leading word.
      absl::ConsumePrefix(&rest, "attempting ");
      report.kind = std::string(rest.substr(0, rest.find(' ')));
    } else if (tool == "LeakSanitizer") {
      report.kind = "detected memory leaks";
    } else {
      report.kind = strip_pid(rest);
    }
    return true;
  }
  // The runtime's own assertion ("ThreadSanitizer: CHECK failed:
  // sanitizer_allocator_secondary.h:297 ..."): the tool itself broke, and
  // exits with its report code. Measured in GCC 12's libtsan, at exit while a
  // detached thread still ran (detached_daemon/broken): classified, so the
  // run says what ended it rather than "exit code 66".
  for (absl::string_view tool : {"ThreadSanitizer", "AddressSanitizer"}) {
    const std::string marker = absl::StrCat(tool, ": CHECK failed: ");
    if (!absl::StartsWith(absl::StripLeadingAsciiWhitespace(line), marker)) continue;
    report.tool = std::string(tool);
    report.kind = "CHECK failed";
    report.headline = std::string(absl::StripAsciiWhitespace(line));
    return true;
  }
  std::cmatch match;
  if (std::regex_search(line.begin(), line.end(), match, ubsan_pattern())) {
    report.tool = "UndefinedBehaviorSanitizer";
    report.kind = absl::StrCat("runtime error: ", match[3].str());
    report.headline = std::string(absl::StripAsciiWhitespace(line));
    Frame where;
    where.file = match[1].str();
    if (!absl::SimpleAtoi(match[2].str(), &where.line)) where.line = 0;
    report.frames.push_back(where);
    return true;
  }
  if (absl::StartsWith(line, "terminate called")) {
    report.tool = "C++ runtime";
    report.kind = "terminate";
    report.headline = std::string(absl::StripAsciiWhitespace(line));
    return true;
  }
  return false;
}

// ASan's summary names the kind by its tag even where the headline does not
// ("requested allocation size ... exceeds ..." is "allocation-size-too-big").
void refine_kind_from_summary(absl::string_view line, Report& report) {
  if (report.tool != "AddressSanitizer") return;
  absl::string_view rest = line;
  if (!absl::ConsumePrefix(&rest, "SUMMARY: AddressSanitizer: ")) return;
  const absl::string_view tag = rest.substr(0, rest.find(' '));
  if (!tag.empty()) report.kind = std::string(tag);
}

bool ends_report(absl::string_view line) {
  return absl::StartsWith(line, "SUMMARY: ") || absl::StartsWith(line, "==================");
}

void finish(Report& report, std::vector<Report>& reports) {
  for (const Frame& frame : report.frames) {
    if (frame.in_case_code()) {
      report.location = frame.location();
      break;
    }
  }
  if (report.location.empty()) {
    for (const Frame& frame : report.frames) {
      if (!frame.file.empty()) {
        report.location = frame.location();
        break;
      }
    }
  }
  reports.push_back(std::move(report));
}

}  // namespace

// A learner's exercise (exercises/CASE.cc) is case code too.
bool Frame::in_case_code() const { return absl::StrContains(file, "cases/") || absl::StrContains(file, "exercises/"); }

std::string Frame::short_path() const {
  // Keep the project-relative part: ".../cases/x.cc" -> "cases/x.cc".
  absl::string_view path = file;
  for (absl::string_view folder : {"cases/", "exercises/", "harness/", "tests/"}) {
    const std::size_t at = path.rfind(folder);
    if (at != absl::string_view::npos && (at == 0 || path[at - 1] == '/')) {
      path = path.substr(at);
      break;
    }
  }
  return std::string(path);
}

std::string Frame::location() const {
  if (file.empty()) return "";
  return absl::StrCat(short_path(), ":", line);
}

std::vector<Frame> Report::first_frames_where(const std::function<bool(const Frame&)>& keep,
                                              std::size_t count) const {
  std::vector<Frame> found;
  for (const Frame& frame : frames) {
    if (found.size() == count) break;
    if (!keep(frame)) continue;
    bool seen = false;
    for (const Frame& f : found) seen = seen || (f.file == frame.file && f.line == frame.line);
    if (!seen) found.push_back(frame);
  }
  return found;
}

std::vector<Frame> Report::case_frames(std::size_t count) const {
  return first_frames_where([](const Frame& frame) { return frame.in_case_code(); }, count);
}

bool Report::is_asan_family() const {
  return tool == "AddressSanitizer" || tool == "LeakSanitizer" || tool == "UndefinedBehaviorSanitizer";
}

std::vector<Report> classify_reports(absl::string_view log) {
  std::vector<Report> reports;
  std::optional<Report> current;
  for (absl::string_view line : absl::StrSplit(log, '\n')) {
    Report started;
    // Valgrind's lines (Helgrind, DRD) carry a prefix of their own and a
    // frame format of their own (harness/evidence/valgrind_report.h).
    if (const std::optional<absl::string_view> body = valgrind_body(line)) {
      if (parse_valgrind_headline(*body, started)) {
        if (current) finish(*current, reports);
        current = std::move(started);
        continue;
      }
      if (!current || !current->is_valgrind()) continue;
      Frame frame;
      if (parse_valgrind_frame(*body, frame)) {
        current->frames.push_back(std::move(frame));
      } else if (ends_valgrind_report(*body)) {
        finish(*current, reports);
        current.reset();
      }
      continue;
    }
    if (parse_headline(line, started)) {
      if (current) finish(*current, reports);
      current = std::move(started);
      continue;
    }
    if (!current) continue;
    if (current->is_absl_mutex()) {
      if (!continue_absl_report(line, *current)) {
        finish(*current, reports);
        current.reset();
      }
      continue;
    }
    Frame frame;
    if (parse_frame(line, frame)) {
      current->frames.push_back(std::move(frame));
    } else if (ends_report(line)) {
      refine_kind_from_summary(line, *current);
      finish(*current, reports);
      current.reset();
    }
  }
  if (current) finish(*current, reports);
  return reports;
}

}  // namespace hazardlab
