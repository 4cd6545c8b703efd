"""What the renderers share: safe student text, points, where in the submission a check failed.

Every renderer first passes student-produced text through :func:`clean` (lone surrogates,
control characters, ANSI escapes and bidirectional overrides made visible, length capped),
then escapes it for its own format. Every format a student reads renders the student's view
of the report (:func:`grader.detail.for_student`): ``summary`` checks without their values,
``after_due`` checks kept back before the due date.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

from grader import catalog
from grader.report import CheckResult, ExerciseResult, Report
from grader.text import safe_text

#: Statuses of a check that lost points because of the submission.
PROBLEMS = ("failed", "error", "timeout")

_XML_ILLEGAL = re.compile("[\ufffe\uffff]")
_FRAME = re.compile(r'File "(?P<file>ex\d\d)\.py", line (?P<line>\d+)')


def clean(value: object, limit: int | None = 20_000) -> str:
    """Return student text safe to put in any output (before the format's own escaping)."""
    return _XML_ILLEGAL.sub("\ufffd", safe_text(value, limit=limit))


def points(value: float) -> str:
    """Return points as a short number: ``2``, ``1.5``."""
    return f"{value:g}"


def tag(check: CheckResult) -> str:
    """A check's short label: ``public`` or ``hidden``, then ``summary`` (values not shown)."""
    parts = [check.visibility] if check.visibility else []
    if check.detail == "summary":
        parts.append("summary")
    return " · ".join(parts)


def notes(report: Report) -> list[str]:
    """The sentences on points the total leaves out: hidden checks, results after the due date."""
    lines = []
    if report.hidden_not_graded is not None:
        lines.append("public checks only (the total counts their points); "
                     f"{report.hidden_not_graded.line}")
    if report.withheld is not None:
        lines.append(report.withheld.line)
    return lines


def checks_of(exercise: ExerciseResult) -> tuple[CheckResult, ...]:
    """Return the checks of an exercise, or one standing for it when it has none.

    An exercise that did not import (or was not attempted) may carry no check at all; the
    formats that list tests still need one line that says why its points were lost.
    """
    if exercise.checks:
        return exercise.checks
    if exercise.status == "not_attempted":
        feedback = "not attempted: every function still raises NotImplementedError"
    else:
        feedback = exercise.message or exercise.status.replace("_", " ")
    status = "passed" if exercise.status == "passed" else (
        "error" if exercise.status == "error" else "failed")
    return (CheckResult(exercise.title, exercise.score, exercise.max_score, status,
                        "" if status == "passed" else feedback),)


def summary(report: Report) -> str:
    """Return the one-line summary: score, percent, seed."""
    return (f"Score {points(report.score)} / {points(report.max_score)} "
            f"({report.percent:.1f} %) · seed {report.seed}")


def traceback_line(feedback: str, exercise_id: str) -> int | None:
    """Return the student's deepest line in ``exercise_id`` named by a traceback, if any."""
    lines = [int(m["line"]) for m in _FRAME.finditer(feedback) if m["file"] == exercise_id]
    return lines[-1] if lines else None


def _function(exercise_id: str, check: CheckResult) -> str | None:
    try:
        names = catalog.get(exercise_id).names
    except (KeyError, ValueError, LookupError):
        return None
    # a call in the feedback ("kl_divergence(p, q) returned ...") names the function best,
    # then a name in the check's name, then anywhere in the feedback
    for pattern, text in ((r"\b{}\(", check.feedback), (r"\b{}\b", check.name),
                          (r"\b{}\b", check.feedback)):
        found = [(match.start(), name) for name in names
                 if (match := re.search(pattern.format(re.escape(name)), text))]
        if found:
            return min(found)[1]
    return names[0] if names else None


def def_line(source: str | None, name: str | None) -> int | None:
    """Return the line of ``def name`` (or of the assignment of ``name``) in ``source``."""
    if not source or not name:
        return None
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) \
                and node.name == name:
            return node.lineno
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return node.lineno
    return None


def location(exercise_id: str, check: CheckResult,
             sources: Mapping[str, str] | None = None) -> int | None:
    """Return the submission line a failed check points at.

    The student's own line when the feedback carries their traceback, otherwise the ``def``
    line of the function the check is about (when the submission's source is given).
    """
    line = traceback_line(check.feedback, exercise_id)
    if line is not None:
        return line
    source = (sources or {}).get(exercise_id)
    return def_line(source, _function(exercise_id, check))


def submission_file(report: Report, exercise_id: str, root: str | None = None) -> str:
    """Return the path of an exercise's file as the repository names it.

    ``root`` is the submission's path as given on the command line (relative to the
    repository); without it, the report's submission name.
    """
    name = clean(root or report.submission, limit=500).rstrip("/") or "."
    if name.endswith((".ipynb", ".zip")):
        return name
    return f"{name}/{clean(exercise_id, 50)}.py"
