"""What a student sees of each check: ``full``, ``summary`` or ``after_due``.

A check's ``@pytest.mark.feedback("summary")`` (or ``"after_due"``; the default is
``"full"``) becomes :attr:`grader.report.CheckResult.detail`. The report itself keeps
everything (it is the instructor's JSON); :func:`for_student` returns the view that every
student-facing format renders:

- ``full``: the check as graded.
- ``summary``: its name, status and points, and the ``Hint:`` lines of its feedback; no
  case, input, returned or expected value, traceback or printed output.
- ``after_due``: before the due date nothing of its result: status ``withheld``, score and
  maximum 0, feedback "result after <due>". Its exercise's and the report's score and
  maximum leave its points out (as a public-only run leaves the hidden points out), the
  exercise's status and diagnosis are worked out from the checks that are shown, and
  :attr:`grader.report.Report.withheld` counts the checks and points kept back. From the due
  date on it is shown in full. Without a due date it stays kept back.

The view of a view is the same view (a disclosed ``after_due`` check becomes ``full``), so a
renderer may apply it again without a date and change nothing; one called on a full report
by a caller that forgot it still shows the safe view.

The view hides what only the grader knows (expected values, the cases it chose). The
student's own code sees its inputs and may print them in any check; that is not a secret a
view can keep.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

from grader.report import CheckResult, ExerciseResult, Report, Withheld, diagnose, hints

#: what the plugin puts before the output of the student's code in a check's feedback
PRINTED = "\nyour code printed: "
#: the first line of a failed ``summary`` check's feedback in a student's view
SUMMARY_NOTE = "this check shows its result and hints only, not its cases or values"

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_due(text: str) -> datetime:
    """Read a due date: ISO 8601 (``2026-12-20T23:59``, ``2026-12-20 23:59+01:00``).

    A date alone means the end of that day (23:59:59); a time without an offset is local
    time. Raise ValueError on anything else.
    """
    text = text.strip()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO 8601 date and time: {text!r} (for example "
                         "2026-12-20T23:59 or 2026-12-20T23:59+01:00)") from None
    if _DATE.fullmatch(text):
        value = value.replace(hour=23, minute=59, second=59)
    return _aware(value)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.astimezone()


def show_due(due: datetime | None) -> str:
    """The due date as students read it: ``2026-12-20 23:59 UTC``."""
    if due is None:
        return "the due date"
    due = _aware(due)
    zone = due.tzname() or due.strftime("%z")
    return f"{due:%Y-%m-%d %H:%M} {zone}".strip()


def summary_feedback(check: CheckResult) -> str:
    """A ``summary`` check's feedback in a student's view: a note and its hints."""
    if check.status == "passed":
        return ""
    # what the student's code printed comes last, and is theirs: no hint of the grader's
    graded = check.feedback.split(PRINTED, 1)[0]
    return "\n".join([SUMMARY_NOTE, *(f"Hint: {h}" for h in hints(graded))])


def withheld_feedback(points: float, until: str) -> str:
    """A kept-back ``after_due`` check's feedback in a student's view."""
    return f"result and feedback after {until} ({points:g} point{'' if points == 1 else 's'})"


def student_check(check: CheckResult, *, disclosed: bool, until: str) -> CheckResult:
    """One check as a student sees it (``disclosed``: the due date has passed)."""
    if check.detail == "summary":
        return replace(check, feedback=summary_feedback(check))
    if check.detail != "after_due" or check.status == "withheld":
        return check
    if disclosed:
        return replace(check, detail="full")
    return replace(check, score=0.0, max_score=0.0, status="withheld", duration_s=0.0,
                   feedback=withheld_feedback(check.max_score, until))


def _exercise(exercise: ExerciseResult, checks: tuple[CheckResult, ...],
              kept: list[CheckResult]) -> ExerciseResult:
    """An exercise some of whose checks are kept back: its score, status and diagnosis anew.

    The kept-back checks' points leave the exercise's score and maximum (whatever else
    counts there, such as a written part marked by hand, stays); the status follows the
    rest as :func:`grader.points.exercise_score` does.
    """
    score = max(0.0, round(exercise.score - sum(c.score for c in kept), 6))
    max_score = max(0.0, round(exercise.max_score - sum(c.max_score for c in kept), 6))
    score = min(score, max_score)
    if exercise.status in ("error", "not_attempted"):  # nothing of these was graded
        status = exercise.status
    elif max_score <= 0.0:
        status = "withheld"  # every check that scores is kept back: no result to show
    elif score >= max_score - 1e-9:
        status = "passed"
    elif score <= 0.0:
        status = "failed"
    else:
        status = "partial"
    return replace(exercise, checks=checks, score=score, max_score=max_score, status=status,
                   diagnosis=diagnose(checks))


def is_past(due: datetime | None, now: datetime | None = None) -> bool:
    """Whether a due date was given and has passed (``now``: default the clock)."""
    return due is not None and _aware(now or datetime.now(UTC)) >= _aware(due)


def disclose(report: Report, *, due: datetime | None, now: datetime | None = None) -> Report:
    """The report as graded, with its ``after_due`` checks made ``full`` once ``due`` has passed.

    For a format that holds results back by itself (Gradescope): nothing else changes.
    """
    if not is_past(due, now):
        return report
    return replace(report, exercises=tuple(
        replace(e, checks=tuple(replace(c, detail="full") if c.detail == "after_due" else c
                                for c in e.checks))
        for e in report.exercises))


def for_student(report: Report, *, due: datetime | None = None,
                now: datetime | None = None) -> Report:
    """Return what a student may see of a report (see the module's docstring).

    ``due`` is the due date (None: not given, ``after_due`` checks stay kept back), ``now``
    the time to compare it with (default: the clock).
    """
    disclosed = is_past(due, now)
    until = show_due(due)
    exercises = []
    count, points, lost = 0, 0.0, 0.0
    for exercise in report.exercises:
        checks = tuple(student_check(c, disclosed=disclosed, until=until)
                       for c in exercise.checks)
        kept = [old for old, new in zip(exercise.checks, checks, strict=True)
                if new.status == "withheld" and old.status != "withheld"]
        if kept:
            count += len(kept)
            points += sum(c.max_score for c in kept)
            lost += sum(c.score for c in kept)
            exercises.append(_exercise(exercise, checks, kept))
        elif checks != exercise.checks:
            exercises.append(replace(exercise, checks=checks))
        else:
            exercises.append(exercise)
    if not count:
        return replace(report, exercises=tuple(exercises))
    before = report.withheld
    withheld = Withheld(count + (before.checks if before else 0),
                        round(points + (before.points if before else 0.0), 6),
                        until if due is not None else (before.until if before else None))
    max_score = max(0.0, round(report.max_score - points, 6))
    return replace(report, exercises=tuple(exercises), withheld=withheld, max_score=max_score,
                   score=min(max_score, max(0.0, round(report.score - lost, 6))))
