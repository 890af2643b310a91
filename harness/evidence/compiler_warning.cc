#include "harness/evidence/compiler_warning.h"

#include <regex>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace hazardlab {

std::vector<CompilerWarning> thread_safety_warnings(absl::string_view log) {
  // clang's diagnostic line: FILE:LINE:COLUMN: warning: MESSAGE [-WGROUP]
  static const std::regex kWarning(R"(^(.+):([0-9]+):([0-9]+): warning: (.*) \[(-W[^\],]+)[^\]]*\]$)");
  std::vector<CompilerWarning> found;
  for (absl::string_view line : absl::StrSplit(log, '\n')) {
    const std::string text(line);
    std::smatch m;
    if (!std::regex_match(text, m, kWarning)) continue;
    if (!absl::StartsWith(m[5].str(), "-Wthread-safety")) continue;
    found.push_back({m[1].str(), std::stoi(m[2].str()), std::stoi(m[3].str()), m[4].str(), m[5].str()});
  }
  return found;
}

}  // namespace hazardlab
