#pragma once

#include <map>
#include <string>
#include <vector>

#include "harness/schedule/controller.h"

namespace hazardlab {

// Turns call stacks recorded in a controlled run (offsets into this
// executable) into case source lines, with llvm-symbolizer. Offsets are
// looked up once per process and remembered.
class Symbolizer {
 public:
  // Looks up, in one llvm-symbolizer run, every offset not known yet.
  void prepare(const std::vector<const CallStack*>& stacks);

  // Where `stack` is in case code: the first frame (inlined frames
  // included) in a file under cases/, else the first outside harness/ and
  // system headers, else the first with a file, else "?".
  std::string case_location(const CallStack& stack);

 private:
  // Each offset's frames, innermost first, as "cases/x.cc:12".
  std::map<std::uintptr_t, std::vector<std::string>> frames_;
};

// The process's symbolizer.
Symbolizer& symbolizer();

struct Report;

// Gives the frames of `reports` that name an offset into this executable and
// no source line (Abseil's deadlock reports: a trial child is this same
// executable) their file and line, and the frames inlined at them, with
// llvm-symbolizer; then points each such report at its first frame in case
// code. Frames of other binaries stay as they are.
void locate_offset_frames(std::vector<Report>& reports);

}  // namespace hazardlab
