#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace hazardlab {

struct Frame {
  std::string function;
  std::string file;  // empty when the frame has no source location
  int line = 0;
  // Where the frame's pc is in its binary, when the report says so and gives
  // no source line (Abseil's: "take() (hazardlab+0x4a2f7)"); 0 otherwise.
  std::string binary;
  std::uintptr_t offset = 0;

  bool in_case_code() const;  // the frame is in a file under a `cases/` folder
  std::string location() const;  // "cases/lost_update.cc:31", shortened to the project-relative part
  std::string short_path() const;  // the file, shortened the same way
};

// One report a sanitizer (or the C++ runtime) printed, classified.
struct Report {
  std::string tool;      // "ThreadSanitizer", "AddressSanitizer", "LeakSanitizer",
                         // "UndefinedBehaviorSanitizer", "Abseil Mutex", "C++ runtime", "Helgrind", "DRD"
  std::string kind;      // "data race", "heap-use-after-free", "terminate", ...
  std::string headline;  // the line the report starts with
  std::vector<Frame> frames;  // every frame of the report's stacks, in order
  // A lock-order report's cycle, as the tool names its mutexes
  // ("0x7ffd6ca9bbe8"): Abseil's lists the mutex being acquired first, then
  // the path back to it. Empty for other reports.
  std::vector<std::string> locks;
  // Where the report points: the first frame in case code, else the first
  // frame with a source file, else empty.
  std::string location;

  // Up to `count` frames in case code, first first, without repeats.
  std::vector<Frame> case_frames(std::size_t count = 3) const;
  // Up to `count` frames that `keep` accepts, first first, without repeats
  // (a line seen twice, as inlined frames often are, counts once).
  std::vector<Frame> first_frames_where(const std::function<bool(const Frame&)>& keep, std::size_t count) const;
  bool is_tsan() const { return tool == "ThreadSanitizer"; }
  // ASan, LeakSanitizer and UBSan: the reports of the asan build.
  bool is_asan_family() const;
  // Abseil's Mutex deadlock detector: the reports of the absl build.
  bool is_absl_mutex() const { return tool == kAbslMutexTool; }
  static constexpr absl::string_view kAbslMutexTool = "Abseil Mutex";
  // Valgrind's thread-error detectors: the helgrind and drd builds' reports.
  bool is_valgrind() const { return tool == "Helgrind" || tool == "DRD"; }
};

// Finds and classifies every report in a captured log.
std::vector<Report> classify_reports(absl::string_view log);

}  // namespace hazardlab
