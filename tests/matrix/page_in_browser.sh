#!/usr/bin/env bash
# The detector matrix page as a browser shows it, on a small matrix made from
# real runs of two cases in this (dev) build: the outcome detector and pct
# over lost_update and lock_order_deadlock, every variant. Headless
# Chromium's DOM must hold the matrix (one coloured cell per run, its
# evidence), the scores and a bar chart per variant; the screenshot must not
# be blank. The fixture's matrix.json is checked against the runs too.
# usage: page_in_browser.sh HAZARDLAB WORKDIR
set -uo pipefail
hazardlab=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$root/tests/headless_chromium.sh"
rm -rf "$work"
mkdir -p "$work/runs" "$work/lessons"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
count() { grep -o -- "$1" <<<"$2" | wc -l; }

# The fixture: two columns of real runs (5 variants each), small budgets.
for c in lost_update lock_order_deadlock; do
  "$hazardlab" run "$c" --seed=1 --trials=5 --json="$work/runs/outcome-$c.json" >/dev/null
  "$hazardlab" run "$c" --seed=1 --scheduler=pct --schedules=20 --json="$work/runs/pct-$c.json" >/dev/null
  "$hazardlab" explain "$c" >"$work/lessons/$c.txt"
done
for column in outcome pct; do
  python3 -c 'import json, sys; print(json.dumps(sum((json.load(open(f)) for f in sys.argv[1:]), [])))' \
    "$work/runs/$column-"*.json >"$work/runs/$column.json"
done
python3 "$root/ci/matrix/report.py" --out "$work/report" --lessons "$work/lessons" \
  "outcome=1.5=$work/runs/outcome.json" "pct=2.5=$work/runs/pct.json" || fail "report.py exited $?"

# matrix.json: one cell per run, each detector's counts adding up to its runs.
python3 - "$work/report/matrix.json" "$work/runs/outcome.json" <<'PY' || fail "matrix.json does not match the runs"
import json, sys
m = json.load(open(sys.argv[1]))
runs = json.load(open(sys.argv[2]))
assert [d["name"] for d in m["detectors"]] == ["outcome", "pct"], m["detectors"]
for d in m["detectors"]:
    assert d["tp"] + d["fn"] + d["fp"] + d["tn"] == len(runs), d
    assert set(d) >= {"recall", "precision", "specificity", "accuracy", "f1", "seconds"}, d
assert len(m["cells"]) == 2 * len(runs)
for cell in m["cells"]:
    assert set(cell) >= {"case", "variant", "broken", "detector", "verdict", "expected", "evidence", "trials"}, cell
print("matrix.json:", [(d["name"], d["tp"], d["fn"], d["fp"], d["tn"]) for d in m["detectors"]])
PY
runs=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$work/runs/outcome.json")

page=$(render "$work/report/index.html" "$work/index.png")
cells=$(count '<td class="cell \(tp\|tn\|fn\|fp\)' "$page")
bars=$(count '<svg class="histogram"' "$page")
rects=$(count '<rect ' "$page")
echo "index.html: $cells matrix cells (want $((2 * runs))), $bars histograms, $rects bars"
grep -q '<table id="matrix">' <<<"$page" || fail "no matrix table"
grep -q '<table id="scores">' <<<"$page" || fail "no scores table"
[[ $cells -eq $((2 * runs)) ]] || fail "$cells matrix cells, want one per run ($((2 * runs)))"
[[ $bars -eq $runs ]] || fail "$bars histograms, want one per variant ($runs)"
[[ $rects -ge $runs ]] || fail "$rects bars, want at least one per histogram"
grep -q 'data-detail="lost_update / broken under outcome: detected (TP' <<<"$page" ||
  fail "lost_update/broken's cell does not carry its verdict and evidence"
grep -q 'href="#lesson-lock_order_deadlock"' <<<"$page" || fail "no link to a case's lesson"
grep -q 'T1 reads counter == 7' <<<"$page" || fail "lost_update's lesson is not on the page"
grep -Eq '(src|href)="https?:' <<<"$page" && fail "the page loads something from the network"

ink=$(python3 "$root/tests/png_ink.py" "$work/index.png") || fail "index.png is not a readable PNG"
echo "index.png: $ink of the pixels differ from the background"
python3 -c "import sys; sys.exit(0 if float('${ink:-0}') > 0.02 else 1)" || fail "the screenshot is blank ($ink)"

((failures == 0)) || { echo "$failures failures"; exit 1; }
