"""Everything ``grade batch`` writes besides the database, rebuilt from the database.

``gradebook.csv`` (one row per student, sorted; the same database gives the same bytes),
``reports/<student>.json`` (``grade-report/1``) and ``reports/<student>.md``,
``written.csv`` (the written answers for manual grading) and ``skipped.csv``.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from grader import catalog
from grader.batch.store import Row, Store
from grader.report import Report

GRADEBOOK = "gradebook.csv"
WRITTEN = "written.csv"
SKIPPED = "skipped.csv"
REPORTS = "reports"


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return format(round(float(value), 4), "g")


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue()


def _write(path: Path, text: str) -> None:
    """Write a file atomically (a crash never leaves half a gradebook)."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def report_file_stem(student: str) -> str:
    """A student id as a file name: no path separators, not hidden."""
    stem = student.replace("/", "_").replace("\\", "_").replace("\0", "_")
    return "_" + stem if stem.startswith(".") or not stem else stem


def gradebook(rows: list[Row]) -> str:
    """The gradebook's CSV text: student, ex01..ex16, total, status, graded_at, content hash."""
    ids = [e.id for e in catalog.EXERCISES]
    table = [["student", *ids, "total", "status", "graded_at", "content_hash"]]
    for row in rows:
        scores = {e["id"]: e["score"] for e in (row.report or {}).get("exercises", [])}
        total = row.score if row.status == "graded" else (row.score or 0.0)
        table.append([row.student, *(_number(scores.get(e)) for e in ids), _number(total),
                      row.status, row.graded_at, row.content_hash])
    return _csv(table)


def written(rows: list[Row]) -> str:
    """The written answers: student, exercise, text."""
    table = [["student", "exercise", "written_answer"]]
    for row in rows:
        for exercise in (row.report or {}).get("exercises", []):
            if exercise.get("written") is not None:
                table.append([row.student, exercise["id"], exercise["written"]])
    return _csv(table)


def write_all(store: Store, out: Path) -> dict[str, int]:
    """Write every output from the database into ``out``; return counts by status."""
    from grader.render import markdown

    rows = store.rows()
    reports = out / REPORTS
    reports.mkdir(parents=True, exist_ok=True)
    _write(out / GRADEBOOK, gradebook(rows))
    _write(out / WRITTEN, written(rows))
    _write(out / SKIPPED, _csv([["entry", "reason"], *store.skipped()]))
    counts: dict[str, int] = {}
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
            continue
        _write(reports / f"{stem}.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        text = markdown.render(Report.from_dict(data))
        if row.status != "graded":
            text = f"> **{row.status}**: {markdown.cell(row.message or '')}\n\n" + text
        _write(reports / f"{stem}.md", text)
    return counts
