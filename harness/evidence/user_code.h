#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/evidence/report.h"

namespace hazardlab {

// Which frames of a sanitizer report are in the user's own code, for
// `classify` on a log from any program. A report's stacks run through the
// sanitizer runtime, the C library and the standard library's headers before
// they reach the line that matters; the first frames outside those are what
// an engineer reads first.
class UserCode {
 public:
  // `root`: the folder of the user's sources (`--source-root`), absolute or
  // relative ("src": any path with a folder src/); empty: guess
  // (every frame with a source file outside system and toolchain folders
  // and the sanitizer runtime).
  explicit UserCode(std::string root = {});

  bool owns(const Frame& frame) const;

  // The path to show for a frame: relative to the root when one is given,
  // else Frame::short_path.
  std::string path(const Frame& frame) const;
  std::string location(const Frame& frame) const;  // path:line

  // Up to `count` frames in the user's code, first first, without repeats.
  // Under the guess, a report with frames in this repository's cases/ gives
  // those (a case is the user's code there).
  std::vector<Frame> first_frames(const Report& report, std::size_t count = 3) const;

  // Where the report points: its first user frame, else the report's own
  // location.
  std::string report_location(const Report& report) const;

  bool has_root() const { return !root_.empty(); }

 private:
  std::optional<std::size_t> root_end(absl::string_view file) const;

  std::string root_;  // as given, normalized, ending in '/'; or empty
};

}  // namespace hazardlab
