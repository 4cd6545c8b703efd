from __future__ import annotations

import pytest

from grader.points import Outcome, check_score, exercise_score


def test_check_score_passed_and_fraction_clamped():
    assert check_score(Outcome("passed", 2)) == 2
    assert check_score(Outcome("failed", 2)) == 0
    assert check_score(Outcome("failed", 2, fraction=0.25)) == 0.5
    assert check_score(Outcome("failed", 2, fraction=7)) == 2
    assert check_score(Outcome("failed", 2, fraction=-1)) == 0
    for status in ("error", "timeout", "manual"):
        assert check_score(Outcome(status, 2, fraction=1)) == 0


@pytest.mark.parametrize("outcomes, module, expected", [
    ([Outcome("passed", 1), Outcome("passed", 2)], "ok", (3, 3, "passed")),
    ([Outcome("passed", 1), Outcome("failed", 2)], "ok", (1, 3, "partial")),
    ([Outcome("failed", 1), Outcome("timeout", 2)], "ok", (0, 3, "failed")),
    ([Outcome("error", 1, not_implemented=True), Outcome("error", 2, not_implemented=True)],
     "ok", (0, 3, "not_attempted")),
    ([Outcome("error", 1, not_implemented=True), Outcome("failed", 2)], "ok", (0, 3, "failed")),
    ([Outcome("error", 1, not_implemented=True), Outcome("passed", 2)], "ok", (2, 3, "partial")),
    ([Outcome("passed", 1)], "error", (0, 1, "error")),
    ([Outcome("passed", 1)], "missing", (0, 1, "not_attempted")),
    ([Outcome("passed", 1), Outcome("manual", 5)], "ok", (1, 1, "passed")),
])
def test_exercise_score(outcomes, module, expected):
    assert exercise_score(outcomes, module=module) == expected


def test_partial_points_do_not_accumulate_rounding_noise():
    outcomes = [Outcome("passed", 0.1)] * 3 + [Outcome("failed", 0.7)]
    score, max_score, status = exercise_score(outcomes)
    assert (score, status) == (0.3, "partial") and max_score == pytest.approx(1.0)
