"""Exercise 7's hidden suite, graded in both directions."""

from __future__ import annotations

import pytest

from tests.conftest import REFERENCE, STUBS, SUBMISSIONS, check, exercise

FILES = SUBMISSIONS / "ex07"
UNWEIGHTED = "jensen_gap_log: log E[x]"
WEIGHTED = "jensen_gap_log with weights"
GAP_PROPERTY = "Jensen's gap is >= 0"
NEG_KL = "neg_kl_via_jensen returns"
ORDER = "the two sides are ordered"
INVALID = "invalid input"


def grade(grade_files, name: str, seed: int = 0):
    return grade_files({"ex07.py": FILES / name}, ["ex07"], seed=seed)


def failed_with(report, name_start: str, *words: str) -> None:
    result = check(report, "ex07", name_start)
    assert result.status == "failed" and result.score == 0, (result.status, result.feedback)
    for word in words:
        assert word in result.feedback, (word, result.feedback)


def passed(report, *name_starts: str) -> None:
    for name_start in name_starts:
        result = check(report, "ex07", name_start)
        assert result.status == "passed", (name_start, result.feedback)


@pytest.mark.parametrize("seed", range(10))
def test_reference_full_marks(grade_files, seed):
    report = grade_files({"ex07.py": REFERENCE / "ex07.py"}, ["ex07"], seed=seed)
    result = exercise(report, "ex07")
    assert result.status == "passed", [c.feedback for c in result.checks if c.feedback]
    assert result.score == result.max_score == 5


def test_stub_not_attempted(grade_files):
    result = exercise(grade_files({"ex07.py": STUBS / "ex07.py"}, ["ex07"]), "ex07")
    assert (result.status, result.score) == ("not_attempted", 0)
    written = [c for c in result.checks if c.status == "manual"]
    assert len(written) == 1 and "no written answer yet" in written[0].feedback




@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_correct_naive(grade_files, seed):
    result = exercise(grade(grade_files, "correct_naive.py", seed), "ex07")
    assert result.status == "passed", [c.feedback for c in result.checks if c.feedback]
    assert result.score == 5
    assert result.written and "concave" in result.written


def test_gap_sign_flipped(grade_files):
    report = grade(grade_files, "gap_sign_flipped.py")
    failed_with(report, UNWEIGHTED, "the sign is flipped", "log is concave")
    failed_with(report, WEIGHTED, "the sign is flipped")
    failed_with(report, GAP_PROPERTY, "is >= 0 for every x", "Hint: the sign is flipped")
    passed(report, NEG_KL, ORDER, INVALID)
    assert exercise(report, "ex07").score == 2.25


def test_weights_ignored(grade_files):
    report = grade(grade_files, "weights_ignored.py")
    failed_with(report, WEIGHTED, "this is the gap with equal weights", "sum_i w_i x_i")
    failed_with(report, GAP_PROPERTY, "x constant where the weights are positive",
                "this is the gap with equal weights")
    passed(report, UNWEIGHTED, NEG_KL, ORDER, INVALID)
    assert exercise(report, "ex07").score == 3.25


def test_neg_kl_returns_kl(grade_files):
    report = grade(grade_files, "neg_kl_returns_kl.py")
    failed_with(report, NEG_KL, "the sign is flipped", "-KL(P||Q) <= 0")
    failed_with(report, ORDER, "E_P[log Q/P] <= log E_P[Q/P]",
                "Hint: the sign is flipped: E_P[log Q/P]")
    passed(report, UNWEIGHTED, WEIGHTED, GAP_PROPERTY, INVALID)
    assert exercise(report, "ex07").score == 3.25


def test_expectation_over_all_outcomes(grade_files):
    report = grade(grade_files, "expectation_over_all_outcomes.py")
    failed_with(report, NEG_KL, "log E_P[Q/P]", "over the outcomes with p > 0 only")
    failed_with(report, ORDER, "Jensen's step is then an equality",
                "Hint: E_P[Q/P] = sum_{p>0} p (q/p)")
    passed(report, UNWEIGHTED, WEIGHTED, GAP_PROPERTY, INVALID)
    assert exercise(report, "ex07").score == 3.25
