"""The ``table`` format: a rich table of exercises, failed checks with feedback, the total."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader.report import ExerciseResult, Report

STYLES = {"passed": "green", "partial": "yellow", "failed": "red", "error": "red",
          "not_attempted": "dim", "timeout": "red", "manual": "cyan"}
MARKS = {"failed": "✗", "error": "!", "timeout": "⏱", "manual": "✎"}


def _points(value: float) -> str:
    return f"{value:g}"


def _rows(table: Table, exercise: ExerciseResult) -> None:
    style = STYLES.get(exercise.status, "")
    table.add_row(exercise.id, Text(exercise.title, style="bold"),
                  f"{_points(exercise.score)} / {_points(exercise.max_score)}",
                  Text(exercise.status.replace("_", " "), style=style))
    if exercise.message:
        table.add_row("", Text(exercise.message, style="red"), "", "")
        return
    if exercise.status == "not_attempted":
        return
    for check in exercise.checks:
        if check.status == "passed":
            continue
        mark = MARKS.get(check.status, "✗")
        table.add_row("", Text(f"{mark} {check.name}", style=STYLES.get(check.status, "")),
                      f"{_points(check.score)} / {_points(check.max_score)}",
                      Text(check.status, style=STYLES.get(check.status, "")))
        if check.feedback:
            table.add_row("", Text("  " + check.feedback.replace("\n", "\n  "), style="dim"),
                          "", "")


def build(report: Report) -> Table:
    """Return the rich table of a report."""
    table = Table(title=f"grade · {report.submission} · seed {report.seed}",
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


def footer(report: Report) -> str:
    """Return the line under the table: time, sandbox, how to re-run the same cases."""
    parts = [f"{report.duration_s:.1f} s"]
    if report.sandbox is not None:
        missing = report.sandbox.missing
        missing = f" (missing: {', '.join(missing)})" if missing else ""
        parts.append(f"sandbox: {report.sandbox.level}{missing}")
    parts.append(f"same cases again: --seed {report.seed}")
    return " · ".join(parts)


def render(report: Report, *, color: bool = False, width: int = 100) -> str:
    """Return the table as text (with ANSI colours when ``color``)."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, no_color=not color,
                      highlight=False, soft_wrap=False)
    console.print(build(report))
    console.print(footer(report), style="dim")
    return buffer.getvalue()
