#!/usr/bin/env bash
# Trials per second with batches (many trials to a child process) against
# one trial per child (--trials-per-child=1: what every trial cost before
# batches), measured in one run on one machine so that the ratio holds even
# when the machine is noisy. Fixed variants under pct, so that every trial
# runs to the end (no early stop). Build the preset first.
#
#   [BUILD=tsan] bench/trial_throughput.sh [SCHEDULES] [CASE...]
#     (default: the dev build, 2000 schedules; joinable_destroyed lost_update
#     producer_consumer)
#
# In a ThreadSanitizer build (BUILD=tsan, tsan19, tsan-gcc) "batched" is one
# child forking every trial from itself, and one per child is a TSan start-up
# a trial: what every TSan trial cost before the forks.
set -euo pipefail
cd "$(dirname "$0")/.."
schedules="${1:-2000}"
shift || true
cases=("$@")
((${#cases[@]})) || cases=(joinable_destroyed lost_update producer_consumer)
build="${BUILD:-dev}"
hazardlab="build/$build/hazardlab"
if [[ -f "build/$build/sanitizers/tsan.options" ]]; then
  export TSAN_OPTIONS="include=$PWD/build/$build/sanitizers/tsan.options"
fi

# Seconds for one `run` (the pct calibration run included).
seconds() {
  local start end
  start=$(date +%s.%N)
  "$hazardlab" run "$@" --format=json >/dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}

echo "build $build"
echo "| case (fixed, pct) | schedules | one per child: schedules/s | batched: schedules/s | speed-up |"
echo "|---|---:|---:|---:|---:|"
for c in "${cases[@]}"; do
  # One per child costs a process start a trial: a tenth of the schedules
  # tells its rate as well.
  alone_n=$((schedules / 10))
  alone=$(seconds "$c" --variant=fixed --scheduler=pct --schedules="$alone_n" --seed=1 --trials-per-child=1)
  batched=$(seconds "$c" --variant=fixed --scheduler=pct --schedules="$schedules" --seed=1)
  awk -v c="$c" -v n="$schedules" -v an="$alone_n" -v a="$alone" -v b="$batched" \
    'BEGIN { printf "| %s | %d | %.0f | %.0f | %.1fx |\n", c, n, an / a, n / b, (n / b) / (an / a) }'
done
