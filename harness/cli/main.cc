#include <exception>
#include <iostream>

#include "harness/cli/cli.h"
#include "harness/run/child_process.h"
#include "harness/run/trial.h"

int main(int argc, char** argv) {
  // A child started by the harness to run trials never reaches the CLI.
  if (const auto exit_code = hazardlab::run_trial_child_if_requested(argc, argv)) return *exit_code;
  try {
    return hazardlab::cli_main(argc, argv);
  } catch (const hazardlab::ChildProcessError& error) {
    // The harness itself cannot run trials here (a system call it needs
    // failed): one line, and an exit code of its own.
    std::cerr << "hazardlab: cannot run trials: " << error.what() << "\n";
    return 3;
  }
}
