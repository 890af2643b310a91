#pragma once

#include "absl/strings/string_view.h"
#include <vector>

#include "harness/case.h"

namespace hazardlab {

// Every registered case, in curriculum order.
const std::vector<Case>& all_cases();

// nullptr if no case has that name.
const Case* find_case(absl::string_view name);

// The source text of a case file, embedded at build time ("" if unknown).
absl::string_view case_source(absl::string_view file_name);

}  // namespace hazardlab
