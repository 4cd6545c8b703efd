"""Exercise 8's hidden suite, graded in both directions."""

from __future__ import annotations

import pytest

from tests.conftest import REFERENCE, STUBS, SUBMISSIONS, check, exercise

FILES = SUBMISSIONS / "ex08"
PRODUCT = "product_of_marginals"
VALUES = "mutual_information matches"
OPTIONS = "mutual_information: base"
PROPERTIES = "I(X;Y) >= 0"
INDEPENDENT = "is_independent"
INVALID = "invalid input"


def grade(grade_files, name: str, seed: int = 0):
    return grade_files({"ex08.py": FILES / name}, ["ex08"], seed=seed)


def failed_with(report, name_start: str, *words: str) -> None:
    result = check(report, "ex08", name_start)
    assert result.status == "failed" and result.score == 0, (result.status, result.feedback)
    for word in words:
        assert word in result.feedback, (word, result.feedback)


def passed(report, *name_starts: str) -> None:
    for name_start in name_starts:
        result = check(report, "ex08", name_start)
        assert result.status == "passed", (name_start, result.feedback)


@pytest.mark.parametrize("seed", range(10))
def test_reference_full_marks(grade_files, seed):
    report = grade_files({"ex08.py": REFERENCE / "ex08.py"}, ["ex08"], seed=seed)
    result = exercise(report, "ex08")
    assert result.status == "passed", [c.feedback for c in result.checks if c.feedback]
    assert result.score == result.max_score == 6


def test_stub_not_attempted(grade_files):
    result = exercise(grade_files({"ex08.py": STUBS / "ex08.py"}, ["ex08"]), "ex08")
    assert (result.status, result.score) == ("not_attempted", 0)
    written = [c for c in result.checks if c.status == "manual"]
    assert [c.feedback for c in written] == ["no written answer yet: write it in WRITTEN_ANSWER"]




@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_correct_entropies(grade_files, seed):
    result = exercise(grade(grade_files, "correct_entropies.py", seed), "ex08")
    assert result.status == "passed", [c.feedback for c in result.checks if c.feedback]
    assert result.score == 6


def test_joint_not_normalised(grade_files):
    report = grade(grade_files, "joint_not_normalised.py")
    failed_with(report, PRODUCT, "a table of counts", "normalise the joint to sum to 1 first")
    failed_with(report, OPTIONS, "a table of counts", "normalise the joint to sum to 1 first")
    passed(report, VALUES, PROPERTIES, INVALID)
    assert exercise(report, "ex08").score == 4.0


def test_mutual_information_in_bits(grade_files):
    report = grade(grade_files, "mutual_information_in_bits.py")
    failed_with(report, VALUES, "0.3636", "this is the mutual information in bits")
    failed_with(report, PROPERTIES, "Y determines X", "in bits")
    passed(report, PRODUCT, INDEPENDENT, INVALID)
    assert exercise(report, "ex08").score == 2.5


def test_mutual_information_reversed_kl(grade_files):
    report = grade(grade_files, "mutual_information_reversed_kl.py")
    failed_with(report, VALUES, "KL(P_X P_Y || P_XY), the reverse direction")
    failed_with(report, PROPERTIES, "returned inf", "the reverse direction")
    failed_with(report, OPTIONS, "in bits", "Hint: this is KL(P_X P_Y || P_XY)")
    passed(report, PRODUCT, INDEPENDENT, INVALID)
    assert exercise(report, "ex08").score == 2.5


def test_independent_by_allclose(grade_files):
    report = grade(grade_files, "independent_by_allclose.py")
    failed_with(report, INDEPENDENT, "with tol = ", "use tol")
    passed(report, PRODUCT, VALUES, OPTIONS, PROPERTIES, INVALID)
    assert exercise(report, "ex08").score == 5.0
