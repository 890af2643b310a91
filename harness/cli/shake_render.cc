#include "harness/cli/shake_render.h"

#include <cstring>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "harness/cli/render.h"
#include "harness/evidence/user_code.h"

namespace hazardlab {
namespace {

// An argument as a POSIX shell reads it back: bare when it is plain, else in
// single quotes.
std::string shell_word(const std::string& word) {
  const bool plain = !word.empty() && word.find_first_not_of(
                                          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./=:,+-@%") ==
                                          std::string::npos;
  if (plain) return word;
  return absl::StrCat("'", absl::StrReplaceAll(word, {{"'", "'\\''"}}), "'");
}

// How a run ended, in a few words: "hang (killed at 2000 ms)", "signal 11
// (Segmentation fault)", "exit 1", "exit 0".
std::string ending(const ShakenRun& run, std::chrono::milliseconds timeout) {
  if (run.result.hung) return absl::StrCat("hang (killed at ", timeout.count(), " ms)");
  if (run.result.signal) return absl::StrCat("signal ", *run.result.signal, " (", strsignal(*run.result.signal), ")");
  return absl::StrCat("exit ", run.result.exit_code.value_or(-1));
}

// The program's last line of output: what a program that checks its own
// result says when it fails.
std::string last_line(const std::string& output) {
  std::vector<absl::string_view> lines = absl::StrSplit(output, '\n', absl::SkipWhitespace());
  return lines.empty() ? "" : std::string(absl::StripAsciiWhitespace(lines.back()));
}

// One word per kind of failure, for the summary: "hang", "exit 1",
// "ThreadSanitizer: data race".
std::vector<std::string> failure_kinds(const ShakenRun& run) {
  std::vector<std::string> kinds;
  if (run.result.hung) {
    kinds.push_back("hang");
  } else if (run.result.signal) {
    kinds.push_back(absl::StrCat("signal ", *run.result.signal));
  } else if (run.result.exit_code.value_or(0) != 0) {
    kinds.push_back(absl::StrCat("exit ", *run.result.exit_code));
  }
  for (const Report& r : run.reports) kinds.push_back(absl::StrCat(r.tool, ": ", r.kind));
  return kinds;
}

}  // namespace

int ShakeSession::failing_runs() const {
  int failing = 0;
  for (const ShakenRun& run : runs) failing += run.failed();
  return failing;
}

std::string ShakeSession::replay_command(const ShakenRun& run) const {
  std::vector<std::string> words = {shell_word(program), "shake", absl::StrCat("--seed=", run.seed), "--runs=1",
                                    absl::StrCat("--timeout=", timeout.count()), "--"};
  for (const std::string& arg : target) words.push_back(shell_word(arg));
  return absl::StrJoin(words, " ");
}

std::string render_shake_text(const ShakeSession& session) {
  const int count = static_cast<int>(session.runs.size());
  std::string out = absl::StrFormat("shake: %d runs of %s (seeds %d to %d, timeout %d ms)\n", count,
                                    absl::StrJoin(session.target, " "), session.seed,
                                    session.seed + static_cast<std::uint64_t>(count) - 1, session.timeout.count());
  const UserCode code;
  std::map<std::string, int> kinds;
  for (std::size_t i = 0; i < session.runs.size(); ++i) {
    const ShakenRun& run = session.runs[i];
    if (!run.failed()) continue;
    for (const std::string& kind : failure_kinds(run)) ++kinds[kind];
    absl::StrAppend(&out, absl::StrFormat("  run %d  seed %d  %s", i + 1, run.seed, ending(run, session.timeout)));
    if (run.reports.empty()) {
      const std::string said = last_line(run.result.output);
      if (!said.empty()) absl::StrAppend(&out, ": ", said);
      absl::StrAppend(&out, "\n");
    } else {
      absl::StrAppend(&out, "\n");
      for (const Report& r : run.reports) absl::StrAppend(&out, "    ", render_report_text(r, code), "\n");
    }
  }
  std::vector<std::string> tally;
  for (const auto& [kind, n] : kinds) tally.push_back(absl::StrCat(kind, " x", n));
  const int failing = session.failing_runs();
  absl::StrAppend(&out, absl::StrFormat("summary: %d of %d runs failed", failing, count));
  if (!tally.empty()) absl::StrAppend(&out, " (", absl::StrJoin(tally, ", "), ")");
  absl::StrAppend(&out, "\n");
  if (failing > 0) {
    absl::StrAppend(&out, "replay (the same injection sequence):\n");
    for (const ShakenRun& run : session.runs) {
      if (run.failed()) absl::StrAppend(&out, "  ", session.replay_command(run), "\n");
    }
  }
  return out;
}

nlohmann::json render_shake_json(const ShakeSession& session) {
  const UserCode code;
  nlohmann::json runs = nlohmann::json::array();
  nlohmann::json replays = nlohmann::json::array();
  for (std::size_t i = 0; i < session.runs.size(); ++i) {
    const ShakenRun& run = session.runs[i];
    nlohmann::json reports = nlohmann::json::array();
    for (const Report& r : run.reports) reports.push_back(report_json(r, code));
    nlohmann::json entry = {
        {"run", i + 1},
        {"seed", run.seed},
        {"exit_code", run.result.exit_code ? nlohmann::json(*run.result.exit_code) : nlohmann::json(nullptr)},
        {"signal", run.result.signal ? nlohmann::json(*run.result.signal) : nlohmann::json(nullptr)},
        {"hang", run.result.hung},
        {"failed", run.failed()},
        {"reports", reports},
        {"wall_ms", run.result.wall.count() / 1000.0},
    };
    if (run.failed()) {
      entry["replay"] = session.replay_command(run);
      replays.push_back(entry["replay"]);
    }
    runs.push_back(entry);
  }
  return {{"program", session.target},
          {"seed", session.seed},
          {"timeout_ms", session.timeout.count()},
          {"run_count", session.runs.size()},
          {"failing_runs", session.failing_runs()},
          {"runs", runs},
          {"replays", replays}};
}

}  // namespace hazardlab
