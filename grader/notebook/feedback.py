"""Feedback in the student's notebook: a Markdown cell after each exercise's cells.

Each feedback cell (``metadata.grade = {"id": "ex04", "role": "feedback"}``, tag
``grade-feedback``) holds the exercise's score and status, the mistake behind several failed
checks, the failed checks with their feedback and hints, the notes on lines not run, and the
figures as cell attachments. Student text is escaped with the Markdown renderer's helpers
(:func:`grader.render.markdown.cell` and :func:`~grader.render.markdown.code_block`).
Feedback cells of an earlier grading are replaced, and nbconvert's ``HTMLExporter`` turns
the graded notebook into one HTML page.
"""

from __future__ import annotations

import base64
import binascii

from grader.notebook.intake import META, cells_of, last_cells, read
from grader.render.common import PROBLEMS, points, summary
from grader.render.markdown import ICONS, cell, code_block
from grader.report import ExerciseResult, Report, hints

_PNG = b"\x89PNG\r\n\x1a\n"
FEEDBACK_TAG = "grade-feedback"


def exercise_markdown(exercise: ExerciseResult) -> tuple[str, dict]:
    """Return an exercise's feedback as (Markdown, attachments for its figures)."""
    out = [f"### {ICONS.get(exercise.status, '')} Feedback · {cell(exercise.id, 50)} "
           f"{cell(exercise.title)}: **{points(exercise.score)} / "
           f"{points(exercise.max_score)}** ({exercise.status.replace('_', ' ')})"]
    if exercise.diagnosis:
        out.append(f"> **→ {cell(exercise.diagnosis, 2_000)}**")
    if exercise.message:
        out.append(code_block(exercise.message))
    if exercise.status == "not_attempted":
        out.append("Not attempted: every function still raises NotImplementedError.")
    else:
        for check in exercise.checks:
            if check.status in PROBLEMS:
                part = (f"**{ICONS.get(check.status, '')} {cell(check.name)}** "
                        f"({points(check.score)} / {points(check.max_score)}, {check.status})")
                if check.feedback:
                    part += "\n\n" + code_block(check.feedback)
                found = hints(check.feedback)
                if found:
                    part += "\n\n" + "\n".join(f"- Hint: {cell(h, 1_000)}" for h in found)
                out.append(part)
            elif check.status == "manual" and check.feedback:
                out.append(f"**{ICONS['manual']} {cell(check.name)}**\n\n"
                           + code_block(check.feedback))
        passed = sum(1 for c in exercise.checks if c.status == "passed")
        graded = sum(1 for c in exercise.checks if c.status != "manual")
        if graded:
            out.append(f"{passed} of {graded} checks passed.")
    attachments = {}
    for number, figure in enumerate(exercise.figures, start=1):
        try:
            data = base64.b64decode(figure.png_base64, validate=True)
        except (binascii.Error, ValueError):
            data = b""
        if not data.startswith(_PNG):
            out.append(f"Figure {cell(figure.caption)}: not a PNG image")
            continue
        name = f"{exercise.id}-figure{number}.png"
        attachments[name] = {"image/png": base64.b64encode(data).decode("ascii")}
        out.append(f"![{cell(figure.caption, 200)}](attachment:{name})")
    return "\n\n".join(out), attachments


def report_markdown(report: Report) -> str:
    """Return the whole report as the Markdown of the feedback cells, one after the other."""
    return "\n\n".join([f"**{summary(report)}**"]
                       + [exercise_markdown(e)[0] for e in report.exercises])


def report_html(report: Report) -> str:
    """Return the report as an HTML fragment (for ``check`` in a notebook)."""
    from nbconvert.filters.markdown import markdown2html

    return markdown2html(report_markdown(report))


def feedback_cell(exercise: ExerciseResult):
    """Return the feedback Markdown cell of one exercise."""
    from nbformat import v4

    text, attachments = exercise_markdown(exercise)
    new = v4.new_markdown_cell(text, metadata={META: {"id": exercise.id, "role": "feedback"},
                                               "tags": [exercise.id, FEEDBACK_TAG]})
    if attachments:
        new["attachments"] = attachments
    return new


def _is_feedback(notebook_cell) -> bool:
    meta = notebook_cell.get("metadata", {})
    grade = meta.get(META)
    return (isinstance(grade, dict) and grade.get("role") == "feedback") or \
        FEEDBACK_TAG in (meta.get("tags") or ())


def annotate(report: Report, notebook_text: str | None, sources=None):
    """Return the graded notebook: the student's cells with a feedback cell after each
    exercise's last cell (exercises not found in it: at the end, with their code).
    """  # noqa: D205
    import nbformat
    from nbformat import v4

    if notebook_text is not None:
        notebook = read(notebook_text, report.submission)
        notebook.cells = [c for c in notebook.cells if not _is_feedback(c)]
    else:
        notebook = v4.new_notebook()
    last = last_cells(cells_of(notebook))
    after: dict[int, list] = {}
    missing = []
    for exercise in report.exercises:
        if exercise.id in last:
            after.setdefault(last[exercise.id], []).append(feedback_cell(exercise))
        else:
            missing.append(exercise)
    cells = [v4.new_markdown_cell(f"## {cell(report.submission)}: graded\n\n"
                                  f"**{summary(report)}**",
                                  metadata={META: {"role": "feedback"}, "tags": [FEEDBACK_TAG]})]
    for index, notebook_cell in enumerate(notebook.cells, start=1):
        cells.append(notebook_cell)
        cells.extend(after.get(index, []))
    for exercise in missing:
        source = (sources or {}).get(exercise.id)
        if source:
            cells.append(v4.new_code_cell(source, metadata={
                META: {"id": exercise.id, "role": "stub"}, "tags": [exercise.id]}))
        cells.append(feedback_cell(exercise))
    notebook.cells = cells
    nbformat.validate(notebook)
    return notebook


def to_html(notebook_text: str) -> str:
    """Return a graded notebook (its JSON text) as one HTML page (nbconvert's HTMLExporter)."""
    import nbformat
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nbformat.reads(notebook_text, as_version=4))
    return body

