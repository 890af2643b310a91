#!/usr/bin/env bash
# Detection rate of every broken variant, per detector and stress scheduler:
# N trials each with --keep-going (no early stop), from the dev, tsan and
# asan builds (build them first: cmake --workflow --preset <p>, or
# ci/verdicts.sh). Prints a Markdown table.
#
#   bench/detection_rates.sh [TRIALS] [CASE...]     (default 100 trials, every case)
set -euo pipefail
cd "$(dirname "$0")/.."
trials="${1:-100}"
shift || true

field() {  # field NAME < json: a string or number field of the first run (run --format=json is an array)
  sed -n -E "s/^    \"$1\": \"?(.*[^\",])\"?,?$/\1/p" | head -1
}

cases=("$@")
if ((${#cases[@]} == 0)); then
  mapfile -t cases < <(build/dev/hazardlab list | awk '{print $2}')
fi

echo "| case | variant | detector | scheduler | detected in | ms per trial | declared |"
echo "|---|---|---|---|---|---|---|"
for c in "${cases[@]}"; do
  variants=$(build/dev/hazardlab list --format=json | tr -d ' \n' | grep -o "\"name\":\"$c\",\"title\"[^]]*" |
             grep -o '"name":"broken[a-z_]*"' | sed 's/"name":"\(.*\)"/\1/' || true)
  for v in $variants; do
    for build in dev tsan asan; do
      for s in none yield random; do
        json=$("build/$build/hazardlab" run "$c" --variant="$v" --scheduler="$s" --trials="$trials" \
                 --keep-going --format=json 2>/dev/null || true)
        hits=$(field trials_with_evidence <<<"$json")
        ran=$(field trials <<<"$json")
        ms=$(field total_ms <<<"$json")
        detector=$(field detector <<<"$json")
        declared=$(field declared <<<"$json")
        per=$(awk -v t="$ms" -v n="$ran" 'BEGIN { if (n > 0) printf "%.1f", t / n }')
        echo "| $c | $v | $detector | $s | $hits / $ran | $per | $declared |"
      done
    done
  done
done
