"""``grade batch --due``: what students receive is their view for the batch's due date.

Exercise 1 has one ``after_due`` check ("surprisal of tiny probabilities"), which the
``epsilon_in_log`` submission fails with a hint. Before the due date (or without one) the
students' files (``reports/<student>.md``, and for a notebook ``.ipynb`` and ``.html``) keep
it back; once the stored due date has passed they show it; ``reports/<student>.json`` is the
instructor's whole report either way.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest

from grader.batch import outputs
from grader.batch.store import FILENAME, Store
from grader.detail import parse_due
from tests.conftest import SUBMISSIONS
from tests.test_batch import batch, student
from tests.test_batch_manual import run

EPSILON = SUBMISSIONS / "ex01" / "epsilon_in_log.py"
CHECK = "surprisal of tiny probabilities"
HINT = "caps the surprisal of tiny p"                   # the failed check's hint
KEPT_BACK = "result and feedback after "                 # the withheld check's line
NO_DUE = {"GRADE_DUE": "", "SOURCE_DATE_EPOCH": "1300000000"}
STUDENT_FILES = ("bob.md", "carol.md", "carol.ipynb", "carol.html")


def make_class(folder: Path) -> Path:
    """bob: a folder; carol: a notebook; both with the epsilon mistake of exercise 1."""
    student(folder, "bob", {"ex01.py": EPSILON})
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("# ex01\n" + EPSILON.read_text(encoding="utf-8"))])
    nbformat.write(notebook, str(folder / "carol.ipynb"))
    return folder


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("due")
    folder = make_class(root / "class")
    out = root / "out"
    done = batch(str(folder), "ex01", "--out", str(out), "--seed", "5", "--jobs", "2",
                 env=NO_DUE)
    assert done.returncode == 0, done.stderr
    assert "no due date" in done.stderr
    return out


@pytest.fixture
def out(graded, tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("GRADE_DUE", raising=False)
    copy = tmp_path / "out"
    shutil.copytree(graded, copy)
    return copy


def texts(out: Path) -> dict[str, str]:
    return {name: (out / "reports" / name).read_text(encoding="utf-8")
            for name in STUDENT_FILES}


def tiny_check(out: Path, name: str) -> dict:
    report = json.loads((out / "reports" / f"{name}.json").read_text(encoding="utf-8"))
    (check,) = [c for e in report["exercises"] for c in e["checks"]
                if c["name"].startswith(CHECK)]
    return {**check, "report": report}


def assert_kept_back(out: Path, until: str = "the due date") -> None:
    for name, text in texts(out).items():
        assert CHECK in text, name
        assert KEPT_BACK + until in text, name
        assert HINT not in text, name                         # nothing of its result
    assert "Score 3.5 / 3.5" in texts(out)["bob.md"]          # its points left out


def assert_shown(out: Path) -> None:
    for name, text in texts(out).items():
        assert CHECK in text and HINT in text, name
        assert KEPT_BACK not in text, name
    assert "Score 3.5 / 4" in texts(out)["bob.md"]


def reports_json(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "reports").glob("*.json"))}


def stored_due(out: Path) -> str | None:
    with sqlite3.connect(out / FILENAME) as db:
        row = db.execute("SELECT value FROM batch WHERE key = 'due'").fetchone()
    return row[0] if row else None


def test_without_a_due_date_the_students_files_keep_the_check_back(out):
    assert_kept_back(out)
    for name in ("bob", "carol"):                             # the instructor's: everything
        check = tiny_check(out, name)
        assert (check["status"], check["detail"], check["max_score"]) == \
            ("failed", "after_due", 0.5)
        assert HINT in check["feedback"]
        assert (check["report"]["score"], check["report"]["max_score"]) == (3.5, 4.0)
    assert stored_due(out) is None
    assert "No due date" in (out / "summary.html").read_text(encoding="utf-8")


def test_report_only_with_a_past_due_date_shows_it_and_keeps_it(out):
    full = reports_json(out)

    done = run("--out", str(out), "--report-only", "--due", "2000-01-01")

    assert done.returncode == 0, done.stderr
    assert "due 2000-01-01 23:59" in done.stderr
    assert_shown(out)
    assert reports_json(out) == full                          # the JSON never changes
    assert stored_due(out).startswith("2000-01-01T23:59:59")
    assert "Due date 2000-01-01 23:59" in (out / "summary.html").read_text(encoding="utf-8")

    # the stored date is reused by --report-only and --merge-manual without --due
    shown = texts(out)
    assert run("--out", str(out), "--report-only").returncode == 0
    assert texts(out) == shown
    marks = out.parent / "marks.csv"
    marks.write_text("student,exercise,points,comment\n", encoding="utf-8")
    assert run("--out", str(out), "--merge-manual", str(marks)).returncode == 0
    assert texts(out) == shown

    # a new --due replaces it: a date to come keeps the check back again, naming the date
    later = run("--out", str(out), "--report-only", "--due", "2999-12-31T23:59+00:00")
    assert later.returncode == 0, later.stderr
    assert_kept_back(out, "2999")
    assert stored_due(out) == "2999-12-31T23:59:00+00:00"
    assert reports_json(out) == full


def test_the_due_date_is_compared_with_the_time_the_reports_are_written(out):
    due = parse_due("2030-06-01T12:00+00:00")
    store = Store(out / FILENAME)
    try:
        outputs.write_all(store, out, due=due, now=datetime(2030, 6, 1, 11, 59, tzinfo=UTC))
        assert_kept_back(out, "2030")
        outputs.write_all(store, out, due=due, now=datetime(2030, 6, 1, 12, 0, tzinfo=UTC))
        assert_shown(out)
        outputs.write_all(store, out)                          # no date: kept back
        assert_kept_back(out)
    finally:
        store.close()


def test_grading_with_grade_due_shows_it_and_no_resume_keeps_the_date(graded, tmp_path):
    folder = graded.parent / "class"
    out = tmp_path / "out"
    done = batch(str(folder), "ex01", "--out", str(out), "--seed", "5", "--jobs", "2",
                 env={**NO_DUE, "GRADE_DUE": "2000-01-01"})
    assert done.returncode == 0, done.stderr
    assert "due 2000-01-01 23:59" in done.stderr
    assert_shown(out)
    assert tiny_check(out, "bob")["status"] == "failed"       # the JSON: the whole report

    again = batch(str(folder), "ex01", "--out", str(out), "--no-resume", "--jobs", "2",
                  "--quiet", env=NO_DUE)
    assert again.returncode == 0, again.stderr
    assert stored_due(out).startswith("2000-01-01T23:59:59")
    assert_shown(out)


def test_a_bad_due_date_is_refused_in_one_line(out):
    bad = batch("--out", str(out), "--report-only", "--due", "next friday")
    assert bad.returncode == 2 and "not an ISO 8601 date" in bad.stderr
    assert "Traceback" not in bad.stderr
    with sqlite3.connect(out / FILENAME) as db:
        db.execute("INSERT OR REPLACE INTO batch VALUES ('due', 'garbage')")
    broken = run("--out", str(out), "--report-only")
    assert broken.returncode == 2
    assert len(broken.stderr.strip().splitlines()) == 1 and "give --due again" in broken.stderr
    assert run("--out", str(out), "--report-only", "--due", "2000-01-01").returncode == 0
    assert_shown(out)
