"""Exercise 9's hidden suite, graded in both directions."""

from __future__ import annotations

import pytest

from tests.conftest import REFERENCE, STUBS, SUBMISSIONS, check, exercise

FILES = SUBMISSIONS / "ex09"
KL = "gaussian_kl:"
GRAD = "gaussian_kl_grad returns"
NUMERIC = "gaussian_kl_grad agrees with central differences"
OBJECTIVE = "beta_vae_objective"
COLLAPSED = "collapsed_posterior"
INVALID = "invalid input"


def grade(grade_files, name: str, seed: int = 0):
    return grade_files({"ex09.py": FILES / name}, ["ex09"], seed=seed)


def failed_with(report, name_start: str, *words: str) -> None:
    result = check(report, "ex09", name_start)
    assert result.status == "failed" and result.score == 0, (result.status, result.feedback)
    for word in words:
        assert word in result.feedback, (word, result.feedback)


def passed(report, *name_starts: str) -> None:
    for name_start in name_starts:
        result = check(report, "ex09", name_start)
        assert result.status == "passed", (name_start, result.feedback)


@pytest.mark.parametrize("seed", range(10))
def test_reference_full_marks(grade_files, seed):
    report = grade_files({"ex09.py": REFERENCE / "ex09.py"}, ["ex09"], seed=seed)
    result = exercise(report, "ex09")
    assert result.status == "passed", [c.feedback for c in result.checks if c.feedback]
    assert result.score == result.max_score == 6


def test_stub_not_attempted(grade_files):
    result = exercise(grade_files({"ex09.py": STUBS / "ex09.py"}, ["ex09"]), "ex09")
    assert (result.status, result.score) == ("not_attempted", 0)
    written = [c for c in result.checks if c.status == "manual"]
    assert [c.feedback for c in written] == ["no written answer yet: write it in WRITTEN_ANSWER"]




@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_correct_loops(grade_files, seed):
    result = exercise(grade(grade_files, "correct_loops.py", seed), "ex09")
    assert result.status == "passed", [c.feedback for c in result.checks if c.feedback]
    assert result.score == 6


def test_kl_and_grad_miss_half(grade_files):
    report = grade(grade_files, "kl_and_grad_miss_half.py")
    failed_with(report, KL, "has a factor 1/2")
    failed_with(report, GRAD, "factor 1/2")
    failed_with(report, NUMERIC, "central differences of the reference's gaussian_kl",
                "factor 1/2")
    passed(report, OBJECTIVE, COLLAPSED, INVALID)
    assert exercise(report, "ex09").score == 1.75


def test_grad_misses_half(grade_files):
    report = grade(grade_files, "grad_misses_half.py")
    failed_with(report, GRAD, "dKL/dlog_var", "the factor 1/2 is missing")
    failed_with(report, NUMERIC, "dKL/dlog_var", "the factor 1/2 is missing")
    passed(report, KL, OBJECTIVE, COLLAPSED, INVALID)
    assert exercise(report, "ex09").score == 3.5


def test_kl_misses_half(grade_files):
    report = grade(grade_files, "kl_misses_half.py")
    failed_with(report, KL, "has a factor 1/2")
    failed_with(report, NUMERIC, "central differences of your gaussian_kl", "fix gaussian_kl",
                "misses the factor 1/2")
    passed(report, GRAD, OBJECTIVE, COLLAPSED, INVALID)
    assert exercise(report, "ex09").score == 3.25


def test_kl_averaged_over_batch(grade_files):
    report = grade(grade_files, "kl_averaged_over_batch.py")
    failed_with(report, KL, "a batch", "sum over the rows as well")
    failed_with(report, NUMERIC, "fix gaussian_kl", "averages over the rows")
    passed(report, GRAD, OBJECTIVE, COLLAPSED, INVALID)
    assert exercise(report, "ex09").score == 3.25


def test_beta_on_reconstruction(grade_files):
    report = grade(grade_files, "beta_on_reconstruction.py")
    failed_with(report, OBJECTIVE, "beta is on the wrong term")
    passed(report, KL, GRAD, NUMERIC, COLLAPSED, INVALID)
    assert exercise(report, "ex09").score == 5.25


def test_collapsed_log_var_ones(grade_files):
    report = grade(grade_files, "collapsed_log_var_ones.py")
    failed_with(report, COLLAPSED, "log_var = log 1 = 0")
    passed(report, KL, GRAD, NUMERIC, OBJECTIVE, INVALID)
    assert exercise(report, "ex09").score == 5.5
