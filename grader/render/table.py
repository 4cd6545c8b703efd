"""The ``table`` format: a rich table of exercises, failed checks with feedback, the total.

It shows the student's view (:func:`grader.detail.for_student`); each check listed is
labelled ``public`` or ``hidden`` (and ``summary`` when its values are not shown).
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader.detail import for_student
from grader.render.common import clean, notes, tag
from grader.report import ExerciseResult, Report

STYLES = {"passed": "green", "partial": "yellow", "failed": "red", "error": "red",
          "not_attempted": "dim", "timeout": "red", "manual": "cyan", "withheld": "dim"}
MARKS = {"failed": "✗", "error": "!", "timeout": "⏱", "manual": "✎", "withheld": "⏳"}
PREVIEW_WORDS = 12


def written_preview(text: str, words: int = PREVIEW_WORDS) -> str:
    """Confirm a written answer was received: its first words and its length."""
    parts = text.split()
    start = " ".join(parts[:words]) + (" …" if len(parts) > words else "")
    count = f"{len(parts)} word{'s' if len(parts) != 1 else ''}"
    return f"received: “{start}” ({count}, {len(text)} characters)"


def _points(value: float) -> str:
    return f"{value:g}"


def _rows(table: Table, exercise: ExerciseResult) -> None:
    style = STYLES.get(exercise.status, "")
    table.add_row(Text(clean(exercise.id, 50)), Text(clean(exercise.title, 500), style="bold"),
                  f"{_points(exercise.score)} / {_points(exercise.max_score)}",
                  Text(exercise.status.replace("_", " "), style=style))
    if exercise.message:
        table.add_row("", Text(exercise.message, style="red"), "", "")
        return
    if exercise.status == "not_attempted":
        return
    if exercise.diagnosis:  # the cause first: fix it once, not each check it broke
        table.add_row("", Text(f"→ {exercise.diagnosis}", style="bold yellow"), "", "")
    for check in exercise.checks:
        if check.status == "passed":
            continue
        mark = MARKS.get(check.status, "✗")
        name = Text(f"{mark} {check.name}", style=STYLES.get(check.status, ""))
        label = tag(check)  # public: students can read it in grader/public
        if label:
            name.append(f" {label}", style="dim cyan")
        table.add_row("", name,
                      "—" if check.status == "withheld"
                      else f"{_points(check.score)} / {_points(check.max_score)}",
                      Text(check.status, style=STYLES.get(check.status, "")))
        if check.feedback:
            table.add_row("", Text("  " + check.feedback.replace("\n", "\n  "), style="dim"),
                          "", "")
        elif check.status == "manual" and exercise.written:
            table.add_row("", Text("  " + written_preview(exercise.written), style="dim"),
                          "", "")


def build(report: Report) -> Table:
    """Return the rich table of a report (the student's view of it)."""
    report = for_student(report)
    table = Table(title=Text(f"grade · {clean(report.submission, 500)} · seed {report.seed}"),
                  title_justify="left", show_lines=False, expand=False)
    table.add_column("Ex", no_wrap=True)
    table.add_column("Exercise / check", overflow="fold", ratio=1)
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    for exercise in report.exercises:
        _rows(table, exercise)
    total = f"{_points(report.score)} / {_points(report.max_score)}"
    table.add_section()
    table.add_row("", Text("Total", style="bold"), Text(total, style="bold"),
                  f"{report.percent:.1f} %")
    return table


def footer(report: Report, *, verbose: bool = False) -> str:
    """Return the line under the table: time, sandbox, how to re-run the same cases.

    The sandbox is one calm word for students (the level is the machine's, not theirs to
    fix, and does not change a grade); ``verbose`` adds what is missing and what holds.
    """
    parts = [f"{report.duration_s:.1f} s"]
    if report.sandbox is not None:
        if verbose:
            parts.append(f"sandbox: {report.sandbox.level}")
        elif report.sandbox.level == "full":
            parts.append("sandboxed")
        else:
            parts.append("sandboxed (partly here; --verbose says more)")
    parts.append(f"same cases again: --seed {report.seed}")
    return "\n".join([" · ".join(parts), *notes(for_student(report))])


def sandbox_details(report: Report) -> list[str]:
    """The sandbox's missing layers and the layers that hold, one line each (--verbose)."""
    if report.sandbox is None:
        return []
    lines = [f"sandbox missing: {m}" for m in report.sandbox.missing]
    if report.sandbox.layers:
        lines.append("sandbox layers: " + "; ".join(report.sandbox.layers))
    return lines


def render(report: Report, *, color: bool = False, width: int = 100,
           verbose: bool = False) -> str:
    """Return the table as text (with ANSI colours when ``color``; details when ``verbose``)."""
    report = for_student(report)
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, no_color=not color,
                      highlight=False, soft_wrap=False)
    console.print(build(report))
    console.print(footer(report, verbose=verbose), style="dim", markup=False)
    if verbose:
        for line in sandbox_details(report):
            console.print(line, style="dim")
    return buffer.getvalue()
