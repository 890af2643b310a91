#!/usr/bin/env python3
"""Writes the detector matrix from runs just made: matrix.json and index.html
in OUT, and (with --markdown) the Markdown table; prints the per-detector
table to the terminal.

usage: report.py --out DIR [--markdown FILE] [--lessons DIR] [--about TEXT]
                 NAME=SECONDS=RUNS.json ...

Each NAME=SECONDS=RUNS.json is one detector column: the JSON array that
`hazardlab run --all --json=RUNS.json` wrote, and the run's wall time.
--lessons DIR holds CASE.txt (`hazardlab explain CASE`) for the page's links.
--about is the machine and toolchain paragraph of the Markdown page.
"""
import argparse
import datetime
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import page  # noqa: E402
import scores  # noqa: E402
import tables  # noqa: E402


def column(argument):
    name, seconds, path = argument.split("=", 2)
    return name, float(seconds), json.loads(pathlib.Path(path).read_text())


def outcome_histograms(detector_runs):
    """Per case and variant, the outcome histogram of the first column whose
    runs have one (the outcome detector's, under its stress scheduler)."""
    histograms = {}
    for _, _, runs in detector_runs:
        for run in runs:
            if run.get("detector") != "outcome" or run.get("scheduler") in ("pct", "walk", "gil"):
                continue
            histograms.setdefault(run["case"], {})[run["variant"]] = [
                {"label": row["label"], "count": row["count"], "class": row["class"]} for row in run["histogram"]]
    return histograms


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--markdown")
    parser.add_argument("--lessons")
    parser.add_argument("--about", default="")
    parser.add_argument("columns", nargs="+")
    args = parser.parse_args()

    detector_runs = [column(c) for c in args.columns]
    result = scores.matrix(detector_runs)
    result["generated"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    result["histograms"] = outcome_histograms(detector_runs)
    lessons = {}
    if args.lessons:
        for path in sorted(pathlib.Path(args.lessons).glob("*.txt")):
            lessons[path.stem] = path.read_text()
    result["lessons"] = lessons

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "matrix.json").write_text(json.dumps(result, indent=2) + "\n")
    (out / "index.html").write_text(page.html_page(result))
    if args.markdown:
        pathlib.Path(args.markdown).write_text(tables.markdown(result, args.about))
    print(tables.terminal(result))
    print(f"page: {out / 'index.html'}")


if __name__ == "__main__":
    main()
