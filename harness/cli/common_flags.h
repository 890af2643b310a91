#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

#include "absl/strings/string_view.h"

namespace hazardlab {

// Bad input on the command line: said in one line on stderr, exit code 2.
struct BadInput {
  std::string message;
};

// --seed, parsed (default: a fresh random seed). Throws BadInput.
std::uint64_t chosen_seed();

// --format, checked: text, json, or one of `extra`. Throws BadInput.
std::string chosen_format(std::initializer_list<absl::string_view> extra = {});

}  // namespace hazardlab
