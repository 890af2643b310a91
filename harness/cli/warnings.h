#pragma once

// The thread-safety detector's verdict: the warnings clang's -Wthread-safety
// analysis printed for a case file, each placed in the function of the file
// that contains its line, judged against what a variant declares.

#include <string>
#include <vector>

#include "harness/case.h"
#include "harness/evidence/compiler_warning.h"
#include "nlohmann/json.hpp"

namespace hazardlab {

// A warning and where it points: the top-level function or type of the case
// file whose lines hold it (a variant, a helper, a class: a lambda or local
// type counts as its enclosing function's), or "" when it is outside every
// one (another file, such as a harness header, or between definitions).
struct PlacedWarning {
  CompilerWarning warning;
  std::string function;
};

struct WarningVerdict {
  std::string verdict;     // detected, missed, clean, fix fails, false alarm
  bool expected = false;   // as the variant declares
  std::vector<PlacedWarning> found;       // the warnings of the variant's code
  std::vector<std::string> not_found;     // declared warnings the compiler did not print
  std::vector<PlacedWarning> unexpected;  // printed, not declared
};

// Every warning of the log placed in case `c`'s file.
std::vector<PlacedWarning> place_warnings(const Case& c, const std::vector<CompilerWarning>& warnings);

// The verdict for variant `v`: the warnings in its function, in the helpers
// and types it uses, and outside every definition (a warning in a harness
// header is every variant's) against its thread-safety declaration. A
// declared warning matches when its message contains the declared text and
// it is in one of the declared functions (the variant's own by default);
// every declared warning must be found and every warning declared.
WarningVerdict judge_warnings(const Case& c, const Variant& v, const std::vector<PlacedWarning>& placed);

std::string render_warning_verdict(const Case& c, const Variant& v, const WarningVerdict& verdict,
                                   const std::string& log_file);

// The verdict as one run object of `run --format=json` has it (case,
// variant, detector, verdict, expected, declared, evidence, unexpected,
// trials: one compile), so the detector matrix reads this detector's column
// like every other (ci/matrix/warnings_column.sh).
nlohmann::json warning_verdict_json(const Case& c, const Variant& v, const WarningVerdict& verdict,
                                    const std::string& log_file);

}  // namespace hazardlab
