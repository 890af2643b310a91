#!/usr/bin/env python3
"""Every test preset writes build/<preset>/junit.xml, and a JUnit reader
reads it: test names, which failed, and the failure's output.

Copies the probe project (this folder's CMakeLists.txt: one passing test, one
failing) to a temporary folder, gives it a CMakePresets.json that includes
the repository's, and runs `ctest --preset P` there for every visible test
preset P. Each run must leave build/P/junit.xml; xml.etree parses it and the
test checks the testcase names, the failure, and the suite's counts.

usage: check_presets.py REPOSITORY_ROOT
"""
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree


def test_presets(presets):
    return [p for p in presets.get("testPresets", []) if not p.get("hidden")]


def check_junit(path, preset):
    problems = []
    suite = ElementTree.parse(path).getroot()
    if suite.tag == "testsuites":  # either root is valid JUnit
        suite = suite.find("testsuite")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    if set(cases) != {"probe.passes", "probe.fails"}:
        problems.append(f"{preset}: testcases {sorted(cases)}, want probe.fails and probe.passes")
        return problems
    if cases["probe.passes"].find("failure") is not None:
        problems.append(f"{preset}: probe.passes has a <failure>")
    failure = cases["probe.fails"].find("failure")
    if failure is None:
        problems.append(f"{preset}: probe.fails has no <failure>")
    output = cases["probe.fails"].findtext("system-out") or ""
    if "probe failure output" not in output:
        problems.append(f"{preset}: probe.fails lacks its output in <system-out>: {output!r}")
    if suite.get("tests") != "2" or suite.get("failures") != "1":
        problems.append(f"{preset}: tests={suite.get('tests')} failures={suite.get('failures')}, want 2 and 1")
    return problems


def main():
    if len(sys.argv) != 2:
        print("usage: check_presets.py REPOSITORY_ROOT", file=sys.stderr)
        return 2
    root = pathlib.Path(sys.argv[1]).resolve()
    presets = json.loads((root / "CMakePresets.json").read_text())
    problems = []
    with tempfile.TemporaryDirectory() as work:
        work = pathlib.Path(work)
        shutil.copy(root / "tests" / "junit" / "CMakeLists.txt", work / "CMakeLists.txt")
        (work / "CMakePresets.json").write_text(
            json.dumps({"version": presets["version"], "include": [str(root / "CMakePresets.json")]}))
        configured = set()
        for preset in test_presets(presets):
            name = preset["name"]
            configure = preset.get("configurePreset") or name
            if configure not in configured:
                done = subprocess.run(["cmake", "--preset", configure], cwd=work, capture_output=True, text=True)
                if done.returncode != 0:
                    print(done.stdout + done.stderr)
                    problems.append(f"{name}: cmake --preset {configure} failed")
                    continue
                configured.add(configure)
            junit = work / "build" / name / "junit.xml"
            run = subprocess.run(["ctest", "--preset", name], cwd=work, capture_output=True, text=True)
            if run.returncode == 0:
                problems.append(f"{name}: ctest passed a run with a failing test")
            if not junit.is_file():
                problems.append(f"{name}: no build/{name}/junit.xml after ctest --preset {name}")
                continue
            problems += check_junit(junit, name)
            print(f"{name}: build/{name}/junit.xml read")
    for problem in problems:
        print(problem)
    print(f"{len(test_presets(presets))} test preset(s), {len(problems)} problem(s)")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
