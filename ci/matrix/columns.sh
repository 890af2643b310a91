#!/usr/bin/env bash
# Prints the report's column arguments (NAME=SECONDS=RUNS.json) for every
# column run_column.sh left in RUNS, in the matrix's order.
# usage: columns.sh RUNS
runs=$1
# thread-safety: the compiler's warnings (warnings_column.sh); absl: Abseil's
# Mutex deadlock detector (the absl build); helgrind, drd: Valgrind's tools.
for name in outcome pct tsan tsan19 tsan-gcc asan thread-safety absl helgrind drd; do
  if [[ -f $runs/$name.json && -f $runs/$name.seconds ]]; then
    echo "$name=$(cat "$runs/$name.seconds")=$runs/$name.json"
  fi
done
