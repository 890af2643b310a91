"""A `hazardlab shake` test: shake finds the program's failure within a fixed
seed range, its JSON has the documented fields, and the failing run's printed
replay command, run again, fails again with the same evidence.

usage: shake_finds.py HAZARDLAB PROGRAM SEED RUNS TIMEOUT_MS EVIDENCE...

EVIDENCE: what counts as the program's failure, any of: `exit=N`, `hang`,
`report=KIND` (a sanitizer report whose kind starts with KIND).
"""

import json
import subprocess
import sys

# Threads are real: a replay repeats each thread's injection decisions, not
# the exact interleaving, so a failing seed fails again often, not always
# (docs/shake.md has the rates). Up to CANDIDATES failing seeds get
# REPLAY_ATTEMPTS replays each; one must show the same evidence again.
REPLAY_ATTEMPTS = 10
CANDIDATES = 3


def shake(hazardlab, program, seed, runs, timeout):
    command = [hazardlab, "shake", f"--seed={seed}", f"--runs={runs}", f"--timeout={timeout}", "--format=json",
               "--", program]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"shake exited {done.returncode}: {done.stderr}")
    out = json.loads(done.stdout)
    for field in ("seed", "runs", "failing_runs", "run_count", "replays"):
        if field not in out:
            sys.exit(f"JSON lacks {field}")
    for run in out["runs"]:
        for field in ("seed", "exit_code", "signal", "hang", "failed", "reports"):
            if field not in run:
                sys.exit(f"a run lacks {field}: {run}")
    failing = sum(run["failed"] for run in out["runs"])
    if out["failing_runs"] != failing or (done.returncode == 1) != (failing > 0):
        sys.exit(f"failing_runs {out['failing_runs']}, exit {done.returncode}, failed runs {failing}")
    return out


def shows(run, evidence):
    for wanted in evidence:
        if wanted == "hang" and run["hang"]:
            return wanted
        if wanted.startswith("exit=") and not run["hang"] and run["exit_code"] == int(wanted[5:]):
            return wanted
        if wanted.startswith("report=") and any(r["kind"].startswith(wanted[7:]) for r in run["reports"]):
            return wanted
    return None


def main():
    hazardlab, program, seed, runs, timeout = sys.argv[1:6]
    evidence = sys.argv[6:]
    out = shake(hazardlab, program, int(seed), int(runs), int(timeout))
    found = [run for run in out["runs"] if shows(run, evidence)]
    print(f"{len(found)} of {runs} runs from seed {seed} show {' or '.join(evidence)}")
    if not found:
        sys.exit("shake found no failure in the seed range")
    for run in found[:CANDIDATES]:
        if f"--seed={run['seed']} --runs=1" not in run["replay"] or run["replay"] not in out["replays"]:
            sys.exit(f"the replay command does not carry the seed: {run['replay']}")
        kind = shows(run, evidence)
        for attempt in range(1, REPLAY_ATTEMPTS + 1):
            again = shake(hazardlab, program, run["seed"], 1, int(timeout))["runs"][0]
            if shows(again, [kind]):
                print(f"seed {run['seed']} shows {kind} again at replay {attempt}")
                return
        print(f"seed {run['seed']} did not show {kind} again in {REPLAY_ATTEMPTS} replays")
    sys.exit("no failing seed failed again")

main()
