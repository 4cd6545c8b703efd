"""The points policy: how checks become an exercise's score and status. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: ``withheld`` is only in a student's view before the due date (``grader.detail``): the
#: check's result is kept back and it carries no points there
CHECK_STATUSES = ("passed", "failed", "error", "timeout", "manual", "withheld")
EXERCISE_STATUSES = ("passed", "partial", "failed", "not_attempted", "error", "withheld")
#: statuses of checks that carry no automatic points
UNSCORED = ("manual", "withheld")


@dataclass(frozen=True)
class Outcome:
    """What one check produced, before points are given."""

    status: str
    points: float
    fraction: float = 0.0          # share of the points a failed check still earns
    not_implemented: bool = False  # the student's function raised NotImplementedError


def check_score(outcome: Outcome) -> float:
    """Points a check earns: its points times a fraction clamped to [0, 1].

    A passed check earns all its points; a failed one only the fraction it was given
    (for checks that count the cases a submission got right); errors, timeouts and
    manual checks earn nothing automatically.
    """
    if outcome.status == "passed":
        return float(outcome.points)
    if outcome.status == "failed":
        return float(outcome.points) * min(1.0, max(0.0, outcome.fraction))
    return 0.0


def exercise_score(outcomes: Sequence[Outcome], *, module: str = "ok"
                   ) -> tuple[float, float, str]:
    """Return ``(score, max_score, status)`` of an exercise from its checks.

    ``max_score`` counts every automatic check (manual ones carry no automatic points).
    ``module`` is ``ok``, ``error`` (it did not import: the status is ``error``) or
    ``missing`` (the submission has no file for it: ``not_attempted``). Otherwise the
    status is ``not_attempted`` when every automatic check met a NotImplementedError, then
    ``passed`` (full marks), ``failed`` (nothing) or ``partial``.
    """
    automatic = [o for o in outcomes if o.status not in UNSCORED]
    max_score = float(sum(o.points for o in automatic))
    if module == "error":
        return 0.0, max_score, "error"
    if module == "missing":
        return 0.0, max_score, "not_attempted"
    score = round(sum(check_score(o) for o in automatic), 6)
    if automatic and all(o.not_implemented for o in automatic):
        return 0.0, max_score, "not_attempted"
    if score >= max_score - 1e-9:
        return max_score, max_score, "passed"
    if score <= 0.0:
        return 0.0, max_score, "failed"
    return score, max_score, "partial"
