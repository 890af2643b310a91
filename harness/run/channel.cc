#include "harness/run/channel.h"

#include <sys/wait.h>

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace hazardlab::channel {
namespace {

constexpr absl::string_view kBegin = "begin ";
constexpr absl::string_view kEnd = "end ";
constexpr absl::string_view kOutcome = "outcome";
constexpr absl::string_view kStatusExit = "status exit ";
constexpr absl::string_view kStatusSignal = "status signal ";

std::optional<Outcome> parse_outcome(absl::string_view line) {
  std::vector<absl::string_view> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
  std::vector<std::int64_t> values;
  for (std::size_t i = 1; i < words.size(); ++i) {
    std::int64_t value = 0;
    if (!absl::SimpleAtoi(words[i], &value)) return std::nullopt;
    values.push_back(value);
  }
  return Outcome(std::move(values));
}

std::optional<StepRecord> parse_step(const std::vector<absl::string_view>& fields) {
  StepRecord step;
  if (fields.size() < 5 || !absl::SimpleAtoi(fields[1], &step.step) || !absl::SimpleAtoi(fields[2], &step.thread)) {
    return std::nullopt;
  }
  step.op = std::string(fields[3]);
  for (absl::string_view hex : absl::StrSplit(fields[4], ',', absl::SkipEmpty())) {
    std::uint64_t offset = 0;
    if (!absl::SimpleHexAtoi(hex, &offset)) return std::nullopt;
    step.stack.push_back(offset);
  }
  return step;
}

}  // namespace

std::string begin_line(std::uint64_t seed) { return absl::StrCat(kBegin, seed, "\n"); }

std::string outcome_line(const Outcome& outcome) {
  std::string line(kOutcome);
  for (std::int64_t value : outcome.values()) absl::StrAppend(&line, " ", value);
  return absl::StrCat(line, "\n");
}

std::string run_line(int threads, std::int64_t steps) { return absl::StrCat("run|", threads, "|", steps, "\n"); }

std::string step_line(absl::string_view tag, const StepRecord& step) {
  std::vector<std::string> offsets;
  for (std::uintptr_t offset : step.stack) offsets.push_back(absl::StrCat(absl::Hex(offset)));
  return absl::StrCat(tag, "|", step.step, "|", step.thread, "|", step.op, "|", absl::StrJoin(offsets, ","), "\n");
}

std::string stall_line(const StepRecord& last, absl::string_view why) {
  std::string line = step_line("stall", last);
  line.pop_back();
  return absl::StrCat(line, "|", why, "\n");
}

std::string end_line(std::int64_t microseconds) { return absl::StrCat(kEnd, microseconds, "\n"); }

std::string status_line(int wait_status) {
  if (WIFSIGNALED(wait_status)) return absl::StrCat(kStatusSignal, WTERMSIG(wait_status), "\n");
  return absl::StrCat(kStatusExit, WEXITSTATUS(wait_status), "\n");
}

std::string output_marker(std::uint64_t seed) {
  // ASCII record separators: no case or sanitizer prints them.
  return absl::StrCat("\x1ehazardlab trial ", seed, "\x1e\n");
}

Line classify_line(absl::string_view line) {
  Line result;
  if (absl::ConsumePrefix(&line, kBegin)) {
    if (absl::SimpleAtoi(line, &result.seed)) result.kind = Line::Kind::kBegin;
  } else if (absl::ConsumePrefix(&line, kEnd)) {
    if (absl::SimpleAtoi(line, &result.microseconds)) result.kind = Line::Kind::kEnd;
  } else if (absl::ConsumePrefix(&line, kStatusExit)) {
    int code = 0;
    if (absl::SimpleAtoi(line, &code)) {
      result.kind = Line::Kind::kStatus;
      result.exit_code = code;
    }
  } else if (absl::ConsumePrefix(&line, kStatusSignal)) {
    int signal = 0;
    if (absl::SimpleAtoi(line, &signal)) {
      result.kind = Line::Kind::kStatus;
      result.signal = signal;
    }
  } else if (!line.empty()) {
    result.kind = Line::Kind::kData;
  }
  return result;
}

void apply_line(absl::string_view line, TrialResult& trial) {
  if (absl::StartsWith(line, kOutcome)) {
    trial.outcome = parse_outcome(line);
    return;
  }
  if (!trial.controlled) return;
  ControlledRun& run = *trial.controlled;
  const std::vector<absl::string_view> fields = absl::StrSplit(line, '|');
  if (fields[0] == "run" && fields.size() == 3) {
    (void)absl::SimpleAtoi(fields[1], &run.threads);
    (void)absl::SimpleAtoi(fields[2], &run.steps);
  } else if (std::optional<StepRecord> step = parse_step(fields)) {
    if (fields[0] == "step") run.trace.push_back(std::move(*step));
    if (fields[0] == "deadlock") run.deadlock.push_back(std::move(*step));
    if (fields[0] == "stall" && fields.size() >= 6) {
      run.stalled = std::move(*step);
      run.stall = std::string(fields[5]);
    }
  }
}

}  // namespace hazardlab::channel
