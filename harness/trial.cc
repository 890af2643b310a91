#include "harness/trial.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>

#include "absl/strings/string_view.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "harness/child_process.h"
#include "harness/registry.h"

namespace hazardlab {
namespace {

// argv[1] of a child: `<exe> --hazardlab-trial CASE VARIANT SCHEDULER SEED`.
constexpr absl::string_view kTrialArgument = "--hazardlab-trial";

// The result channel carries one line: "outcome v1 v2 ...".
constexpr absl::string_view kOutcomePrefix = "outcome";

std::optional<Outcome> parse_outcome(absl::string_view channel) {
  for (absl::string_view line : absl::StrSplit(channel, '\n')) {
    std::vector<absl::string_view> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (words.empty() || words.front() != kOutcomePrefix) continue;
    std::vector<std::int64_t> values;
    for (std::size_t i = 1; i < words.size(); ++i) {
      std::int64_t value = 0;
      if (!absl::SimpleAtoi(words[i], &value)) return std::nullopt;
      values.push_back(value);
    }
    return Outcome(std::move(values));
  }
  return std::nullopt;
}

void write_all(int fd, absl::string_view text) {
  while (!text.empty()) {
    const ssize_t n = write(fd, text.data(), text.size());
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

TrialResult run_trial(const Case& c, const Variant& variant, SchedulerKind scheduler, std::uint64_t seed) {
  const ChildResult child = run_child({self_executable(), std::string(kTrialArgument), c.name, variant.name,
                                      std::string(scheduler_name(scheduler)), absl::StrCat(seed)},
                                     c.deadline);
  TrialResult result;
  result.seed = seed;
  result.hung = child.hung;
  result.exit_code = child.exit_code;
  result.signal = child.signal;
  result.output = child.output;
  result.wall = child.wall;
  if (!child.hung) result.outcome = parse_outcome(child.channel);
  result.reports = classify_reports(child.output);
  return result;
}

std::optional<int> run_trial_child_if_requested(int argc, char** argv) {
  if (argc < 2 || argv[1] != kTrialArgument) return std::nullopt;
  // A trial never outlives the harness that started it, even a hung one
  // whose parent was killed.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  std::uint64_t seed = 0;
  const Case* c = argc == 6 ? find_case(argv[2]) : nullptr;
  const Variant* variant = c ? c->find_variant(argv[3]) : nullptr;
  const std::optional<SchedulerKind> scheduler = argc == 6 ? parse_scheduler(argv[4]) : std::nullopt;
  if (!variant || !scheduler || !absl::SimpleAtoi(argv[5], &seed)) {
    write_all(STDERR_FILENO, "hazardlab: malformed trial request\n");
    return 2;
  }
  Threads threads(*scheduler, seed);
  const Outcome outcome = variant->body(threads);
  std::string line(kOutcomePrefix);
  for (std::int64_t value : outcome.values()) absl::StrAppend(&line, " ", value);
  line += "\n";
  write_all(kResultChannelFd, line);
  close(kResultChannelFd);
  // Returning (not _exit) lets the sanitizers finish: TSan's thread-leak check
  // and LeakSanitizer run at exit.
  return 0;
}

}  // namespace hazardlab
