"""The ``markdown`` format: a summary line, a table per exercise, the feedback of lost points.

Made for a pull-request comment or a GitHub job summary: it stays under GitHub's 65,536
characters (whole blocks are dropped from the end, with a note, when a report is longer).
Student text appears in table cells escaped character by character (no Markdown, no HTML
takes effect) and in code blocks whose fence is longer than any run of backticks inside.
It shows the student's view (:func:`grader.detail.for_student`), each check labelled
``public`` or ``hidden`` (and ``summary`` when its values are not shown).
"""

from __future__ import annotations

import html
import re

from grader.detail import for_student
from grader.render.common import PROBLEMS, clean, notes, points, summary, tag
from grader.report import CheckResult, Report

#: GitHub's limit on a comment or a job summary.
LIMIT = 65_536
#: How much of one check's feedback a report shows.
FEEDBACK_LIMIT = 4_000

ICONS = {"passed": "✅", "partial": "🟡", "failed": "❌", "error": "💥",
         "not_attempted": "⬜", "timeout": "⏱️", "manual": "✍️", "withheld": "⏳"}
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def cell(value: object, limit: int = 500) -> str:
    """Return text for one table cell or heading: inline, every Markdown character escaped."""
    text = html.escape(clean(value, limit=limit), quote=False)
    text = _SPECIAL.sub(r"\\\1", text)
    return text.replace("\t", " ").replace("\n", "<br>")


def code_block(value: object, limit: int = FEEDBACK_LIMIT) -> str:
    """Return text as a fenced code block that nothing inside it can close."""
    text = clean(value, limit=limit)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def check_row(check: CheckResult) -> str:
    """One check's row: its name and label, points, status (a kept-back one: until when)."""
    label = tag(check)
    name = cell(check.name) + (f" · _{label}_" if label else "")
    if check.status == "withheld":
        return f"| {name} | — | {ICONS['withheld']} {cell(check.feedback)} |"
    return (f"| {name} | {points(check.score)} / {points(check.max_score)} | "
            f"{ICONS.get(check.status, '')} {check.status} |")


def blocks(report: Report) -> list[str]:
    """Return the report (the student's view of it) as Markdown blocks (cut only between)."""
    report = for_student(report)
    out = [f"## grade · {cell(report.submission)}",
           f"**{summary(report)}**", *(cell(line, 1_000) for line in notes(report))]
    if report.sandbox is not None and report.sandbox.missing:
        out.append(f"Sandbox: {report.sandbox.level} (missing: "
                   f"{cell(', '.join(report.sandbox.missing))})")
    rows = ["| Exercise | Score | Status |", "| --- | ---: | --- |"]
    for exercise in report.exercises:
        rows.append(f"| {cell(exercise.id, 50)} {cell(exercise.title)} | "
                    f"{points(exercise.score)} / {points(exercise.max_score)} | "
                    f"{ICONS.get(exercise.status, '')} {exercise.status.replace('_', ' ')} |")
    out.append("\n".join(rows))
    for exercise in report.exercises:
        out.append(f"### {cell(exercise.id, 50)} · {cell(exercise.title)}: "
                   f"{points(exercise.score)} / {points(exercise.max_score)}")
        if exercise.diagnosis:  # the cause first: fix it once, not each check it broke
            out.append(f"> **→ {cell(exercise.diagnosis, 2_000)}**")
        if exercise.message:
            out.append(code_block(exercise.message))
        # an exercise without checks (it did not import) is told by its message above
        checks = exercise.checks if exercise.status != "not_attempted" else ()
        if exercise.status == "not_attempted":
            out.append("Not attempted: every function still raises NotImplementedError.")
        if checks:
            rows = ["| Check | Points | Status |", "| --- | ---: | --- |"]
            rows.extend(check_row(check) for check in checks)
            out.append("\n".join(rows))
        for check in checks:
            # a manual check with points was marked by hand: its feedback is the comment
            marked = check.status == "manual" and check.max_score > 0
            if (check.status in PROBLEMS or marked) and check.feedback:
                out.append(f"**{cell(check.name)}** ({check.status})\n\n"
                           + code_block(check.feedback))
        if exercise.written is not None:
            out.append("<details><summary>Written answer (graded by hand)</summary>\n\n"
                       + code_block(exercise.written) + "\n\n</details>")
        for figure in exercise.figures:
            out.append(f"Figure: {cell(figure.caption)} (shown in the HTML report)")
    return out


def render(report: Report, *, limit: int = LIMIT) -> str:
    """Return the report as Markdown of at most ``limit`` characters."""
    parts = blocks(report)
    text = "\n\n".join(parts) + "\n"
    if len(text) <= limit:
        return text
    kept: list[str] = []
    size = 0
    note_room = 200
    for part in parts:
        if size + len(part) + 2 > limit - note_room:
            break
        kept.append(part)
        size += len(part) + 2
    dropped = len(parts) - len(kept)
    note = (f"> **Report truncated**: {dropped} more sections did not fit in {limit:,} "
            "characters; the JSON or HTML report has everything.")
    return "\n\n".join([*kept, note]) + "\n"
