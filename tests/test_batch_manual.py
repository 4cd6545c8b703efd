"""``grade batch --out OUT --merge-manual FILE``: the instructor's marks for the written parts.

One small class is graded once (ex02 and ex03, both with a written part); each test merges
files into its own copy of the results.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest

from grader import catalog
from grader.batch import cli as batch_cli
from grader.batch import manual
from grader.batch.store import FILENAME, SCHEMA_VERSION
from grader.report import Report
from tests.conftest import REFERENCE, ROOT, STUBS
from tests.test_batch import batch, gradebook, reference, student

TARGETS = ("ex02", "ex03")
HEADER = "student,exercise,points,comment\n"
VALID = (HEADER
         + 'alice,ex02,3.5,"Good proof; the equality case is missing"\n'
         + "alice,ex03,4,\n"
         + "bob,2,1,Only N = 2\n"
         + "dave,EX02,2,handed in on paper\n"
         + "\n"
         + "bob,ex03,,\n")                       # not marked yet: left out


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("manual")
    folder = root / "class"
    student(folder, "alice", reference("ex02", "ex03"))
    student(folder, "bob", {"ex02.py": STUBS / "ex02.py", **reference("ex03")})
    student(folder, "dave", reference("ex03"))                    # no ex02 file at all
    (folder / "carol.zip").write_bytes(b"not a zip")              # invalid: no report
    out = root / "out"
    done = batch(str(folder), *TARGETS, "--out", str(out), "--seed", "4", "--jobs", "2",
                 "--quiet", env={"SOURCE_DATE_EPOCH": "1200000000"})
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture
def out(graded, tmp_path) -> Path:
    copy = tmp_path / "out"
    shutil.copytree(graded, copy)
    return copy


def run(*args: str) -> SimpleNamespace:
    """``grade batch ARGS`` in this process (nothing is graded): its exit code and stderr."""
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = batch_cli.main(list(args))
    return SimpleNamespace(returncode=code, stderr=stderr.getvalue())


def merge(out: Path, text: str | bytes, name: str = "marks.csv") -> SimpleNamespace:
    path = out.parent / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return run("--out", str(out), "--merge-manual", str(path))


def snapshot(out: Path) -> dict[str, bytes]:
    files = [out / "gradebook.csv", out / "written.csv", *sorted((out / "reports").iterdir())]
    return {p.name: p.read_bytes() for p in files}


def stored(out: Path) -> list[tuple]:
    with sqlite3.connect(out / FILENAME) as db:
        return db.execute("SELECT student, exercise, points, comment FROM manual "
                          "ORDER BY student, exercise").fetchall()


def written_check(report: dict, exercise_id: str) -> dict:
    (exercise,) = [e for e in report["exercises"] if e["id"] == exercise_id]
    (check,) = [c for c in exercise["checks"] if c["name"].startswith("written answer")]
    return {**check, "exercise": exercise}


def test_marks_are_merged_into_the_gradebook_and_the_reports(out):
    jsonschema = pytest.importorskip("jsonschema")
    before = gradebook(out)
    assert (before["alice"]["total"], before["bob"]["total"], before["dave"]["total"]) == \
        ("10", "5", "5")

    done = merge(out, VALID)

    assert done.returncode == 0, done.stderr
    assert "merged 4 marks for 3 students" in done.stderr
    book = gradebook(out)
    assert {k: book["alice"][k] for k in ("ex02", "ex03", "manual", "total")} == \
        {"ex02": "8.5", "ex03": "9", "manual": "7.5", "total": "17.5"}
    assert {k: book["bob"][k] for k in ("ex02", "ex03", "manual", "total")} == \
        {"ex02": "1", "ex03": "5", "manual": "1", "total": "6"}
    assert (book["dave"]["ex02"], book["dave"]["total"]) == ("2", "7")
    assert (book["carol"]["manual"], book["carol"]["status"]) == ("", "invalid")
    for name in ("alice", "bob", "dave"):                          # the rest is untouched
        for key in ("ex01", "status", "graded_at", "content_hash"):
            assert book[name][key] == before[name][key]

    schema = json.loads((ROOT / "grader" / "schema" / "report.schema.json").read_text())
    alice = json.loads((out / "reports" / "alice.json").read_text())
    jsonschema.validate(alice, schema)
    check = written_check(alice, "ex02")
    assert (check["score"], check["max_score"], check["status"]) == (3.5, 4.0, "manual")
    assert check["feedback"] == "Instructor: Good proof; the equality case is missing"
    assert (check["exercise"]["score"], check["exercise"]["max_score"],
            check["exercise"]["status"]) == (8.5, 9.0, "partial")
    assert written_check(alice, "ex03")["exercise"]["status"] == "passed"   # 9 / 9
    assert (alice["score"], alice["max_score"]) == (17.5, 18.0)
    dave = json.loads((out / "reports" / "dave.json").read_text())
    jsonschema.validate(dave, schema)
    added = written_check(dave, "ex02")                      # he had no written check
    assert (added["score"], added["exercise"]["status"]) == (2.0, "not_attempted")
    assert "Good proof; the equality case is missing" in \
        (out / "reports" / "alice.md").read_text()
    assert "| 3.5 / 4 | ✍️ manual |" in (out / "reports" / "alice.md").read_text()

    sheet = (out / "written.csv").read_text()
    assert "alice,ex02,4,3.5,Good proof; the equality case is missing," in sheet
    assert "bob,ex03,4,,," in sheet

    # merging the same file again changes nothing; --report-only rebuilds the same bytes
    merged = snapshot(out)
    assert merge(out, VALID).returncode == 0
    assert snapshot(out) == merged
    shutil.rmtree(out / "reports")
    (out / "gradebook.csv").unlink()
    assert run("--out", str(out), "--report-only").returncode == 0
    assert snapshot(out) == merged

    # a later file overrides per (student, exercise) and keeps the other marks
    later = merge(out, HEADER + "alice,ex02,4,fixed after a regrade request\n", "later.csv")
    assert later.returncode == 0, later.stderr
    book = gradebook(out)
    assert (book["alice"]["ex02"], book["alice"]["manual"], book["alice"]["total"]) == \
        ("9", "8", "18")
    assert book["bob"]["total"] == "6"
    assert ("alice", "ex02", 4.0, "fixed after a regrade request") in stored(out)


def test_the_written_sheet_filled_in_by_a_spreadsheet_merges_back(out):
    # written.csv, as a spreadsheet in a French locale saves it: BOM, semicolons, 2,5
    sheet = (out / "written.csv").read_text(encoding="utf-8")
    lines = sheet.splitlines(keepends=True)
    assert lines[0].startswith("student,exercise,max_points,points,comment,written_answer")
    text = ("\ufeffstudent;exercise;max_points;points;comment\r\n"
            "alice;ex02;4;2,5;Jensen à l'envers\r\n"
            "alice;ex03;4;;\r\n")
    done = merge(out, text.encode("utf-8"))
    assert done.returncode == 0, done.stderr
    assert stored(out) == [("alice", "ex02", 2.5, "Jensen à l'envers")]
    assert gradebook(out)["alice"]["total"] == "12.5"

    # and written.csv itself, with the points filled in, merges as it is
    filled = (out / "written.csv").read_text(encoding="utf-8").replace(
        "bob,ex03,4,,,", "bob,ex03,4,3,,", 1)
    done = merge(out, filled, "written-filled.csv")
    assert done.returncode == 0, done.stderr
    assert ("bob", "ex03", 3.0, "") in stored(out)
    assert ("alice", "ex02", 2.5, "Jensen à l'envers") in stored(out)


BAD = {
    "unknown_student": (HEADER + "alice,ex02,1,\nzed,ex02,1,\n", 3, "unknown student 'zed'"),
    "unknown_exercise": (HEADER + "alice,ex17,1,\n", 2, "unknown exercise 'ex17'"),
    "no_written_part": (HEADER + "alice,ex10,1,\n", 2, "ex10 has no written part"),
    "not_graded_here": (HEADER + "alice,ex04,1,\n", 2, "ex04 was not graded for 'alice'"),
    "no_report": (HEADER + "carol,ex02,1,\n", 2, "'carol' has no report"),
    "above_range": (HEADER + "alice,ex02,1,\nbob,ex02,4.5,\n", 3,
                    "points 4.5 out of range for ex02 (0 to 4)"),
    "negative": (HEADER + "alice,ex02,-1,\n", 2, "points -1 out of range"),
    "non_numeric": (HEADER + "alice,ex02,three,\n", 2, "points 'three' is not a number"),
    "nan": (HEADER + "alice,ex02,nan,\n", 2, "points 'nan' is not a number"),
    "missing_column": ("student,exercise,comment\nalice,ex02,good\n", 1, "no points column"),
    "unknown_column": ("student,exercise,points,comments\nalice,ex02,1,x\n", 1,
                       "unknown column 'comments'"),
    "duplicate": (HEADER + "alice,ex02,1,\nbob,ex02,1,\nalice,2,2,\n", 4,
                  "ex02 of 'alice' is already marked in row 2"),
    "comment_only": (HEADER + "alice,ex02,,nice\n", 2, "a comment but no points"),
    "too_many_cells": (HEADER + "alice,ex02,1,good,extra\n", 2, "5 cells"),
    "not_utf8": ((HEADER + "alice,ex02,1,ok\nbob,ex02,1,très bien\n").encode("cp1252"), 3,
                 "not UTF-8 text"),
    "utf16": ((HEADER + "alice,ex02,1,\n").encode("utf-16"), None, "UTF-16"),
    "empty": ("", None, "is empty"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_file_is_refused_naming_the_row_and_nothing_is_merged(out, case):
    assert merge(out, HEADER + "alice,ex03,4,\n", "first.csv").returncode == 0
    before = snapshot(out)
    text, row, problem = BAD[case]

    done = merge(out, text)

    assert done.returncode == 2, done.stderr
    line = done.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line
    assert line.startswith("grade batch: error: ") and "marks.csv" in line
    if row is not None:
        assert f": row {row}: " in line, line
    assert problem in line, line
    assert stored(out) == [("alice", "ex03", 4.0, "")]            # the earlier mark only
    assert snapshot(out) == before


def test_every_problem_is_counted_and_the_first_is_named(out):
    done = merge(out, HEADER + "zed,ex02,1,\nalice,ex02,9,\nalice,ex10,1,\n")
    assert done.returncode == 2
    assert "row 2: unknown student 'zed': not in this batch (and 2 more problems)" \
        in done.stderr
    assert stored(out) == []


def test_merge_needs_a_database_and_takes_no_folder(tmp_path, out):
    (tmp_path / "m.csv").write_text(VALID)
    empty = run("--out", str(tmp_path / "nothing"), "--merge-manual", str(tmp_path / "m.csv"))
    assert empty.returncode == 2 and "holds no grades.sqlite" in empty.stderr
    with_dir = run(str(tmp_path), "--out", str(out), "--merge-manual", str(tmp_path / "m.csv"))
    assert with_dir.returncode == 2 and "takes no DIR" in with_dir.stderr
    missing = run("--out", str(out), "--merge-manual", str(tmp_path / "absent.csv"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_a_version_1_database_opens_and_is_upgraded(out):
    with sqlite3.connect(out / FILENAME) as db:                 # as the first grader left it
        db.execute("DROP TABLE manual")
        db.execute("UPDATE schema_version SET version = 1")
    rebuilt = run("--out", str(out), "--report-only")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert merge(out, VALID).returncode == 0
    with sqlite3.connect(out / FILENAME) as db:
        assert db.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION
    assert len(stored(out)) == 4
    with sqlite3.connect(out / FILENAME) as db:                 # a newer grader's: refused
        db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    newer = run("--out", str(out), "--report-only")
    assert newer.returncode == 2 and "schema version" in newer.stderr


def test_regrading_keeps_the_marks(out, graded):
    assert merge(out, VALID).returncode == 0
    folder = graded.parent / "class"
    done = batch(str(folder), *TARGETS, "--out", str(out), "--no-resume", "--seed", "4",
                 "--quiet")
    assert done.returncode == 0, done.stderr
    assert len(stored(out)) == 4
    assert gradebook(out)["alice"]["total"] == "17.5"


# --- the model --------------------------------------------------------------------------------
def test_apply_changes_only_the_marked_written_checks(out):
    report = json.loads((out / "reports" / "alice.json").read_text())
    assert Report.from_dict(report).to_dict() == report               # the round trip holds
    merged = manual.apply(report, {"ex03": (0.0, "")})
    ex02_before, ex02_after = report["exercises"][0], merged["exercises"][0]
    assert ex02_before == ex02_after
    ex03 = merged["exercises"][1]
    assert (ex03["score"], ex03["max_score"], ex03["status"]) == (5.0, 9.0, "partial")
    assert manual.apply(report, {}) is report
    assert manual.apply(report, {"ex09": (3.0, "")}) == report      # not in this report


def test_exercise_ids_are_read_as_the_command_line_reads_them():
    assert [manual.exercise_id(v) for v in ("ex04", "ex4", "4", "EX04", " 04 ")] == \
        ["ex04"] * 5
    assert [manual.exercise_id(v) for v in ("ex17", "0", "all", "", "ex4a")] == [None] * 5


@pytest.mark.parametrize("exercise", [e for e in catalog.EXERCISES if e.written],
                         ids=lambda e: e.id)
def test_the_written_points_are_the_rubrics_scale(exercise):
    rubric = (REFERENCE / f"{exercise.id}_rubric.md").read_text(encoding="utf-8")
    scales = {float(m) for m in re.findall(r"(?:scale|weight)[^0-9]{0,12}(\d+(?:\.\d+)?) marks",
                                           rubric, re.IGNORECASE)}
    assert scales == {exercise.written_points} == {catalog.WRITTEN_POINTS}
    assert not any(e.written_points for e in catalog.EXERCISES if not e.written)
