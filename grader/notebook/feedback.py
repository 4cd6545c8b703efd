"""Feedback in the student's notebook: a Markdown cell after each exercise's cells.

Each feedback cell (``metadata.grade = {"id": "ex04", "role": "feedback"}``, tag
``grade-feedback``) holds the exercise's score and status, the mistake behind several failed
checks, the failed checks with their feedback and hints, the notes on lines not run, and the
figures as cell attachments. Student text is escaped with the Markdown renderer's helpers
(:func:`grader.render.markdown.cell` and :func:`~grader.render.markdown.code_block`).
Feedback cells of an earlier grading are replaced, and nbconvert's ``HTMLExporter`` turns
the graded notebook into one HTML page. The cells show the student's view
(:func:`grader.detail.for_student`): each check listed is labelled ``public`` or ``hidden``
(and ``summary`` when its values are not shown), a check whose result shows after the due date
says so, and the first cell tells of the points the total leaves out.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
import secrets

from grader.detail import for_student
from grader.notebook.intake import META, cells_of, last_cells, read
from grader.render.common import PROBLEMS, notes, points, summary, tag
from grader.render.markdown import ICONS, cell, code_block
from grader.report import ExerciseResult, Report, hints

_PNG = b"\x89PNG\r\n\x1a\n"
FEEDBACK_TAG = "grade-feedback"
#: the notebook metadata key of a ``grade --execute`` run's account (``metadata.grade``)
EXECUTION = "execution"
#: proves that an account was written by this process's ``--execute``, not by the student
_STAMP = secrets.token_hex(16)


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
            label = f", {tag(check)}" if tag(check) else ""
            if check.status == "withheld":
                out.append(f"**{ICONS['withheld']} {cell(check.name)}** "
                           f"({cell(check.feedback)}{label})")
            elif check.status in PROBLEMS:
                part = (f"**{ICONS.get(check.status, '')} {cell(check.name)}** "
                        f"({points(check.score)} / {points(check.max_score)}, {check.status}"
                        f"{label})")
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
        graded = sum(1 for c in exercise.checks if c.status not in ("manual", "withheld"))
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


def _heading(report: Report) -> str:
    """The score line and the sentences on points the total leaves out."""
    return "\n\n".join([f"**{summary(report)}**", *(cell(n, 1_000) for n in notes(report))])


def report_markdown(report: Report) -> str:
    """Return the whole report (the student's view) as the feedback cells' Markdown in order."""
    report = for_student(report)
    return "\n\n".join([_heading(report)] + [exercise_markdown(e)[0] for e in report.exercises])


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

    report = for_student(report)
    if notebook_text is not None:
        notebook = read(notebook_text, report.submission)
        notebook.cells = [c for c in notebook.cells if not _is_feedback(c)]
    else:
        notebook = v4.new_notebook()
    execution = _take_execution(notebook)
    last = last_cells(cells_of(notebook))
    after: dict[int, list] = {}
    missing = []
    for exercise in report.exercises:
        if exercise.id in last:
            after.setdefault(last[exercise.id], []).append(feedback_cell(exercise))
        else:
            missing.append(exercise)
    ran = f"\n\nOutputs (`grade --execute`): {cell(execution['message'], 600)}" \
        if execution else ""
    cells = [v4.new_markdown_cell(f"## {cell(report.submission)}: graded\n\n"
                                  f"{_heading(report)}{ran}",
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
    _stable_ids(cells, notebook.cells)
    notebook.cells = cells
    if execution:
        notebook.metadata.setdefault(META, {})[EXECUTION] = execution
    nbformat.validate(notebook)
    return notebook


def _stable_ids(cells: list, students: list) -> None:
    """Number the cells made here (``grade-1``, ...) instead of nbformat's random ids.

    The same report and notebook then give the same bytes (``grade batch`` rebuilds its
    outputs); an id a student's cell already holds is skipped.
    """
    theirs = {id(c) for c in students}
    taken = {c.get("id") for c in students}
    number = 0
    for new in cells:
        if id(new) in theirs:
            continue
        number += 1
        while f"grade-{number}" in taken:
            number += 1
        new["id"] = f"grade-{number}"


def stamp_execution(notebook, execution) -> None:
    """Record a ``grade --execute`` run's account in the notebook's metadata, stamped.

    :func:`annotate` shows an account only with this process's stamp: the same metadata
    written by a student into their notebook is dropped.
    """
    account = {"status": execution.status, "message": execution.message,
               "seconds": round(execution.seconds, 3), "cells": execution.cells,
               "sandbox": execution.sandbox.get("level", "unknown")}
    if not isinstance(notebook.metadata.get(META), dict):
        notebook.metadata[META] = {}
    notebook.metadata[META][EXECUTION] = {**account, "stamp": _STAMP}


def _take_execution(notebook) -> dict | None:
    """Remove any run's account from the notebook's metadata; return it if this process's."""
    grade = notebook.metadata.get(META)
    if not isinstance(grade, dict) or EXECUTION not in grade:
        return None
    account = grade.pop(EXECUTION)
    if not grade:
        del notebook.metadata[META]
    if not isinstance(account, dict) or not hmac.compare_digest(
            str(account.get("stamp", "")), _STAMP):
        return None
    account = dict(account)
    del account["stamp"]
    return account if isinstance(account.get("message"), str) else None


#: The HTML a student's Markdown and outputs may keep in the page (besides bleach's own list):
#: text, tables, lists and code; never scripts, styles, frames, forms or remote images.
SAFE_TAGS = ("p", "div", "span", "pre", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
             "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "sub", "sup",
             "dl", "dt", "dd", "del", "ins", "kbd", "samp", "var", "small", "mark", "img")
SAFE_ATTRIBUTES = {"a": lambda tag, name, value: name in ("title", "class") or (
                       name == "href" and not value.strip().lower().startswith("data:")),
                   "abbr": ["title"], "acronym": ["title"],
                   "th": ["colspan", "rowspan"], "td": ["colspan", "rowspan"],
                   **{f"h{n}": ["id"] for n in range(1, 7)},
                   "img": lambda tag, name, value: name == "alt" or (
                       name == "src" and value.startswith("data:image/")),
                   "*": ["class"]}


def clean_html(html: str) -> str:
    """Student HTML made inert: :data:`SAFE_TAGS` kept, every other tag shown as text."""
    import bleach

    return bleach.clean(html, tags={*bleach.ALLOWED_TAGS, *SAFE_TAGS},
                        attributes=SAFE_ATTRIBUTES, protocols={"http", "https", "mailto", "data"})


def to_html(notebook_text: str) -> str:
    """Return a graded notebook (its JSON text) as one HTML page (nbconvert's HTMLExporter).

    What the student wrote runs nothing in the page: their Markdown is cleaned once rendered
    (:func:`clean_html`: no script, no handler, no ``javascript:`` link), their raw cells and
    outputs go through nbconvert's ``SanitizeHTML`` (HTML cleaned, JavaScript and unknown
    kinds of output dropped). The feedback cells are the grader's, student text escaped.
    """
    import bleach
    import nbformat
    from nbconvert.preprocessors.sanitize import SanitizeHTML

    notebook = nbformat.reads(notebook_text, as_version=4)
    sanitizer = SanitizeHTML(tags=sorted({*bleach.ALLOWED_TAGS, *SAFE_TAGS} - {"img"}),
                             attributes=SAFE_ATTRIBUTES)
    for index, notebook_cell in enumerate(notebook.cells):
        if notebook_cell.cell_type != "markdown" and not _is_feedback(notebook_cell):
            sanitizer.preprocess_cell(notebook_cell, {}, index)
    body, _ = _exporter().from_notebook_node(notebook)
    return body


@functools.cache
def _exporter():
    """One HTMLExporter for every page (its templates load once: ``grade batch``)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.html import contextfilter

    class Exporter(HTMLExporter):
        """nbconvert's HTML, with the student's rendered Markdown cleaned."""

        @contextfilter
        def markdown2html(self, context, source):
            html = super().markdown2html(context, source)
            return html if _is_feedback(context.get("cell", {})) else clean_html(html)

    return Exporter()

