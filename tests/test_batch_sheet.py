"""``grade batch``'s CSV files are safe to open in a spreadsheet, and merge back as written.

A student names their folder like a formula and starts their written answer with one; no
cell of any CSV file the batch writes may start as a formula (OWASP "CSV injection"), the
scores stay numbers, ``written.csv`` merges back to the same students (``--merge-manual``),
and the gradebook's bytes still depend on the database alone.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from grader.batch import manual, outputs, sheet
from grader.batch.store import FILENAME, GRADED, Store
from tests.conftest import REFERENCE
from tests.test_batch import batch, reference, student
from tests.test_batch_manual import merge, run, snapshot

#: what makes Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP)
FORMULA = ("=", "+", "-", "@", "\t", "\r")
HYPERLINK = '=HYPERLINK("x","y")'                       # a file name holds no "/"
DDE = "+cmd|' C calc'!A0"
QUOTED = "'sq"                                          # starts with the quote itself
ANSWER = "=1+1"


def rows_of(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def stored(out: Path) -> set[tuple]:
    with sqlite3.connect(out / FILENAME) as db:
        return set(db.execute("SELECT student, exercise, points, comment FROM manual"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sheet")
    folder = root / "class"
    text = (REFERENCE / "ex02.py").read_text(encoding="utf-8")
    head = 'WRITTEN_ANSWER = r"""\n'
    assert head in text
    student(folder, HYPERLINK, {"ex02.py": text.replace(head, head + ANSWER + "\n", 1)})
    for name in (DDE, QUOTED, "alice"):
        student(folder, name, reference("ex02"))
    (folder / "-bad.zip").write_bytes(b"not a zip")              # invalid: no points
    (folder / "=evil.txt").write_text("not a submission")         # skipped
    out = root / "out"
    done = batch(str(folder), "ex02", "--out", str(out), "--seed", "4", "--jobs", "2",
                 "--quiet", env={"SOURCE_DATE_EPOCH": "1200000000"})
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture
def out(graded, tmp_path) -> Path:
    copy = tmp_path / "out"
    shutil.copytree(graded, copy)
    return copy


def assert_no_formula(out: Path) -> None:
    files = sorted(out.glob("*.csv"))
    assert [p.name for p in files] == ["gradebook.csv", "skipped.csv", "written.csv"]
    for path in files:
        for number, row in enumerate(rows_of(path), 1):
            for value in row:
                assert not value.startswith(FORMULA), (path.name, number, value)


def test_no_cell_of_any_csv_file_can_run_as_a_formula(out):
    assert_no_formula(out)
    book = rows_of(out / "gradebook.csv")
    header = book[0]
    by_student = {row[0]: dict(zip(header, row, strict=True)) for row in book[1:]}
    assert list(by_student) == ["''sq", "'+cmd|' C calc'!A0", "'-bad",
                                "'=HYPERLINK(\"x\",\"y\")", "alice"]  # sorted by the raw id
    for row in by_student.values():                            # the scores stay numbers
        for column in ("ex02", "total"):
            if row[column]:
                assert float(row[column]) >= 0, row
    assert (by_student["'=HYPERLINK(\"x\",\"y\")"]["ex02"],
            by_student["'=HYPERLINK(\"x\",\"y\")"]["total"]) == ("5", "5")
    assert (by_student["'-bad"]["status"], by_student["'-bad"]["total"]) == ("invalid", "0")

    written = {row[0]: row for row in rows_of(out / "written.csv")[1:]}
    assert written["'=HYPERLINK(\"x\",\"y\")"][5].startswith("'" + ANSWER + "\n")
    assert written["'=HYPERLINK(\"x\",\"y\")"][:5] == \
        ["'=HYPERLINK(\"x\",\"y\")", "ex02", "4", "", ""]
    assert rows_of(out / "skipped.csv")[1][0] == "'=evil.txt"

    # only the CSV files quote: the report keeps the id and the answer as they are
    report = json.loads((out / "reports" / f"{HYPERLINK}.json").read_text(encoding="utf-8"))
    assert report["submission"] == HYPERLINK
    assert [e["written"] for e in report["exercises"]][0].startswith(ANSWER + "\n")


def test_the_written_sheet_merges_back_to_the_same_students(out):
    # fill in written.csv as a spreadsheet saves it, with comments that look like formulas
    comments = {HYPERLINK: "=2+2 is no proof", QUOTED: "- the equality case is missing",
                DDE: "@ see the rubric", "alice": "Good"}
    lines = rows_of(out / "written.csv")
    for line in lines[1:]:
        line[3], line[4] = "3", sheet.text(comments[sheet.read_text(line[0])])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(lines)

    done = merge(out, buffer.getvalue())

    assert done.returncode == 0, done.stderr
    assert stored(out) == {(name, "ex02", 3.0, comment) for name, comment in comments.items()}
    assert_no_formula(out)                                    # the comments are quoted too
    written = {row[0]: row for row in rows_of(out / "written.csv")[1:]}
    assert written["''sq"][3:5] == ["3", "'- the equality case is missing"]

    # the rebuilt written.csv merges as it is and changes nothing
    before = snapshot(out)
    again = run("--out", str(out), "--merge-manual", str(out / "written.csv"))
    assert again.returncode == 0, again.stderr
    assert snapshot(out) == before

    # a spreadsheet that took the quote off on saving: the same students still
    dropped = ("student,exercise,points,comment\r\n"
               + "\"=HYPERLINK(\"\"x\"\",\"\"y\"\")\",ex02,4,=4 after all\r\n"
               + "'sq,ex02,2,\r\n")
    done = merge(out, dropped, "dropped.csv")
    assert done.returncode == 0, done.stderr
    assert (HYPERLINK, "ex02", 4.0, "=4 after all") in stored(out)
    assert (QUOTED, "ex02", 2.0, "") in stored(out)
    assert len(stored(out)) == 4


def test_the_gradebook_bytes_still_come_from_the_database_alone(out):
    before = {name: (out / name).read_bytes() for name in
              ("gradebook.csv", "written.csv", "skipped.csv")}
    for name in before:
        (out / name).unlink()
    for _ in range(2):
        assert run("--out", str(out), "--report-only").returncode == 0
        assert {name: (out / name).read_bytes() for name in before} == before


PAYLOADS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "-2+3", "\t=1", "\r=1", "'=already quoted", "''", "＝1+1"]


def test_the_exact_payloads_through_the_outputs_and_back(out):
    # ids with "/" cannot come from a file name; a database holding them is written as safely
    alice = json.loads((out / "reports" / "alice.json").read_text(encoding="utf-8"))
    store = Store(out / FILENAME)
    try:
        for payload in PAYLOADS:
            store.record(student=payload, entry=payload, content_hash="", seed=4,
                         grader_version="0", exercises=("ex02",), status=GRADED,
                         report={**alice, "submission": payload})
        outputs.write_all(store, out)
        assert_no_formula(out)
        ids = [sheet.read_text(row[0]) for row in rows_of(out / "written.csv")[1:]]
        assert set(PAYLOADS) <= set(ids)
        marks = manual.read(out / "written.csv", store.rows())  # nothing marked yet
        assert marks == []
        filled = out.parent / "filled.csv"
        filled.write_bytes((out / "written.csv").read_bytes().replace(   # keep each \r
            b",ex02,4,,,", b",ex02,4,1,,"))
        marks = manual.read(filled, store.rows())
        assert set(PAYLOADS) <= {m.student for m in marks}
        assert len({m.student for m in marks}) == len(marks)
    finally:
        store.close()


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r", "\n", "\0", "'", "＝"])
def test_a_text_cell_is_quoted_and_read_back(first):
    value = first + "1+1"
    assert sheet.text(value) == "'" + value
    assert sheet.read_text(sheet.text(value)) == value
    assert sheet.read_text(value) == value                    # its quote taken off already


def test_other_text_and_the_grader_s_numbers_are_written_as_they_are():
    for value in ("alice", "", "a=b", "1+1", "x'", "caf\\xe9", "é=1"):
        assert sheet.text(value) == value and sheet.read_text(value) == value
    assert sheet.read_text("'abc") == "'abc"                   # not a quote of ours
    # numbers stay numbers, even a negative one (scores never are); text never does
    assert [sheet.cell(v) for v in (-1.5, 0.0, 4, 2.25, 1 / 3, None)] == \
        ["-1.5", "0", "4", "2.25", "0.3333", ""]
    assert [sheet.cell(v) for v in ("-1.5", "=1", True)] == ["'-1.5", "'=1", "True"]
    assert sheet.csv_text([["student", "total"], ["-x", -2.0], ["=A1", 3]]) == \
        "student,total\r\n'-x,-2\r\n'=A1,3\r\n"
