"""The ``gradescope`` format: Gradescope's ``results.json``.

Per Gradescope's autograder specification: top-level ``score``, ``execution_time``,
``output``, ``output_format``, ``visibility``, ``stdout_visibility`` and ``tests``, each test
with ``name``, ``number``, ``score``, ``max_score``, ``status`` (``passed``/``failed``),
``output`` and ``visibility``. Outputs are plain ``text`` (nothing a student writes is
interpreted as HTML or Markdown on Gradescope's page).
"""

from __future__ import annotations

import json

from grader.render.common import checks_of, clean, points, summary
from grader.report import Report


def results(report: Report) -> dict:
    """Return the ``results.json`` document as a dict."""
    tests = []
    for exercise in report.exercises:
        number = exercise.id[2:]
        for index, check in enumerate(checks_of(exercise), start=1):
            output = clean(check.feedback)
            if check.status == "manual":
                output = output or "A written answer, graded by hand."
            elif check.status != "passed":
                output = f"{check.status}: {output}" if output else check.status
            tests.append({
                "name": f"{clean(exercise.id, 50)} · {clean(exercise.title, 500)}: "
                        f"{clean(check.name, 500)}",
                "number": f"{int(number) if number.isascii() and number.isdigit() else 0}"
                          f".{index}",
                "score": check.score,
                "max_score": check.max_score,
                "status": "passed" if check.status in ("passed", "manual") else "failed",
                "output": output,
                "output_format": "text",
                # hidden checks are sealed: their results show once the grades are published
                "visibility": "after_published" if check.visibility == "hidden" else "visible",
            })
    lines = [summary(report)]
    for e in report.exercises:
        lines.append(f"{clean(e.id, 50)}: {points(e.score)} / {points(e.max_score)} "
                     f"{e.status.replace('_', ' ')}")
        if e.diagnosis:  # the cause of several failed checks, under its exercise
            lines.append(f"  → {clean(e.diagnosis, 2_000)}")
    if report.hidden_not_graded is not None:
        lines.append(f"public checks only: {report.hidden_not_graded.line}")
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
