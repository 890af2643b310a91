#pragma once

#include <string>

#include "harness/case.h"

namespace hazardlab {

// `hazardlab exercise`: the learner's track. An exercise is exercises/CASE.cc
// in the source tree, written by `start` from the case's lesson and broken
// variant; the build compiles it in as the case's variant "exercise", and
// `check` judges it with every detector the builds have, like a fixed variant.

// The curriculum in teaching order, each exercise's state: not started,
// started (not checked since its last edit), failing, passing.
std::string exercise_list();

// The file `start` writes for `c`: the lesson's first part as a comment, the
// broken variant as the starting code under a neutral name, and a TODO.
std::string exercise_file_text(const Case& c);

// Where the exercise of `c` lives, and where its last check is kept.
std::string exercise_path(const Case& c);

// Writes the exercise; false (and nothing written) when the file exists.
bool start_exercise(const Case& c, std::string& message);

// Rebuilds, runs the exercise under every detector, prints pass or fail per
// detector with evidence and a graded hint. Returns 0 when every detector
// passes, 1 otherwise.
int check_exercise(const std::string& program, const Case& c);

}  // namespace hazardlab
