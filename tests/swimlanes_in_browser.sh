#!/usr/bin/env bash
# The schedule pictures as a browser shows them: run --format=svg|html is
# loaded in headless Chromium; the DOM it built must hold the lanes and the
# highlighted steps, and its screenshot must not be blank.
# usage: swimlanes_in_browser.sh HAZARDLAB WORKDIR
set -uo pipefail
hazardlab=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
source "$here/headless_chromium.sh"
rm -rf "$work"  # no picture of an earlier run may stand in for this one's
mkdir -p "$work"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

count() { grep -o -- "$1" <<<"$2" | wc -l; }

check_ink() {
  local png=$1 ink
  ink=$(python3 "$here/png_ink.py" "$png") || { fail "$png is not a readable PNG"; return; }
  echo "$png: $ink of the pixels differ from the background"
  python3 -c "import sys; sys.exit(0 if float('$ink') > 0.02 else 1)" || fail "$png is blank ($ink)"
}

# lost_update under the GIL scheduler: four worker lanes, the switches at the
# yield point between read and write highlighted, the lost count at the end.
"$hazardlab" run lost_update --variant=broken --scheduler=gil --seed=1 --trace --format=svg >"$work/lost_update.svg" ||
  fail "run lost_update --format=svg exited $?"
"$hazardlab" run lost_update --variant=broken --scheduler=gil --seed=1 --format=html >"$work/lost_update.html" ||
  fail "run lost_update --format=html exited $?"
for file in lost_update.svg lost_update.html; do
  png=""
  [[ $file == *.html ]] && png="$work/lost_update.png"
  page=$(render "$work/$file" "$png")
  grep -q "This page contains the following errors" <<<"$page" && fail "$file does not parse: $page"
  lanes=$(count 'class="lane"' "$page")
  hot=$(count 'class="step hot" data-thread="thread [0-9]" data-step="[0-9]*" data-op="yield"' "$page")
  echo "$file: $lanes lanes, $hot highlighted yields"
  [[ $lanes -eq 4 ]] || fail "$file: $lanes lanes, want 4 (one per worker thread)"
  [[ $hot -ge 4 ]] || fail "$file: $hot highlighted yield steps, want one per worker at least"
  grep -Eq 'class="outcome bad".*outcome [0-9]+: increments were overwritten' <<<"$(tr -d '\n' <<<"$page")" ||
    fail "$file: no forbidden outcome at the end"
  grep -q 'class="repeat" data-times=' <<<"$page" || fail "$file: 40,000 steps drawn without folding"
done
check_ink "$work/lost_update.png"

# The ABBA deadlock under pct: two lanes, each ending in its blocked lock.
"$hazardlab" run lock_order_deadlock --variant=broken --scheduler=pct --seed=1 --schedules=37 --format=html \
  >"$work/lock_order_deadlock.html" || fail "run lock_order_deadlock --format=html exited $?"
page=$(render "$work/lock_order_deadlock.html" "$work/lock_order_deadlock.png")
lanes=$(count 'class="lane"' "$page")
blocked=$(count 'class="step hot blocked" data-thread="thread [12]" data-step="[0-9]*" data-op="blocked in lock"' "$page")
echo "lock_order_deadlock.html: $lanes lanes, $blocked threads blocked in lock"
[[ $lanes -eq 2 ]] || fail "lock_order_deadlock.html: $lanes lanes, want 2"
[[ $blocked -eq 2 ]] || fail "lock_order_deadlock.html: $blocked threads shown blocked in lock, want both"
check_ink "$work/lock_order_deadlock.png"

# A blank page must read as blank: the ink check can fail.
printf '<!doctype html><html><body></body></html>\n' >"$work/blank.html"
render "$work/blank.html" "$work/blank.png" >/dev/null
ink=$(python3 "$here/png_ink.py" "$work/blank.png")
python3 -c "import sys; sys.exit(0 if float('$ink') < 0.001 else 1)" || fail "a blank page measured $ink ink"

((failures == 0)) || { echo "$failures failures"; exit 1; }
echo "pictures render"
