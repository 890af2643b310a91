#include "harness/cli/cli.h"
#include "harness/run/trial.h"

int main(int argc, char** argv) {
  // A child started by the harness to run one trial never reaches the CLI.
  if (const auto exit_code = hazardlab::run_trial_child_if_requested(argc, argv)) return *exit_code;
  return hazardlab::cli_main(argc, argv);
}
