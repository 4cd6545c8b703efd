"""Exercise 10's hidden suite, graded in both directions."""

from __future__ import annotations

import pytest

from tests.conftest import REFERENCE, STUBS, SUBMISSIONS, exercise

FILES = SUBMISSIONS / "ex10"


@pytest.mark.parametrize("seed", range(10))
def test_reference_full_marks(grade_files, seed):
    report = grade_files({"ex10.py": REFERENCE / "ex10.py"}, ["ex10"], seed=seed)
    result = exercise(report, "ex10")
    assert result.status == "passed", [c.feedback for c in result.checks if c.feedback]
    assert result.score == result.max_score == 8


def test_stub_not_attempted(grade_files):
    result = exercise(grade_files({"ex10.py": STUBS / "ex10.py"}, ["ex10"]), "ex10")
    assert (result.status, result.score) == ("not_attempted", 0)
