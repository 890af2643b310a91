#!/usr/bin/env python3
"""Tests of ci/matrix/scores.py: how each verdict counts, and the scores'
arithmetic, division by zero included."""
import pathlib
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "ci" / "matrix"))
import scores  # noqa: E402


def run(variant, verdict, expected=True, evidence=None, case="c"):
    return {"case": case, "variant": variant, "verdict": verdict, "expected": expected,
            "evidence": {"kind": "report", "text": evidence} if evidence else None, "trials": 3, "unexpected": []}


class CellClass(unittest.TestCase):
    def test_broken(self):
        self.assertEqual(scores.cell_class(run("broken", "detected")), "tp")
        self.assertEqual(scores.cell_class(run("broken_two", "missed")), "fn")
        self.assertEqual(scores.cell_class(run("broken", "harness failure", expected=False)), "fn")

    def test_hang_is_caught_only_where_declared(self):
        self.assertEqual(scores.cell_class(run("broken", "hang", expected=True)), "tp")
        self.assertEqual(scores.cell_class(run("broken", "deadlock", expected=True)), "tp")
        self.assertEqual(scores.cell_class(run("broken", "hang", expected=False)), "fn")
        self.assertEqual(scores.cell_class(run("broken", "crash", expected=False)), "fn")

    def test_fixed(self):
        self.assertEqual(scores.cell_class(run("fixed", "clean")), "tn")
        self.assertEqual(scores.cell_class(run("fixed", "fix fails", expected=False)), "fp")
        self.assertEqual(scores.cell_class(run("fixed", "hang", expected=False)), "fp")

    def test_a_declared_false_alarm_is_still_a_false_positive(self):
        self.assertEqual(scores.cell_class(run("fixed_fences", "false alarm", evidence="data race")), "fp")

    def test_unverified_counts_by_what_the_run_showed(self):
        self.assertEqual(scores.cell_class(run("fixed", "unverified")), "tn")
        self.assertEqual(scores.cell_class(run("fixed", "unverified", evidence="data race")), "fp")


class Scores(unittest.TestCase):
    def test_counts_and_ratios(self):
        s = scores.scores(["tp", "tp", "tp", "fn", "fp", "tn", "tn", "tn"])
        self.assertEqual((s["tp"], s["fn"], s["fp"], s["tn"]), (3, 1, 1, 3))
        self.assertAlmostEqual(s["recall"], 0.75)
        self.assertAlmostEqual(s["precision"], 0.75)
        self.assertAlmostEqual(s["specificity"], 0.75)
        self.assertAlmostEqual(s["accuracy"], 0.75)
        self.assertAlmostEqual(s["f1"], 0.75)

    def test_no_division_by_zero(self):
        s = scores.scores(["tn", "tn"])
        self.assertIsNone(s["recall"])
        self.assertIsNone(s["precision"])
        self.assertIsNone(s["f1"])
        self.assertEqual(s["specificity"], 1.0)
        empty = scores.scores([])
        self.assertIsNone(empty["accuracy"])

    def test_f1_of_nothing_caught_is_null_not_a_crash(self):
        s = scores.scores(["fn", "fp"])
        self.assertEqual(s["recall"], 0.0)
        self.assertEqual(s["precision"], 0.0)
        self.assertIsNone(s["f1"])

    def test_matrix_keeps_one_cell_per_run_and_column(self):
        m = scores.matrix([("tsan", 12.5, [run("broken", "detected", evidence="data race at x"),
                                            run("fixed", "clean")]),
                           ("asan", 3.0, [run("broken", "missed"), run("fixed", "clean")])])
        self.assertEqual([d["name"] for d in m["detectors"]], ["tsan", "asan"])
        self.assertEqual(m["detectors"][0]["tp"], 1)
        self.assertEqual(m["detectors"][1]["fn"], 1)
        self.assertEqual(m["detectors"][0]["seconds"], 12.5)
        self.assertEqual(len(m["cells"]), 4)
        first = m["cells"][0]
        self.assertEqual({k: first[k] for k in ("case", "variant", "broken", "detector", "verdict", "evidence")},
                         {"case": "c", "variant": "broken", "broken": True, "detector": "tsan",
                          "verdict": "detected", "evidence": "data race at x"})


if __name__ == "__main__":
    unittest.main()
