"""Checks that every case test runs from a pinned seed (so a red test
replays), and that HAZARDLAB_RANDOM_SEEDS in CTest's environment leaves the
seed out (so a soak run draws fresh ones). Asks CTest itself for the
commands it would run.

usage: case_test_seeds.py CTEST BUILD_DIR PINNED(ON|OFF)
"""
import json
import os
import re
import subprocess
import sys


def case_test_commands(ctest, build_dir, random_seeds):
    """The case tests' commands ("hazardlab run ..."), as CTest lists them."""
    env = dict(os.environ)
    env.pop("HAZARDLAB_RANDOM_SEEDS", None)
    if random_seeds:
        env["HAZARDLAB_RANDOM_SEEDS"] = "1"
    listing = subprocess.run([ctest, "--test-dir", build_dir, "--show-only=json-v1"], env=env,
                             capture_output=True, text=True, check=True).stdout
    return [(t["name"], t["command"]) for t in json.loads(listing)["tests"]
            if len(t.get("command", [])) >= 2 and t["command"][1] == "run"]


def expect_seeds(ctest, build_dir, mode):
    commands = case_test_commands(ctest, build_dir, random_seeds=(mode == "random"))
    if not commands:
        sys.exit("no case tests listed")
    wrong = 0
    for name, command in commands:
        seeded = any(re.fullmatch(r"--seed=[0-9]+", arg) for arg in command)
        if seeded != (mode == "pinned"):
            print(f"{mode} seed expected: {name}: {' '.join(command[1:])}")
            wrong += 1
    if wrong:
        sys.exit(f"{wrong} of {len(commands)} case tests lack a {mode} seed")
    print(f"{len(commands)} case tests, every one with a {mode} seed")


def main():
    ctest, build_dir, pinned = sys.argv[1:4]
    # A build configured with HAZARDLAB_RANDOM_SEEDS=ON has no pinned seeds to check.
    if pinned == "ON":
        expect_seeds(ctest, build_dir, "pinned")
    expect_seeds(ctest, build_dir, "random")


main()
