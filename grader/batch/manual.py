"""Marks given by hand for the written parts: ``grade batch --out OUT --merge-manual FILE``.

The file is a CSV with a header: ``student``, ``exercise``, ``points`` and optionally
``comment`` (``max_points`` and ``written_answer``, the other columns of ``written.csv``,
are read and ignored, so that sheet can be filled in and merged back; the quote that
:mod:`grader.batch.sheet` puts before a formula-like id or comment is taken off). Every row
is checked before anything is stored: the student must have a report in the batch, the
exercise a written part that was graded for that student, the points a number from 0 to the
written part's marks (:data:`grader.catalog.WRITTEN_POINTS`). A row with neither points nor a
comment is a written part not marked yet and is left out.

The marks live in the database apart from the reports; :func:`apply` adds them to a report
when the outputs are written: the written check gets the points, the marks and the comment,
its exercise and the report count them, so merging twice, or regrading, changes nothing.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

from grader import catalog
from grader.batch import sheet
from grader.batch.store import Row
from grader.report import CheckResult, ExerciseResult, Report

REQUIRED = ("student", "exercise", "points")
OPTIONAL = ("comment", "max_points", "written_answer")
#: The longest file read (a class's marks are a few kilobytes).
MAX_BYTES = 16 << 20
_EXERCISE = re.compile(r"(?:ex)?0*(\d{1,2})", re.IGNORECASE)
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")


class ManualError(Exception):
    """A marks file that cannot be merged: one line naming the row and the problem."""


@dataclass(frozen=True)
class Mark:
    """One written part marked by hand."""

    row: int          # the row in the file (the header is row 1, as in a spreadsheet)
    student: str
    exercise: str
    points: float
    comment: str


def _text(data: bytes, name: str) -> str:
    """The file's text: UTF-8 with or without a BOM; undecodable bytes kept as surrogates."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ManualError(f"{name} is UTF-16 text: save it as CSV (UTF-8)")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    return data.decode("utf-8", "surrogateescape")


def _not_utf8(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)


def _shown(value: str, limit: int = 40) -> str:
    """A cell as a message shows it: escaped, cut."""
    text = value if len(value) <= limit else value[:limit] + "..."
    return repr(text.encode("utf-8", "backslashreplace").decode("utf-8"))


def _delimiter(text: str) -> str:
    """Commas, or the semicolons or tabs of a spreadsheet's export, told by the header."""
    header = text.split("\n", 1)[0]
    return max(",;\t", key=header.count) if any(d in header for d in ",;\t") else ","


def exercise_id(value: str) -> str | None:
    """``ex04``, ``ex4``, ``4`` or ``EX04`` as a catalog id; None when it names none."""
    match = _EXERCISE.fullmatch(value.strip())
    if not match:
        return None
    found = f"ex{int(match.group(1)):02d}"
    return found if found in catalog.BY_ID else None


def _points(value: str) -> float | None:
    value = value.strip()
    if _DECIMAL_COMMA.fullmatch(value):
        value = value.replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def read(path: str | Path, rows: list[Row]) -> list[Mark]:
    """Read and check a marks file against the batch's results; raise :class:`ManualError`.

    Nothing is returned unless every row is valid: the error names the first bad row (and
    how many more there are).
    """
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ManualError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise ManualError(f"{path} is larger than {MAX_BYTES >> 20} MiB: not a marks file")
    text = _text(data, str(path))
    if not text.strip():
        raise ManualError(f"{path} is empty: its first row must be the header "
                          "student,exercise,points,comment")
    records = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next(records)
    except csv.Error as exc:
        raise ManualError(f"{path}: row 1: {exc}") from None
    columns = [c.strip().lower() for c in header]
    known = {c: i for i, c in enumerate(columns)}
    problems: list[str] = []
    if any(_not_utf8(c) for c in columns):
        raise ManualError(f"{path}: row 1: not UTF-8 text: save the file as CSV (UTF-8)")
    for column in columns:
        if column not in REQUIRED + OPTIONAL:
            problems.append(f"row 1: unknown column {_shown(column)} (the columns are "
                            "student, exercise, points, comment)")
        elif columns.count(column) > 1:
            problems.append(f"row 1: column {column!r} is given twice")
    missing = [c for c in REQUIRED if c not in known]
    if missing:
        problems.insert(0, f"row 1: no {', '.join(missing)} column (the header must name "
                           "student, exercise, points and optionally comment)")
    if problems:
        raise ManualError(_summary(path, problems))
    reports = {r.student: r for r in rows}
    marks: list[Mark] = []
    seen: dict[tuple[str, str], int] = {}
    number = 1
    while True:
        try:
            record = next(records)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(f"row {number + 1}: {exc}")
            break
        number += 1
        if not any(cell.strip() for cell in record):
            continue
        mark = _mark(number, record, known, len(columns), reports, problems)
        if mark is None:
            continue
        key = (mark.student, mark.exercise)
        if key in seen:
            problems.append(f"row {number}: {mark.exercise} of {_shown(mark.student)} is "
                            f"already marked in row {seen[key]}")
            continue
        seen[key] = number
        marks.append(mark)
    if problems:
        raise ManualError(_summary(path, problems))
    return marks


def _summary(path: Path, problems: list[str]) -> str:
    more = len(problems) - 1
    tail = f" (and {more} more {'problem' if more == 1 else 'problems'})" if more else ""
    return f"{path}: {problems[0]}{tail}"


def _mark(number: int, record: list[str], known: dict[str, int], width: int,
          reports: dict[str, Row], problems: list[str]) -> Mark | None:
    """Check one data row; append its problem and return None when it is not valid."""
    def fail(message: str) -> None:
        problems.append(f"row {number}: {message}")

    if len(record) > width:
        fail(f"{len(record)} cells, but the header names {width} columns")
        return None
    if any(_not_utf8(cell) for cell in record):
        fail("not UTF-8 text: save the file as CSV (UTF-8)")
        return None
    cells = {c: (record[i].strip() if i < len(record) else "") for c, i in known.items()}
    # written.csv quotes the text a spreadsheet would run as a formula ('=...): undo it
    student, given, points_text = sheet.read_text(cells["student"]), cells["exercise"], \
        cells["points"]
    comment = sheet.read_text(cells.get("comment", ""))
    if not points_text and not comment:
        return None  # not marked yet
    if not student:
        fail("no student")
        return None
    row = reports.get(student)
    if row is None:
        fail(f"unknown student {_shown(student)}: not in this batch")
        return None
    exercise = exercise_id(given)
    if exercise is None:
        fail(f"unknown exercise {_shown(given)}")
        return None
    written = [e.id for e in catalog.EXERCISES if e.written]
    if exercise not in written:
        fail(f"{exercise} has no written part (written parts: {', '.join(written)})")
        return None
    if row.report is None:
        fail(f"{_shown(student)} has no report to add marks to ({row.status})")
        return None
    if exercise not in {e.get("id") for e in row.report.get("exercises", [])}:
        fail(f"{exercise} was not graded for {_shown(student)} in this batch")
        return None
    if not points_text:
        fail("a comment but no points")
        return None
    points = _points(points_text)
    top = catalog.get(exercise).written_points
    if points is None:
        fail(f"points {_shown(points_text)} is not a number")
        return None
    if not 0.0 <= points <= top:
        fail(f"points {points:g} out of range for {exercise} (0 to {top:g})")
        return None
    return Mark(number, student, exercise, points, comment)


def _feedback(comment: str) -> str:
    return f"Instructor: {comment}" if comment else "Marked by the instructor."


def apply(report: dict, marks: dict[str, tuple[float, str]]) -> dict:
    """The report (``grade-report/1`` dict) with these marks on its written checks.

    ``marks`` maps an exercise id to ``(points, comment)``; marks for an exercise the
    report does not hold are left out. The written check (added if the report has none)
    scores the points out of the written part's marks, with the comment as its feedback;
    the exercise's and the report's score and maximum include them, and an exercise that
    was graded (``passed``, ``partial``, ``failed``) gets the status of its new score.
    """
    from grader.runner import WRITTEN_CHECK

    if not marks:
        return report
    model = Report.from_dict(report)
    exercises = []
    added = maximum = 0.0
    for exercise in model.exercises:
        if exercise.id not in marks:
            exercises.append(exercise)
            continue
        points, comment = marks[exercise.id]
        top = catalog.get(exercise.id).written_points
        check = CheckResult(WRITTEN_CHECK, points, top, "manual", _feedback(comment))
        checks = [c for c in exercise.checks if c.name != WRITTEN_CHECK]
        old = next((c for c in exercise.checks if c.name == WRITTEN_CHECK), None)
        checks.insert(exercise.checks.index(old) if old is not None else len(checks), check)
        exercises.append(_rescored(exercise, tuple(checks), points, top))
        added += points
        maximum += top
    if not maximum:
        return report
    merged = replace(model, exercises=tuple(exercises),
                     score=round(model.score + added, 6), max_score=model.max_score + maximum)
    return merged.to_dict()


def _rescored(exercise: ExerciseResult, checks: tuple[CheckResult, ...], points: float,
              top: float) -> ExerciseResult:
    score = round(exercise.score + points, 6)
    max_score = exercise.max_score + top
    status = exercise.status
    if status in ("passed", "partial", "failed"):
        status = "passed" if score >= max_score - 1e-9 else "failed" if score <= 0 \
            else "partial"
    return replace(exercise, checks=checks, score=score, max_score=max_score, status=status)


def merged(rows: list[Row], marks: dict[str, dict[str, tuple[float, str]]]) -> list[Row]:
    """The batch's rows with the marks given by hand applied to their reports and scores."""
    out = []
    for row in rows:
        given = marks.get(row.student)
        if not given or row.report is None:
            out.append(row)
            continue
        report = apply(row.report, given)
        out.append(replace(row, report=report, score=report.get("score"),
                           max_score=report.get("max_score")))
    return out
