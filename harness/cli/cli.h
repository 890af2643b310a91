#pragma once

namespace hazardlab {

// The `hazardlab` command: list, run, explain, classify. Returns the exit
// code: 0 when every verdict is as declared, 1 when one is not, 2 on bad input.
int cli_main(int argc, char** argv);

}  // namespace hazardlab
