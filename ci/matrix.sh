#!/usr/bin/env bash
# The detector matrix: builds every detector preset not built yet (the
# hazardlab target; an up-to-date build costs nothing), runs every case and
# variant under every detector (outcome: the dev build under its stress
# scheduler; pct: the dev build under pct, 100 schedules each; tsan, tsan19,
# tsan-gcc, asan; thread-safety: the compiler's warnings of the thread-safety
# build; absl: the absl build's Mutex deadlock detector; helgrind and drd:
# Valgrind's tools), and writes build/report/matrix.json,
# build/report/index.html and docs/detector-matrix.md, every number from
# these runs
# (ci/matrix/scores.py says how a verdict counts).
# Exit 0 when the report was written, whatever the verdicts; 2 when a build failed.
set -uo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
runs=build/report/runs
rm -rf "$runs" build/report/lessons
mkdir -p "$runs" build/report/lessons

presets=(dev tsan asan tsan19 tsan-gcc thread-safety absl helgrind drd)
fresh=0  # presets configured and built from nothing by this run
for preset in "${presets[@]}"; do
  log="$(mktemp)"
  if [[ ! -f build/$preset/build.ninja ]]; then
    fresh=$((fresh + 1))
    echo "== configuring $preset"
    cmake --preset "$preset" >"$log" 2>&1 || { tail -40 "$log" >&2; echo "ci/matrix.sh: configure of $preset failed" >&2; exit 2; }
  fi
  targets=(hazardlab)
  # The thread-safety column reads the compiler's logs of every case file.
  [[ $preset == thread-safety ]] && targets+=(thread_safety_logs)
  echo "== building $preset (${targets[*]})"
  if ! cmake --build --preset "$preset" --target "${targets[@]}" >"$log" 2>&1; then
    tail -40 "$log" >&2
    echo "ci/matrix.sh: build of preset $preset failed (above: the end of its log)" >&2
    exit 2
  fi
  rm -f "$log"
done

column() {  # NAME PRESET [ARGS...]
  local name=$1 preset=$2
  shift 2
  echo
  echo "== $name: every case and variant (build/$preset)"
  bash ci/matrix/run_column.sh "$runs" "$name" "build/$preset/hazardlab" "$@"
}
column outcome dev
column pct dev --scheduler=pct --schedules=100
column tsan tsan
column tsan19 tsan19
column tsan-gcc tsan-gcc
column asan asan
echo
echo "== thread-safety: every case and variant (build/thread-safety: the compiler's warnings)"
bash ci/matrix/warnings_column.sh "$runs" thread-safety build/thread-safety/hazardlab
column absl absl
column helgrind helgrind
column drd drd

# The lessons the page links to.
bash ci/matrix/lessons.sh build/dev/hazardlab build/report/lessons

about="Machine: $(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME"), load average at the end $(cut -d' ' -f1-3 /proc/loadavg).
Toolchains: $(clang++ --version | head -1) (dev, tsan, asan, thread-safety, absl with Debian's Abseil $(dpkg-query -W -f='${Version}' libabsl-dev 2>/dev/null)); $(clang++-19 --version | head -1) (tsan19); $(g++ --version | head -1) (tsan-gcc); $(valgrind --version) (helgrind, drd).
\`bash ci/matrix.sh\` took $((SECONDS - start)) s of wall time, builds included: $fresh of ${#presets[@]} presets built from nothing, the others brought up to date."
echo
# shellcheck disable=SC2046
python3 ci/matrix/report.py --out build/report --markdown docs/detector-matrix.md --lessons build/report/lessons \
  --about "$about" $(bash ci/matrix/columns.sh "$runs")
