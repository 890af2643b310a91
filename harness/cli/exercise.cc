#include "harness/cli/exercise.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "harness/cli/explain.h"
#include "harness/cli/build_tree.h"
#include "harness/registry.h"
#include "nlohmann/json.hpp"

namespace hazardlab {
namespace {

namespace fs = std::filesystem;

constexpr char kFunction[] = "attempt";

fs::path state_path(const Case& c) { return build_tree() / "exercises" / absl::StrCat(c.name, ".last-check.json"); }

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The lesson up to its first paragraph about fixes: what goes wrong, and
// the interleaving, never the answer.
std::string lesson_without_fix(const Case& c) {
  std::string kept;
  for (absl::string_view paragraph : absl::StrSplit(c.lesson, "\n\n")) {
    if (absl::StrContains(paragraph, "fix") || absl::StrContains(paragraph, "Fix")) break;
    absl::StrAppend(&kept, kept.empty() ? "" : "\n\n", paragraph);
  }
  return kept;
}

std::string as_comment(absl::string_view text) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    absl::StrAppend(&out, line.empty() ? "//" : absl::StrCat("// ", line), "\n");
  }
  return out;
}

// The case file without its lesson text, its correct variants and its
// registration: what is left is its includes, constants and helpers, and the
// broken variant (renamed), so the starting code compiles as it is.
std::string starting_code(const Case& c, absl::string_view source) {
  std::string code(source);
  const std::size_t lesson = code.find("constexpr char kLesson[]");
  if (lesson != std::string::npos) {
    const std::size_t end = code.find(")\";\n", lesson);
    if (end != std::string::npos) code.erase(lesson, end + 4 - lesson);
  }
  for (const Variant& v : c.variants) {
    if (v.name == "broken" || v.name == kExerciseVariant) continue;
    const std::string function = extract_function(code, v.name);
    if (!function.empty()) code = absl::StrReplaceAll(code, {{function, ""}});
  }
  const std::string broken = extract_function(code, "broken");
  std::string renamed = absl::StrReplaceAll(broken, {{" broken(", absl::StrCat(" ", kFunction, "(")}});
  renamed = absl::StrCat(
      "// TODO: make this correct. It must still return the same kind of outcome;\n"
      "// `hazardlab exercise check ", c.name, "` judges it with every detector. Lock with\n"
      "// the harness's Mutex and ConditionVariable (they work like std::mutex and\n"
      "// std::condition_variable_any, and the controlled schedulers can see them).\n", renamed);
  code = absl::StrReplaceAll(code, {{broken, renamed}});
  const std::size_t registration = code.find("HAZARDLAB_CASE(");
  if (registration != std::string::npos) {
    const std::size_t end = code.find("});\n", registration);
    code.replace(registration, end == std::string::npos ? std::string::npos : end + 4 - registration,
                 absl::StrCat("HAZARDLAB_EXERCISE(", c.name, ", ", kFunction, ");\n"));
  }
  // The case file's first line names the hazard; the exercise has its own.
  if (absl::StartsWith(code, "//")) code.erase(0, code.find('\n') + 1);
  // Three blank lines in a row where the removed parts were.
  while (absl::StrContains(code, "\n\n\n")) code = absl::StrReplaceAll(code, {{"\n\n\n", "\n\n"}});
  return code;
}

struct DetectorResult {
  std::string name;     // "outcome (random)", "outcome (pct)", "tsan", ...
  bool passed = false;
  std::string evidence;
  std::string replay;
};

// Runs a command, returns what it printed on stdout, and its exit status.
std::string capture(const std::string& command, int& status) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) {
    status = -1;
    return out;
  }
  char buffer[4096];
  std::size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  status = pclose(pipe);
  return out;
}

std::string quoted(const std::string& text) { return absl::StrCat("'", absl::StrReplaceAll(text, {{"'", "'\\''"}}), "'"); }

// The builds to judge with: this one, and the other presets' builds that
// have been configured next to it (build/tsan, build/asan).
std::vector<fs::path> builds() {
  std::vector<fs::path> dirs = {build_tree()};
  for (const char* preset : {"dev", "tsan", "asan"}) {
    const fs::path dir = build_tree().parent_path() / preset;
    if (dir != build_tree() && fs::exists(dir / "CMakeCache.txt")) dirs.push_back(dir);
  }
  return dirs;
}

// A hint from the case, graded by how many checks have failed so far: the
// first points at the interleaving, later ones name the tool the case's own
// fixes use.
std::string hint(const Case& c, int failures) {
  if (failures <= 1) {
    return absl::StrCat("hint: the evidence above is the lesson's numbered interleaving happening (hazardlab explain ",
                        c.name, " shows the steps): which steps must no other thread get between?");
  }
  const absl::string_view source = case_source(fs::path(c.source_file).filename().string());
  std::vector<std::string> tools;
  for (const Variant& v : c.variants) {
    if (v.is_broken() || v.name == kExerciseVariant) continue;
    const std::string code = extract_function(source, v.name);
    for (const char* tool : {"Mutex", "ConditionVariable", "std::scoped_lock", "std::lock_guard", "std::unique_lock", "fetch_add",
                             "std::atomic", "wait(lock, [", "std::counting_semaphore", "join()", "std::promise",
                             "memory_order_release", "thread_local"}) {
      if (absl::StrContains(code, tool) && std::find(tools.begin(), tools.end(), tool) == tools.end()) {
        tools.emplace_back(tool);
      }
    }
  }
  if (tools.empty()) return absl::StrCat("hint: the case's fixed variants show what works (hazardlab explain ", c.name, ")");
  std::string names;
  for (const std::string& t : tools) absl::StrAppend(&names, names.empty() ? "" : ", ", "`", t, "`");
  return absl::StrCat("hint: the case's own fixes use ", names, " (hazardlab explain ", c.name, " shows them)");
}

}  // namespace

std::string exercise_path(const Case& c) { return (source_tree() / "exercises" / absl::StrCat(c.name, ".cc")).string(); }

std::string exercise_file_text(const Case& c) {
  const std::string file = fs::path(c.source_file).filename().string();
  std::string code = starting_code(c, case_source(file));
  if (!absl::EndsWith(code, "\n")) code += "\n";
  return absl::StrCat("// Exercise: ", c.name, " (", c.title, ")\n//\n", as_comment(lesson_without_fix(c)), "//\n",
                      "// Below is code with that hazard. Change `", kFunction,
                      "` until `hazardlab exercise check ", c.name, "`\n",
                      "// passes under every detector (the case itself is cases/", file, ").\n",
                      code);
}

bool start_exercise(const Case& c, std::string& message) {
  const fs::path path = exercise_path(c);
  if (fs::exists(path)) {
    message = absl::StrCat(path.string(), " exists: it is yours; not overwritten (delete it to start again)");
    return false;
  }
  fs::create_directories(path.parent_path());
  std::ofstream(path) << exercise_file_text(c);
  std::error_code ignored;
  fs::remove(state_path(c), ignored);
  message = absl::StrCat("wrote ", path.string(), ": edit `", kFunction, "`, then run hazardlab exercise check ", c.name);
  return true;
}

std::string exercise_list() {
  std::string out;
  int position = 0;
  for (const Case& c : all_cases()) {
    if (c.variants.empty()) continue;
    std::string state = "not started";
    const fs::path path = exercise_path(c);
    if (fs::exists(path)) {
      state = "started, not checked since the last edit";
      if (fs::exists(state_path(c)) && fs::last_write_time(state_path(c)) >= fs::last_write_time(path)) {
        const nlohmann::json last = nlohmann::json::parse(read_file(state_path(c)), nullptr, false);
        if (!last.is_discarded()) state = last.value("passed", false) ? "passing" : "failing";
      }
    }
    out += absl::StrFormat("%2d. %-26s %s\n", ++position, c.name, state);
  }
  return out;
}

int check_exercise(const std::string& program, const Case& c) {
  (void)program;
  std::vector<DetectorResult> results;
  for (const fs::path& build : builds()) {
    // The build compiles exercises/*.cc (its glob is re-checked at build time).
    int status = 0;
    const std::string log = capture(absl::StrCat("cmake --build ", quoted(build.string()), " --target hazardlab 2>&1"), status);
    const std::string preset = build.filename().string();
    if (status != 0) {
      results.push_back({preset, false, absl::StrCat("the build failed:\n", log), ""});
      continue;
    }
    const std::string binary = (build / "hazardlab").string();
    std::vector<std::string> schedulers = {""};
    // The outcome build also explores schedules with pct, as every case test does.
    if (build == build_tree() || preset == "dev") schedulers.push_back("pct");
    for (const std::string& scheduler : schedulers) {
      const std::string command = absl::StrCat(quoted(binary), " run ", c.name, " --variant=", kExerciseVariant,
                                               scheduler.empty() ? "" : " --scheduler=" + scheduler,
                                               " --format=json 2>/dev/null");
      const std::string out = capture(command, status);
      const nlohmann::json runs = nlohmann::json::parse(out, nullptr, false);
      if (runs.is_discarded() || !runs.is_array() || runs.empty()) {
        results.push_back({absl::StrCat(preset, scheduler.empty() ? "" : " " + scheduler), false,
                           absl::StrCat("no result from ", command, " (the exercise is not in this build?)"), ""});
        continue;
      }
      const nlohmann::json& run = runs.front();
      DetectorResult r;
      r.name = absl::StrCat(run.value("detector", ""), " (", run.value("scheduler", ""), ")");
      r.passed = run.value("verdict", "") == "clean";
      if (run.contains("evidence") && run["evidence"].is_object()) {
        r.evidence = run["evidence"].value("text", "");
        if (run["evidence"].contains("report")) {
          const nlohmann::json& report = run["evidence"]["report"];
          r.evidence = absl::StrCat(report.value("tool", ""), ": ", report.value("kind", ""), " at ",
                                    report.value("location", ""));
        }
      } else {
        r.evidence = absl::StrCat("verdict ", run.value("verdict", ""), " in ", run.value("trials", 0), " trials");
      }
      r.replay = run.value("replay", "");
      results.push_back(std::move(r));
    }
  }

  bool passed = true;
  std::string out = absl::StrCat("exercise ", c.name, " (", exercise_path(c), ")\n");
  for (const DetectorResult& r : results) {
    passed = passed && r.passed;
    absl::StrAppend(&out, absl::StrFormat("  %-4s %-18s %s\n", r.passed ? "pass" : "FAIL", r.name, r.evidence));
    if (!r.passed && !r.replay.empty()) absl::StrAppend(&out, "                          replay: ", r.replay, "\n");
  }

  // The last check, for `exercise list` and the hint's grade.
  int failures = 0;
  if (fs::exists(state_path(c))) {
    const nlohmann::json last = nlohmann::json::parse(read_file(state_path(c)), nullptr, false);
    if (!last.is_discarded()) failures = last.value("failures", 0);
  }
  if (!passed) ++failures;
  fs::create_directories(state_path(c).parent_path());
  std::ofstream(state_path(c)) << nlohmann::json{{"passed", passed}, {"failures", failures}}.dump() << "\n";

  if (passed) {
    absl::StrAppend(&out, "passing: clean under every detector of ", results.size(), " run", results.size() == 1 ? "" : "s",
                    "\n");
  } else {
    absl::StrAppend(&out, "failing\n", hint(c, failures), "\n");
  }
  std::fputs(out.c_str(), stdout);
  return passed ? 0 : 1;
}

}  // namespace hazardlab
