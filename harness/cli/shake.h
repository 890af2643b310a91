#pragma once

#include <string>
#include <vector>

namespace hazardlab {

// `hazardlab shake [FLAGS] -- PROGRAM [ARGS]`: runs PROGRAM --runs times under
// the shake library, each run with its own seed, and reports every failing
// run with the command that repeats its injection. `seed_given`: whether
// --seed was on the command line (else a fresh one is drawn). Returns the exit
// code: 0 no run failed, 1 some did. Throws BadInput.
int command_shake(const std::string& program, bool seed_given, const std::vector<std::string>& target);

}  // namespace hazardlab
