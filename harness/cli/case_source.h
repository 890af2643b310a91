#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace hazardlab {

// A case file's top-level definitions, read as text: what `explain` shows
// besides the variants. Case files define functions and types at column 0
// and close them with a lone "}" or "};" (docs/writing-a-case.md).
struct Definition {
  std::string name;       // the function's or the type's name
  std::size_t line = 0;   // where its signature is (0-based)
  std::size_t last_line = 0;  // its closing "}" or "};" (0-based)
  std::string text;       // the definition, with the comment lines just above it
};

// Every top-level function and type defined in `source` (raw string
// literals, such as the lesson, are skipped), in file order.
std::vector<Definition> top_level_definitions(absl::string_view source);

// The definitions that function `name` uses, directly or through another
// one, in file order: each name it mentions that the file defines at top
// level, save `exclude` (the variants, shown on their own). Of several
// definitions with one name (overloads), the one nearest above the user is
// taken, as a reader of the file would.
std::vector<const Definition*> definitions_used_by(const std::vector<Definition>& definitions, absl::string_view name,
                                                   const std::vector<std::string>& exclude);

}  // namespace hazardlab
