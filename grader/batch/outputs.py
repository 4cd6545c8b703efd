"""Everything ``grade batch`` writes besides the database, rebuilt from the database.

``gradebook.csv`` (one row per student, sorted; the same database gives the same bytes),
``reports/<student>.json`` (``grade-report/1``, the instructor's whole report) and
``reports/<student>.md`` (and for a notebook submission ``reports/<student>.ipynb``, the
student's notebook with a feedback cell after each exercise, and its HTML
``reports/<student>.html``; these three are the student's view for the batch's due date),
``written.csv`` (the written answers for manual grading), ``skipped.csv`` and
``summary.html`` (:mod:`grader.batch.summary`). The marks merged by hand
(:mod:`grader.batch.manual`) are applied to the reports first, so every output counts them.
In every CSV file a text cell that a spreadsheet would run as a formula starts with a quote
(:mod:`grader.batch.sheet`); scores and points stay numbers.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from grader import catalog
from grader.batch import manual, sheet
from grader.batch.store import Row, Store
from grader.report import Report

GRADEBOOK = "gradebook.csv"
WRITTEN = "written.csv"
SKIPPED = "skipped.csv"
REPORTS = "reports"

#: The marks given by hand: student -> exercise -> (points, comment) (``Store.manual``).
Marks = dict[str, dict[str, tuple[float, str]]]


def _csv(rows: list[list[sheet.Cell]]) -> str:
    """CSV text; text cells made safe for a spreadsheet, numbers left numbers (:mod:`sheet`)."""
    return sheet.csv_text(rows)


def _write(path: Path, text: str) -> None:
    """Write a file atomically (a crash never leaves half a gradebook)."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def report_file_stem(student: str) -> str:
    """A student id as a file name: no path separators, not hidden."""
    stem = student.replace("/", "_").replace("\\", "_").replace("\0", "_")
    return "_" + stem if stem.startswith(".") or not stem else stem


def gradebook(rows: list[Row], marks: Marks | None = None) -> str:
    """The gradebook's CSV text: student, ex01..ex16, manual, total, status, graded_at, hash.

    ``rows`` carry the marks given by hand already (:func:`grader.batch.manual.merged`):
    an exercise's column and the total include them, ``manual`` is their sum (empty for a
    student with none).
    """
    ids = [e.id for e in catalog.EXERCISES]
    table = [["student", *ids, "manual", "total", "status", "graded_at", "content_hash"]]
    for row in rows:
        scores = {e["id"]: e["score"] for e in (row.report or {}).get("exercises", [])}
        total = row.score if row.status == "graded" else (row.score or 0.0)
        given = [p for e, (p, _) in (marks or {}).get(row.student, {}).items() if e in scores]
        table.append([row.student, *(scores.get(e) for e in ids),
                      sum(given) if given else None, total,
                      row.status, row.graded_at, row.content_hash])
    return _csv(table)


def written(rows: list[Row], marks: Marks | None = None) -> str:
    """The written answers, a sheet to mark them in and merge back (``--merge-manual``).

    student, exercise, max_points, points, comment (the marks merged so far), written_answer.
    """
    table = [["student", "exercise", "max_points", "points", "comment", "written_answer"]]
    for row in rows:
        given = (marks or {}).get(row.student, {})
        for exercise in (row.report or {}).get("exercises", []):
            if exercise.get("written") is not None:
                points, comment = given.get(exercise["id"], (None, ""))
                table.append([row.student, exercise["id"],
                              catalog.get(exercise["id"]).written_points,
                              points, comment, exercise["written"]])
    return _csv(table)


def feedback_notebook(stem: Path, report: Report | None, notebook: str | None) -> None:
    """Write ``<stem>.ipynb`` and ``<stem>.html``: the student's notebook with the feedback.

    Only for a graded notebook submission; otherwise such files left by an earlier run go.
    """
    from grader.render.notebook import render, to_html

    graded, page = stem.with_name(stem.name + ".ipynb"), stem.with_name(stem.name + ".html")
    if report is None or notebook is None:
        graded.unlink(missing_ok=True)
        page.unlink(missing_ok=True)
        return
    text = render(report, notebook=notebook)
    _write(graded, text)
    _write(page, to_html(text))


def write_all(store: Store, out: Path, *, due: datetime | None = None,
              now: datetime | None = None) -> dict[str, int]:
    """Write every output from the database into ``out``; return counts by status.

    What students receive (``reports/<student>.md``, ``.ipynb``, ``.html``) is their view of
    the report for the due date ``due`` at ``now`` (default: the clock;
    :func:`grader.detail.for_student`): without a due date the ``after_due`` checks stay
    kept back. ``reports/<student>.json`` is the instructor's whole report.
    """
    from grader.batch import summary
    from grader.detail import for_student
    from grader.render import markdown

    marks = store.manual()
    rows = manual.merged(store.rows(), marks)
    reports = out / REPORTS
    reports.mkdir(parents=True, exist_ok=True)
    _write(out / GRADEBOOK, gradebook(rows, marks))
    _write(out / WRITTEN, written(rows, marks))
    _write(out / SKIPPED, _csv([["entry", "reason"], *store.skipped()]))
    counts: dict[str, int] = {}
    parsed = {row.student: summary.read_report(row.report) for row in rows if row.report}
    histograms = summary.start_histograms(rows, parsed)  # drawn while the reports are written
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
        stem = report_file_stem(row.student)
        data = row.report
        if data is None:
            data = {"student": row.student, "status": row.status, "message": row.message}
            _write(reports / f"{stem}.json", json.dumps(data, indent=2, ensure_ascii=False)
                   + "\n")
            _write(reports / f"{stem}.md", f"# {row.student}\n\nNot graded ({row.status}): "
                   f"{markdown.cell(row.message or '')}\n")
            feedback_notebook(reports / stem, None, None)
            continue
        _write(reports / f"{stem}.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        report = parsed.get(row.student)
        if report is None:
            _write(reports / f"{stem}.md", f"# {row.student}\n\nThis report was written by "
                   "a grader that this one cannot read: grade the submission again.\n")
            feedback_notebook(reports / stem, None, None)
            continue
        view = for_student(report, due=due, now=now)
        text = markdown.render(view)
        if row.status != "graded":
            text = f"> **{row.status}**: {markdown.cell(row.message or '')}\n\n" + text
        _write(reports / f"{stem}.md", text)
        feedback_notebook(reports / stem, view, store.notebook(row.student))
    _write(out / summary.SUMMARY, summary.render(rows, store.sources(), due=due,
                                                 reports=parsed, histograms=histograms))
    return counts
