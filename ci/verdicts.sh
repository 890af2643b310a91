#!/usr/bin/env bash
# The main job: builds the dev, tsan and asan presets and runs every case,
# broken and fixed, under each build's detector, printing the verdict tables;
# then every case once more in the dev build under the pct controlled
# scheduler (100 schedules each, stopping at the first failure). Each build's
# verdicts are also written as SARIF to build/<preset>/verdicts.sarif. Ends
# with the detector matrix of these runs (TP/FN/FP/TN and scores per
# detector) and the page build/report/index.html.
# Exit 0 when every verdict is the one its case declares.
set -uo pipefail
cd "$(dirname "$0")/.."

status=0
for preset in dev tsan asan; do
  echo "== building $preset"
  log="$(mktemp)"
  if ! { cmake --preset "$preset" && cmake --build --preset "$preset" --target hazardlab; } >"$log" 2>&1; then
    tail -40 "$log" >&2
    echo "ci/verdicts.sh: build of preset $preset failed (above: the end of its log)" >&2
    exit 2
  fi
  rm -f "$log"
done
# Each run also leaves its JSON in build/report/runs/, which the detector
# matrix below reads: the tables and the matrix come from the same runs.
runs=build/report/runs
rm -rf "$runs" build/report/lessons
for preset in dev tsan asan; do
  echo
  echo "== $preset build: every case under its detector"
  detector=$preset
  [[ $preset == dev ]] && detector=outcome
  # The same results as SARIF, for code scanning (the workflow uploads them).
  bash ci/matrix/run_column.sh "$runs" "$detector" "build/$preset/hazardlab" \
    --sarif="build/$preset/verdicts.sarif" || status=1
done
echo
echo "== dev build: every case under the pct controlled scheduler"
bash ci/matrix/run_column.sh "$runs" pct build/dev/hazardlab --scheduler=pct --schedules=100 || status=1

# The detector matrix of these runs (tsan19 and tsan-gcc: bash ci/matrix.sh).
echo
bash ci/matrix/lessons.sh build/dev/hazardlab build/report/lessons
# shellcheck disable=SC2046
python3 ci/matrix/report.py --out build/report --lessons build/report/lessons $(bash ci/matrix/columns.sh "$runs") ||
  status=1
exit $status
