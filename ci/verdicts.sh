#!/usr/bin/env bash
# The main job: builds the dev, tsan and asan presets and runs every case,
# broken and fixed, under each build's detector, printing the verdict tables;
# then every case once more in the dev build under the pct controlled
# scheduler (100 schedules each, stopping at the first failure). Each build's
# verdicts are also written as SARIF to build/<preset>/verdicts.sarif.
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
for preset in dev tsan asan; do
  echo
  echo "== $preset build: every case under its detector"
  # The same results as SARIF, for code scanning (the workflow uploads them).
  "build/$preset/hazardlab" run --all --sarif="build/$preset/verdicts.sarif" || status=1
done
echo
echo "== dev build: every case under the pct controlled scheduler"
build/dev/hazardlab run --all --scheduler=pct --schedules=100 || status=1
exit $status
