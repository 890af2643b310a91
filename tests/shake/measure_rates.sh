#!/usr/bin/env bash
# Measures what docs/shake.md reports, for one build: for each test program,
# failing runs out of RUNS free-running and under `hazardlab shake`, and how
# often failing seeds fail again when replayed.
#
# usage: tests/shake/measure_rates.sh BUILD_DIR [RUNS] [REPLAYS] [SEED]
set -u
build=$1
runs=${2:-100}
replays=${3:-20}
seed=${4:-5000}
timeout_ms=2000
hazardlab="$build/hazardlab"

printf '%-14s %-16s %-16s %s\n' program plain shake "replays of failing seeds"
for name in handoff_race abba lost_wakeup; do
  program="$build/tests/shake/shake_$name"
  plain_failed=0 plain_hung=0
  for ((i = 0; i < runs; ++i)); do
    timeout -s KILL "$((timeout_ms / 1000))" "$program" >/dev/null 2>&1
    code=$?
    ((code != 0)) && ((++plain_failed))
    ((code == 137)) && ((++plain_hung))
  done
  json=$("$hazardlab" shake --runs="$runs" --seed="$seed" --timeout="$timeout_ms" --format=json -- "$program")
  shaken_failed=$(jq .failing_runs <<<"$json")
  shaken_hung=$(jq '[.runs[] | select(.hang)] | length' <<<"$json")
  # Replay up to three failing seeds, REPLAYS times each.
  replayed=0 again=0
  for failing in $(jq '[.runs[] | select(.failed) | .seed] | .[:3] | .[]' <<<"$json"); do
    for ((r = 0; r < replays; ++r)); do
      n=$("$hazardlab" shake --runs=1 --seed="$failing" --timeout="$timeout_ms" --format=json -- "$program" | jq .failing_runs)
      ((++replayed))
      ((again += n))
    done
  done
  printf '%-14s %-16s %-16s %s\n' "$name" "$plain_failed/$runs (hang $plain_hung)" \
    "$shaken_failed/$runs (hang $shaken_hung)" "$again/$replayed"
done
