"""The detector matrix's arithmetic: each (case, variant, detector) run's
verdict as TP/FN/FP/TN, and each detector's scores. Pure functions of the
runs' JSON (`hazardlab run --all --json=FILE`), never of declarations.

How a verdict counts (docs/detector-matrix.md says the same):
  broken variant  detected                         -> TP (caught)
                  hang, deadlock, crash as declared -> TP (the run never ends, or dies, as the
                                                      detector is declared to see it)
                  anything else (missed, an undeclared hang/crash, harness failure) -> FN
  fixed variant   clean                             -> TN
                  unverified with no evidence       -> TN (looked clean; the verdict only says
                                                      no detector tells the fix from its mutant)
                  unverified with evidence, false alarm, fix fails, hang, deadlock, crash
                                                    -> FP (a declared false alarm is still a
                                                      report on correct code: an FP of that tool)
"""

CAUGHT_WHEN_DECLARED = {"hang", "deadlock", "crash"}


def cell_class(run):
    """'tp', 'fn', 'fp' or 'tn' for one run object of hazardlab's JSON."""
    verdict = run["verdict"]
    if run["variant"].startswith("broken"):
        if verdict == "detected":
            return "tp"
        if verdict in CAUGHT_WHEN_DECLARED and run["expected"]:
            return "tp"
        return "fn"
    if verdict == "clean":
        return "tn"
    if verdict == "unverified" and not run.get("evidence"):
        return "tn"
    return "fp"


def ratio(numerator, denominator):
    """None (JSON null) where the denominator is zero: no data, not 0."""
    return None if denominator == 0 else numerator / denominator


def scores(classes):
    """Counts and scores of one detector from its cells' classes."""
    tp, fn, fp, tn = (classes.count(k) for k in ("tp", "fn", "fp", "tn"))
    recall = ratio(tp, tp + fn)
    precision = ratio(tp, tp + fp)
    f1 = None
    if recall is not None and precision is not None:
        f1 = ratio(2 * precision * recall, precision + recall)
    return {
        "tp": tp, "fn": fn, "fp": fp, "tn": tn,
        "recall": recall,
        "precision": precision,
        "specificity": ratio(tn, tn + fp),
        "accuracy": ratio(tp + tn, tp + fn + fp + tn),
        "f1": f1,
    }


def evidence_text(run):
    """The decisive evidence, else the first unexpected finding, else ''."""
    if run.get("evidence"):
        return run["evidence"].get("text", "")
    for finding in run.get("unexpected") or []:
        return f"{finding['kind']}: {finding['text']} (trial {finding['trial']})"
    return ""


def matrix(detector_runs):
    """detector_runs: [(name, seconds, [run, ...])] in column order."""
    detectors, cells = [], []
    for name, seconds, runs in detector_runs:
        classes = []
        for run in runs:
            cls = cell_class(run)
            classes.append(cls)
            cells.append({
                "case": run["case"],
                "variant": run["variant"],
                "broken": run["variant"].startswith("broken"),
                "detector": name,
                "verdict": run["verdict"],
                "expected": run["expected"],
                "evidence": evidence_text(run),
                "trials": run["trials"],
                "class": cls,
            })
        detectors.append({"name": name, **scores(classes), "seconds": seconds})
    return {"detectors": detectors, "cells": cells}
