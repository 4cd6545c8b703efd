"""The ``github`` format: GitHub Actions workflow commands, and the job summary.

One ``::error`` annotation per check that lost points, on the student's own line when the
feedback carries their traceback, otherwise on the ``def`` line of the function the check is
about (when the submission's sources are passed in), one on the file for an exercise's
diagnosis (one mistake behind several failed checks), and a ``::notice`` with the score.
Values are escaped as the Actions runner expects (``%``, CR and LF in messages; also ``:``
and ``,`` in properties), so student text can never start a command of its own.
:func:`append_step_summary` adds the Markdown report to ``$GITHUB_STEP_SUMMARY``. Both show
the student's view (:func:`grader.detail.for_student`); an annotation's title says whether
the check is ``public`` or ``hidden``, and a ``::notice`` each tells of hidden checks not
graded in this run and of checks whose result shows after the due date (with their names).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from grader.detail import for_student
from grader.render import markdown
from grader.render.common import (
    PROBLEMS,
    checks_of,
    clean,
    location,
    notes,
    submission_file,
    summary,
    tag,
)
from grader.report import Report

#: How much of one check's feedback an annotation carries.
MESSAGE_LIMIT = 4_000


def escape_data(text: str) -> str:
    """Escape a command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command's property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: object) -> str:
    """Return one workflow command line, its values made safe and escaped."""
    props = ",".join(f"{key}={escape_property(clean(value, limit=500))}"
                     for key, value in properties.items() if value is not None)
    return f"::{name}{' ' + props if props else ''}::{escape_data(clean(message, MESSAGE_LIMIT))}"


def render(report: Report, *, sources: Mapping[str, str] | None = None,
           root: str | None = None) -> str:
    """Return the workflow commands of a report, one per line.

    ``sources`` maps exercise ids to the submission's source text; it lets an annotation
    without a traceback point at the function's ``def`` line (otherwise at the file);
    ``root`` is the submission's path in the repository (default: the report's name for it).
    """
    report = for_student(report)
    lines = []
    for exercise in report.exercises:
        if exercise.status == "not_attempted":
            continue  # not started yet: no annotation on every stub of the chapter
        if exercise.diagnosis:  # the cause first, on the file: fix it once, not per check
            lines.append(command("error", exercise.diagnosis,
                                 file=submission_file(report, exercise.id, root),
                                 title=f"{exercise.id}: one mistake behind several checks"))
        for check in checks_of(exercise):
            if check.status not in PROBLEMS:
                continue
            line = location(exercise.id, check, sources)
            label = tag(check)
            lines.append(command(
                "error", check.feedback or check.status,
                file=submission_file(report, exercise.id, root), line=line,
                title=f"{exercise.id}: {clean(check.name, 200)} ({check.status}"
                      f"{' · ' + label if label else ''})"))
    later = [f"{e.id}: {c.name}" for e in report.exercises for c in e.checks
             if c.status == "withheld"]
    for note in notes(report):
        if later and note == report.withheld.line:
            note += " (" + "; ".join(later) + ")"
        lines.append(command("notice", note, title="grade: not in the total"))
    lines.append(command("notice", summary(report), title="grade"))
    return "\n".join(lines) + "\n"


def append_step_summary(report: Report, environ: Mapping[str, str] | None = None) -> bool:
    """Append the Markdown report to ``$GITHUB_STEP_SUMMARY``; False when it is not set."""
    target = (os.environ if environ is None else environ).get("GITHUB_STEP_SUMMARY")
    if not target:
        return False
    with Path(target).open("a", encoding="utf-8") as stream:
        stream.write(markdown.render(report))
    return True
