#!/usr/bin/env bash
# One column of the detector matrix: runs every case and variant with
# `BINARY run --all [ARGS]`, prints its verdict table, and leaves the runs as
# JSON in RUNS/NAME.json and the wall time in RUNS/NAME.seconds.
# Exit status: hazardlab's (1 when some verdict is not as declared).
# usage: run_column.sh RUNS NAME BINARY [ARGS...]
set -uo pipefail
runs=$1 name=$2 binary=$3
shift 3
mkdir -p "$runs"
start=$(date +%s.%N)
"$binary" run --all --json="$runs/$name.json" "$@"
status=$?
end=$(date +%s.%N)
python3 -c "print(round($end - $start, 1))" >"$runs/$name.seconds"
exit $status
