#pragma once

#include <string>
#include <vector>

#include "harness/case.h"

namespace hazardlab {

// The case tests of a build whose detector is `d`, one line each, as
// `list --format=ctest` prints them for cmake/case_tests.cmake:
// "name|label,label,...|arguments".
std::vector<std::string> case_test_lines(Detector d);

// The `hazardlab` command: list, run, explain, classify. Returns the exit
// code: 0 when every verdict is as declared, 1 when one is not, 2 on bad input.
int cli_main(int argc, char** argv);

}  // namespace hazardlab
