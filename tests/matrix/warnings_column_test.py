#!/usr/bin/env python3
"""The thread-safety column of the detector matrix is the compiler's data:
`hazardlab warnings --all --format=json` (the thread-safety build) gives one
run-shaped object per (case, variant), every one of `hazardlab list`, and
its verdicts come from the warnings in the logs (a broken variant with the
declared lock-order warning is detected with it as evidence; one the
analysis cannot see is missed with no evidence), scored like any column.

usage: warnings_column_test.py HAZARDLAB
"""
import json
import pathlib
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "ci" / "matrix"))
import scores  # noqa: E402


def main():
    hazardlab = sys.argv[1]
    listed = json.loads(subprocess.run([hazardlab, "list", "--format=json"], capture_output=True, text=True,
                                       check=True).stdout)
    want = {(c["name"], v["name"]) for c in listed for v in c.get("variants", [])}
    result = subprocess.run([hazardlab, "warnings", "--all", "--format=json"], capture_output=True, text=True)
    assert result.returncode in (0, 1), result.stderr
    runs = json.loads(result.stdout)
    have = {(r["case"], r["variant"]) for r in runs}
    assert have == want, f"missing {sorted(want - have)}, extra {sorted(have - want)}"
    by = {(r["case"], r["variant"]): r for r in runs}
    abba = by[("lock_order_deadlock", "broken")]
    assert abba["verdict"] == "detected", abba
    assert "must be acquired before" in abba["evidence"]["text"], abba
    assert scores.cell_class(abba) == "tp"
    race = by[("lost_update", "broken")]
    assert race["verdict"] == "missed" and race["evidence"] is None, race
    assert scores.cell_class(race) == "fn"
    fixed = by[("lock_order_deadlock", "fixed_ordered")]
    assert fixed["verdict"] == "clean" and scores.cell_class(fixed) == "tn", fixed
    print(f"{len(runs)} runs, the column scores", scores.scores([scores.cell_class(r) for r in runs]))


if __name__ == "__main__":
    main()
