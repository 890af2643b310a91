// GoogleTest main that first lets the harness claim the process: the runner
// isolation tests start children that are re-executions of this binary.
#include <gtest/gtest.h>

#include "harness/run/trial.h"

int main(int argc, char** argv) {
  if (const auto exit_code = hazardlab::run_trial_child_if_requested(argc, argv)) return *exit_code;
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
