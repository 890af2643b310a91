#pragma once

#include <string>
#include "absl/strings/string_view.h"

#include "harness/case.h"
#include "nlohmann/json.hpp"

namespace hazardlab {

// The lesson, the outcome table, each variant's code and what every detector
// is declared to see: what `hazardlab explain CASE` prints.
std::string explain(const Case& c, const std::string& program);

// The text of the top-level function `name` in a case's source, with the
// comment lines just above it ("" when not found).
std::string extract_function(absl::string_view source, absl::string_view name);

// What the mutation test does to a fixed variant, in words: the line its
// mutant removes and the detectors that catch it, or why none do.
std::string describe_mutant(const Variant& v);

// The same lesson as data, for `hazardlab explain CASE --format=json`.
nlohmann::json explain_json(const Case& c, const std::string& program);

// The definition of function `name` in `source` (with the comment lines just
// above it), or "" if it is not found. Case files define variants at column
// 0 and close them with a lone "}".
std::string extract_function(absl::string_view source, absl::string_view name);

// The 1-based line where function `name` opens in `source`, 0 if not found.
int function_line(absl::string_view source, absl::string_view name);

// The case's file name ("lost_update.cc"), the key of its embedded source.
absl::string_view source_file_name(const Case& c);

}  // namespace hazardlab
