#!/usr/bin/env bash
# The thread-safety column of the detector matrix. This detector runs nothing:
# `hazardlab warnings --all` judges every case and variant from the warnings
# clang's -Wthread-safety analysis printed when the thread-safety build
# compiled each case file (build/thread-safety/thread-safety/CASE.log), and
# prints them as run objects, so the column is the compiler's data, not the
# declarations. Leaves RUNS/NAME.json and RUNS/NAME.seconds (the time of
# judging the logs; the compile itself is the build's) like run_column.sh.
# Exit status: hazardlab's (1 when some verdict is not as declared).
# usage: warnings_column.sh RUNS NAME BINARY
set -uo pipefail
runs=$1 name=$2 binary=$3
mkdir -p "$runs"
start=$(date +%s.%N)
"$binary" warnings --all --format=json >"$runs/$name.json"
status=$?
end=$(date +%s.%N)
python3 -c "print(round($end - $start, 1))" >"$runs/$name.seconds"
python3 - "$runs/$name.json" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))
for r in runs:
    print(f"{r['case']:<24} {r['variant']:<20} {r['verdict']:<12} {'as declared' if r['expected'] else 'NOT AS DECLARED'}")
print(f"{len(runs)} runs, {sum(r['expected'] for r in runs)} as declared")
PY
exit $status
