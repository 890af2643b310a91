#pragma once

// Compiler warnings as evidence: the thread-safety detector's findings are
// the warnings clang's -Wthread-safety analysis prints when it compiles a
// case file (the thread-safety build writes one log per case file).

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace hazardlab {

struct CompilerWarning {
  std::string file;     // as the compiler printed it: "cases/lost_update.cc", "./harness/schedule/sync.h"
  int line = 0;         // 1-based
  int column = 0;
  std::string message;  // "reading variable 'value' requires holding mutex 'counter.mutex'"
  std::string flag;     // the warning's group: "-Wthread-safety-analysis"
};

// Every warning of clang's thread-safety groups (-Wthread-safety-analysis,
// -attributes, -precise, -reference, -beta, ...) in a compiler log, in
// order; notes, errors and other warnings are not findings of this detector.
std::vector<CompilerWarning> thread_safety_warnings(absl::string_view log);

}  // namespace hazardlab
