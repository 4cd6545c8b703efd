"""The ``gradescope`` format: Gradescope's ``results.json``.

Per Gradescope's autograder specification: top-level ``score``, ``execution_time``,
``output``, ``output_format``, ``visibility``, ``stdout_visibility`` and ``tests``, each test
with ``name``, ``number``, ``score``, ``max_score``, ``status`` (``passed``/``failed``),
``output``, ``visibility`` and ``tags`` (``public`` or ``hidden``, and ``summary``). Outputs
are plain ``text`` (nothing a student writes is interpreted as HTML or Markdown on
Gradescope's page).

Gradescope is the gradebook and holds results back itself, so every check keeps its score
here: a ``summary`` check's output has no values (:func:`grader.detail.student_check`), an
``after_due`` check gets Gradescope's own ``after_due_date`` visibility (Gradescope's due
date, extensions included, decides; ``--due`` is not needed) and a hidden check
``after_published``. The text ``output`` shown with them is the student's view
(:func:`grader.detail.for_student`): its per-exercise lines leave kept-back checks out.
"""

from __future__ import annotations

import json

from grader.detail import for_student, student_check
from grader.render.common import checks_of, clean, notes, points, summary
from grader.report import CheckResult, Report


def visibility(check: CheckResult) -> str:
    """Gradescope's visibility of a check's test."""
    if check.visibility == "hidden":  # sealed: the results show once the grades are published
        return "after_published"
    if check.detail == "after_due" or check.status == "withheld":
        return "after_due_date"
    return "visible"


def results(report: Report) -> dict:
    """Return the ``results.json`` document as a dict."""
    tests = []
    for exercise in report.exercises:
        number = exercise.id[2:]
        for index, graded in enumerate(checks_of(exercise), start=1):
            check = student_check(graded, disclosed=True, until="the due date")
            output = clean(check.feedback)
            if check.status == "manual":
                output = output or "A written answer, graded by hand."
            elif check.status != "passed":
                output = f"{check.status}: {output}" if output else check.status
            labels = [t for t in (check.visibility,
                                  "summary" if check.detail == "summary" else None) if t]
            tests.append({
                "name": f"{clean(exercise.id, 50)} · {clean(exercise.title, 500)}: "
                        f"{clean(check.name, 500)}",
                "number": f"{int(number) if number.isascii() and number.isdigit() else 0}"
                          f".{index}",
                "score": check.score,
                "max_score": check.max_score,
                "status": "passed" if check.status in ("passed", "manual", "withheld")
                else "failed",
                "output": output,
                "output_format": "text",
                "visibility": visibility(graded),
                **({"tags": labels} if labels else {}),
            })
    view = for_student(report)  # the text students read leaves kept-back checks out
    lines = [summary(view)]
    for e in view.exercises:
        lines.append(f"{clean(e.id, 50)}: {points(e.score)} / {points(e.max_score)} "
                     f"{e.status.replace('_', ' ')}")
        if e.diagnosis:  # the cause of several failed checks, under its exercise
            lines.append(f"  → {clean(e.diagnosis, 2_000)}")
    lines.extend(clean(line, 1_000) for line in notes(view))
    if report.sandbox is not None and report.sandbox.missing:
        lines.append(f"sandbox: {report.sandbox.level} (missing: "
                     f"{clean(', '.join(report.sandbox.missing), 500)})")
    return {
        "score": report.score,
        "execution_time": max(0, round(report.duration_s)),
        "output": "\n".join(lines),
        "output_format": "text",
        "test_output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def render(report: Report) -> str:
    """Return ``results.json`` as text."""
    return json.dumps(results(report), indent=2, ensure_ascii=False) + "\n"
