"""``summary.html`` of ``grade batch`` and its similarity section.

The page is built from a synthetic database (hand-made ``grade-report/1`` reports, no
grading) so its counts and rankings are known; one slow test runs a real batch end to end.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import tokenize
from html.parser import HTMLParser
from pathlib import Path

import pytest

from grader.batch import cli as batch_cli
from grader.batch import similarity, summary
from grader.batch.store import FILENAME, GRADED, GRADER_ERROR, INVALID, SCHEMA_VERSION, Store
from grader.report import CheckResult, ExerciseResult, Report
from tests.conftest import REFERENCE, ROOT, STUBS, SUBMISSIONS

KL_HINT = "Hint: this is KL(Q||P): the arguments of kl_divergence are swapped."
BITS_HINT = "Hint: the result is in bits; use the natural logarithm (nats) by default."
NOT_IMPLEMENTED = "entropy() is not implemented yet (it raises NotImplementedError)"
HOSTILE = "<script>alert('x')</script>\x1b[31mred\x00\ud800 & \u202e<img src=x onerror=alert(1)>"
#: a student id (from a file name: never a lone surrogate, see intake.display_name)
HOSTILE_NAME = "<script>alert('x')</script>\x1b[31m\u202e&amp;\\xe9"


# --- a synthetic class -------------------------------------------------------------------------
def check(name: str, status: str = "passed", feedback: str = "", points: float = 1.0,
          duration: float = 0.01) -> CheckResult:
    return CheckResult(name, points if status == "passed" else 0.0, points, status, feedback,
                       duration, "hidden")


def exercise(exercise_id: str, checks: list[CheckResult], status: str | None = None,
             message: str | None = None) -> ExerciseResult:
    score = sum(c.score for c in checks)
    top = sum(c.max_score for c in checks)
    if status is None:
        status = "passed" if score == top else ("partial" if score else "failed")
    return ExerciseResult(exercise_id, exercise_id.upper(), score, top, status, tuple(checks),
                          message)


def report(student: str, exercises: list[ExerciseResult]) -> dict:
    return Report(student, 7, sum(e.score for e in exercises),
                  sum(e.max_score for e in exercises), 1.0, "0.1.0",
                  tuple(exercises)).to_dict()


def ex10(kl: str = "", ce: str = "", status: str | None = None) -> ExerciseResult:
    return exercise("ex10", [
        check("entropy matches", duration=0.2),
        check("kl_divergence matches", "failed" if kl else "passed", kl, duration=0.3),
        check("cross_entropy matches", "failed" if ce else "passed", ce, duration=0.1)],
        status)


def ex01(status: str = "passed", feedback: str = "", duration: float = 0.05
         ) -> ExerciseResult:
    return exercise("ex01", [check("surprisal matches"),
                             check("die face in bits", status, feedback, duration=duration)])


CLASS = {
    # student: (status, report exercises, duration_s, message)
    "alice": (GRADED, [ex01(), ex10()], 3.0, None),
    "bob": (GRADED, [ex01(), ex10(kl=f"kl_divergence([0.5, 0.5], ...) returned 0.1\n{KL_HINT}",
                                  ce=f"cross_entropy(...) returned 2.0\n{KL_HINT}")], 9.5, None),
    "carol": (GRADED, [ex01("timeout", "die_face_surprisal_bits() took longer than 10 s",
                            duration=10.0),
                       ex10(kl=f"returned 0.2\n{KL_HINT}\n{BITS_HINT}")], 14.0, None),
    "dave": (GRADED, [ex01("error", "rolls_for_one_bit() raised ZeroDivisionError: boom"),
                      exercise("ex10", [check("entropy matches", "error", NOT_IMPLEMENTED)] * 3,
                               "not_attempted")], 1.5, None),
    "erin": (GRADED, [ex01(), ex10(ce=f"returned 3.0\n{BITS_HINT}")], 2.0, None),
    "fay": (GRADED, [ex01(), ex10(kl="returned 0.3 (no known mistake)")], 2.5, None),
    "zed": (INVALID, None, 0.0, "broken.zip is not a valid zip file"),
    "yan": (GRADER_ERROR, None, 4.0, "RuntimeError: the grading process exited"),
}


def make_store(path: Path, extra: dict | None = None, sources: dict | None = None) -> Store:
    store = Store(path / FILENAME)
    for student, (status, exercises, duration, message) in {**CLASS, **(extra or {})}.items():
        data = report(student, exercises) if exercises is not None else None
        store.record(student=student, entry=student, content_hash=f"hash-{student}", seed=7,
                     grader_version="0.1.0", exercises=("ex01", "ex10"), status=status,
                     message=message, report=data, duration_s=duration)
    store.record_sources((f"hash-{s}", texts) for s, texts in (sources or {}).items())
    return store


class Tables(HTMLParser):
    """The text of every table cell, by the id of the section that holds the table."""

    def __init__(self) -> None:
        super().__init__()
        self.section = ""
        self.rows: dict[str, list[list[str]]] = {}
        self.images: list[dict] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.section = attrs.get("id", "")
        elif tag == "tr":
            self.rows.setdefault(self.section, []).append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "img":
            self.images.append(attrs)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[self.section][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def parse(page: str) -> Tables:
    tables = Tables()
    tables.feed(page)
    return tables


def body_rows(tables: Tables, section: str) -> list[list[str]]:
    return [row for row in tables.rows.get(section, []) if row and row[0] not in
            ("Exercise", "Students", "Student")]


# --- the page's content -------------------------------------------------------------------------
def test_the_page_counts_and_ranks_what_the_class_did(tmp_path):
    store = make_store(tmp_path)
    page = summary.render(store.rows(), store.sources())
    tables = parse(page)

    for section in ("distribution", "failed-checks", "misconceptions", "slowest", "errors",
                    "similarity"):
        assert f"<section id=\"{section}\">" in page
    assert "8 submissions: 6 graded, 1 grader error, 1 invalid." in page
    # two PNG histograms, inline
    assert len(tables.images) == 2
    assert all(img["src"].startswith("data:image/png;base64,") for img in tables.images)
    exercises = {row[0].split()[0]: row[1:] for row in body_rows(tables, "distribution")}
    assert exercises["ex10"][:2] == ["6", "1"]          # graded, not attempted (dave)
    assert exercises["ex01"][:2] == ["6", "0"]
    assert exercises["ex10"][4] == "1"                  # only alice has full marks on ex10

    failed = body_rows(tables, "failed-checks")
    assert [row[:3] for row in failed] == [
        ["ex10", "kl_divergence matches", "3 / 5"],      # bob, carol, fay (not dave: untouched)
        ["ex01", "die face in bits", "2 / 6"],           # carol timeout, dave error
        ["ex10", "cross_entropy matches", "2 / 5"]]      # bob, erin
    assert KL_HINT.removeprefix("Hint: ") + " (2)" in failed[0][3]
    assert BITS_HINT.removeprefix("Hint: ") + " (1)" in failed[0][3]
    assert "NotImplementedError" not in page

    hints = body_rows(tables, "misconceptions")
    assert [(row[0], row[1], row[2][:20], row[3]) for row in hints] == [
        ("2", "ex10", "this is KL(Q||P): th", "3"),      # bob twice, carol once: 2 students
        ("2", "ex10", "the result is in bit", "2")]      # carol, erin
    assert summary.ranked_hints(summary._graded(store.rows()))[0][:3] == (
        "ex10", KL_HINT.removeprefix("Hint: "), 2)

    slowest = body_rows(tables, "slowest")
    assert [row[0] for row in slowest] == ["carol", "bob", "yan", "alice", "fay", "erin",
                                           "dave"]
    assert slowest[0][1] == "14.00 s" and slowest[0][2].startswith("ex01 · die face in bits: "
                                                                   "10.00 s timeout")

    errors = body_rows(tables, "errors")
    assert [(row[0], row[1], row[3]) for row in errors] == [
        ("carol", "ex01", "timeout"), ("dave", "ex01", "error"), ("yan", "", "grader error"),
        ("zed", "", "invalid")]
    assert "1 error, 1 grader error, 1 invalid, 1 timeout" in page


def test_an_empty_database_gives_a_page_too(tmp_path):
    store = Store(tmp_path / FILENAME)
    page = summary.render(store.rows(), store.sources())
    assert "0 submissions: none." in page and "No graded submission." in page
    assert "<img" not in page


def test_hostile_strings_are_escaped_and_survive(tmp_path):
    long_line = "y" * 2_000_000
    extra = {HOSTILE_NAME: (GRADED, [ex01("error", f"{HOSTILE}\n{long_line}"),
                                     ex10(kl=f"x\nHint: {HOSTILE}")], 20.0, None),
             f"inv{HOSTILE_NAME}": (INVALID, None, 0.0, HOSTILE_NAME + long_line)}
    code = f"{(REFERENCE / 'ex10.py').read_text()}\n# {HOSTILE}\nX = '{long_line}'\n{HOSTILE}"
    store = make_store(tmp_path, extra, sources={HOSTILE_NAME: {"ex10": code},
                                                 "alice": {"ex10": code}})
    page = summary.render(store.rows(), store.sources())
    page.encode("utf-8")                                      # no lone surrogate left
    body = page.split("</head>", 1)[1]
    assert "<script" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body
    assert "\x1b" not in page and "\x00" not in page and "\u202e" not in page
    assert len(page) < 1_000_000                              # long lines are cut
    tables = parse(page)
    assert body_rows(tables, "slowest")[0][0].startswith("<script>alert('x')</script>")
    assert [row[0] for row in body_rows(tables, "similarity") if "alert" in row[0]] == [
        body_rows(tables, "slowest")[0][0]]                   # the pair of identical files
    hints = body_rows(tables, "misconceptions")
    assert any(row[2].startswith("<script>") for row in hints)


def test_the_same_database_gives_the_same_bytes_in_any_process(tmp_path):
    sources = {"alice": {"ex10": (REFERENCE / "ex10.py").read_text()},
               "bob": {"ex10": renamed_copy((REFERENCE / "ex10.py").read_text())}}
    store = make_store(tmp_path, sources=sources)
    first = summary.render(store.rows(), store.sources())
    store.close()
    assert "<td>alice</td><td>bob</td>" in first                # the pair is listed
    script = ("import sys; from grader.batch import summary; from grader.batch.store import "
              "Store; s = Store(sys.argv[1]); sys.stdout.buffer.write(summary.render(s.rows(), "
              "s.sources()).encode())")
    for seed in ("1", "2"):                                   # another str hash() salt
        done = subprocess.run([sys.executable, "-c", script, str(tmp_path / FILENAME)],
                              cwd=ROOT, capture_output=True, timeout=120, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.stdout == first.encode()


@pytest.mark.parametrize("helper", [
    "import sys; sys.exit(3)",                                  # the helper process fails
    "import sys; sys.stdin.read(); print('not json')",          # or answers garbage
    "import sys; sys.stdin.read(); print('[\"<script>alert(1)</script>\"]')",  # or a tag
])
def test_the_histograms_are_the_same_bytes_when_their_process_fails(tmp_path, monkeypatch,
                                                                      helper):
    store = make_store(tmp_path)
    rows = store.rows()
    started = summary.start_histograms(rows)
    assert started.process is not None  # drawn by a process of their own
    from_process = summary.render(rows, store.sources(), histograms=started)
    monkeypatch.setattr(summary.Histograms, "command", (sys.executable, "-c", helper))
    drawn_here = summary.render(rows, store.sources())
    store.close()
    assert drawn_here == from_process
    assert from_process.count('<figure><img src="data:image/png;base64,') == 2
    assert "<script>alert(1)" not in drawn_here


def test_write_all_and_report_only_rebuild_summary_html(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    make_store(out).close()
    assert batch_cli.main(["--out", str(out), "--report-only", "--quiet"]) == 0
    first = (out / summary.SUMMARY).read_bytes()
    assert first.startswith(b"<!DOCTYPE html>")
    (out / summary.SUMMARY).unlink()
    assert batch_cli.main(["--out", str(out), "--report-only", "--quiet"]) == 0
    assert (out / summary.SUMMARY).read_bytes() == first


def test_a_stored_report_this_grader_cannot_read_is_named_and_the_rest_is_written(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    # a report of another grader's making (a check status this one does not know): the
    # gradebook still has its scores, the student's page says it cannot be read
    make_store(out, {"olga": (GRADED, [ex01()], 1.0, None)}).close()
    with sqlite3.connect(out / FILENAME) as db:
        data = json.loads(db.execute("SELECT report FROM submissions WHERE student = 'olga'"
                                     ).fetchone()[0])
        data["exercises"][0]["checks"][0]["status"] = "postponed"
        db.execute("UPDATE submissions SET report = ? WHERE student = 'olga'",
                   (json.dumps(data),))
    assert batch_cli.main(["--out", str(out), "--report-only", "--quiet"]) == 0
    page = (out / "reports" / "olga.md").read_text()
    assert "cannot read" in page and "grade the submission again" in page
    assert "bob" in (out / "reports" / "bob.md").read_text()
    tables = parse((out / summary.SUMMARY).read_text())
    assert body_rows(tables, "distribution")  # the readable reports still make the page


def test_a_version_1_database_opens_and_gets_a_sources_table(tmp_path):
    path = tmp_path / FILENAME
    with sqlite3.connect(path) as db:                          # as the first grader made it
        db.executescript("""
            CREATE TABLE schema_version (version INTEGER NOT NULL);
            INSERT INTO schema_version VALUES (1);
            CREATE TABLE batch (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE submissions (student TEXT PRIMARY KEY, entry TEXT NOT NULL,
                content_hash TEXT NOT NULL, seed INTEGER NOT NULL, grader_version TEXT NOT NULL,
                exercises TEXT NOT NULL, status TEXT NOT NULL, message TEXT, score REAL,
                max_score REAL, report TEXT, graded_at TEXT NOT NULL,
                duration_s REAL NOT NULL DEFAULT 0);
            CREATE TABLE skipped (entry TEXT PRIMARY KEY, reason TEXT NOT NULL);""")
        db.execute("INSERT INTO submissions VALUES ('old', 'old', 'h1', 7, '0.1.0', 'ex10', "
                   "'graded', NULL, 8, 8, ?, '2001-01-01T00:00:00Z', 1.0)",
                   (json.dumps(report("old", [ex10()])),))
    store = Store(path)
    assert store.db.execute("SELECT version FROM schema_version").fetchone()[0] == \
        SCHEMA_VERSION
    assert store.sources() == {}
    page = summary.render(store.rows(), store.sources())
    assert "1 graded submissions have no code stored" in page
    text = (REFERENCE / "ex10.py").read_text() + "# \ud800 a lone surrogate from a notebook\n"
    store.record_sources([("h1", {"ex10": text, "ex01": None}), ("h2", {"ex10": "x = 1\n"})])
    assert store.sources() == {"h1": {"ex10": text}, "h2": {"ex10": "x = 1\n"}}
    store.record_sources([])                                   # h2 belongs to no submission
    assert list(store.sources()) == ["h1"]
    assert "no code stored" not in summary.render(store.rows(), store.sources())


# --- similarity --------------------------------------------------------------------------------
RENAMES = {"_distribution": "_as_probs", "array": "arr", "total": "mass", "_pair": "_both",
           "p_arr": "pp", "q_arr": "qq", "nz": "support", "_scale": "_log_base",
           "value": "result", "name": "label", "p": "dist", "q": "other"}


def renamed_copy(text: str, renames: dict[str, str] = RENAMES) -> str:
    """The source with its names renamed, docstrings and comments rewritten, spacing changed."""
    tokens = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        kind, value = token.type, token.string
        if kind == tokenize.NAME:
            value = renames.get(value, value)
        elif kind == tokenize.STRING and value.startswith('"""'):
            value = '"""My own helper, written from scratch."""'
        elif kind == tokenize.STRING and value.startswith("f"):
            value = re.sub(r"\b\w+\b", lambda m: renames.get(m[0], m[0]), value)
        elif kind == tokenize.COMMENT:
            value = "# see the lecture notes"
        tokens.append((kind, value))
    copy = tokenize.untokenize(tokens)                         # spacing of its own
    compile(copy, "copy.py", "exec")
    return copy


def test_a_renamed_copy_is_flagged_and_independent_solutions_are_not():
    reference = (REFERENCE / "ex10.py").read_text()
    copy = renamed_copy(reference)
    assert "_as_probs" in copy and "p_arr" not in copy
    sources = {"ref": reference, "copy": copy,
               "loops": (SUBMISSIONS / "ex10" / "correct_loops.py").read_text(),
               "where": (SUBMISSIONS / "ex10" / "correct_where.py").read_text()}
    pairs = similarity.similar_pairs("ex10", sources)
    assert [(p.first, p.second) for p in pairs] == [("copy", "ref")]
    assert pairs[0].score >= 0.9 and pairs[0].shared >= similarity.MIN_SHARED
    # the honest pairs are far below the threshold, not just under it
    honest = similarity.similar_pairs("ex10", sources, threshold=0.0, min_shared=0)
    scores = {(p.first, p.second): p.score for p in honest}
    assert max(score for pair, score in scores.items() if pair != ("copy", "ref")) < \
        similarity.THRESHOLD / 1.5


def test_a_reordered_copy_with_extra_code_is_still_flagged():
    reference = (REFERENCE / "ex10.py").read_text()
    head, *functions = reference.split("\n\n\ndef ")
    padded = head + "\n\n\ndef " + "\n\n\ndef ".join(reversed(functions)) + \
        "\n\n\ndef unused(a, b):\n    c = [a[i] * b[i] for i in range(len(a))]\n" \
        "    return sum(c) / max(len(c), 1)\n"
    pairs = similarity.similar_pairs("ex10", {"ref": reference, "padded": padded})
    assert [(p.first, p.second) for p in pairs] == [("padded", "ref")]


def test_the_stub_and_its_boilerplate_are_never_flagged():
    stub = (STUBS / "ex10.py").read_text()
    assert similarity.fingerprints(stub, similarity.stub_hashes("ex10")) == frozenset()
    one = stub.replace("    raise NotImplementedError",
                       "    p = np.asarray(p, dtype=float)\n    p = p / p.sum()\n"
                       "    return float(-np.sum(p[p > 0] * np.log(p[p > 0])))", 1)
    two = stub.replace("    raise NotImplementedError",
                       "    import math\n    t = sum(p)\n"
                       "    return -sum(x / t * math.log(x / t) for x in p if x)", 1)
    sources = {"stub_a": stub, "stub_b": stub, "one": one, "two": two}
    assert similarity.similar_pairs("ex10", sources) == []
    # an exact copy of a filled-in stub still is (the student's code is what is compared)
    copy = similarity.similar_pairs("ex10", {**sources, "one_again": one},
                                    min_shared=1)
    assert [(p.first, p.second) for p in copy] == [("one", "one_again")]


def test_code_most_of_the_class_shares_is_left_out_like_the_stub(monkeypatch):
    base = (REFERENCE / "ex10.py").read_text()                # a template everyone started from
    mine = (SUBMISSIONS / "ex10" / "correct_loops.py").read_text()
    other = (SUBMISSIONS / "ex10" / "correct_where.py").read_text()
    sources = {f"t{i:02d}": base for i in range(10)}
    sources |= {"x1": base + mine, "x2": base + renamed_copy(mine, {"values": "vals",
                                                                    "total": "s"}),
                "y": base + other}
    pairs = similarity.similar_pairs("ex10", sources)
    assert [(p.first, p.second) for p in pairs] == [("x1", "x2")]
    assert pairs[0].score >= 0.9                               # sizes without the template:
    assert pairs[0].sizes[0] < len(similarity.fingerprints(base + mine)) / 2
    monkeypatch.setattr(similarity, "COMMON", 1000)            # without the rule
    assert ("t00", "t01") in {(p.first, p.second) for p in similarity.similar_pairs(
        "ex10", sources)}


def test_unreadable_code_is_compared_as_far_as_it_tokenizes():
    reference = (REFERENCE / "ex10.py").read_text()
    broken = reference + "\ndef oops(:\n    return (\n"        # a syntax error at the end
    pairs = similarity.similar_pairs("ex10", {"a": reference, "b": broken,
                                              "nul": "x = '\0\n", "empty": "",
                                              "tabs": "if x:\n\tpass\n        pass\n"})
    assert [(p.first, p.second, p.score) for p in pairs] == [("a", "b", 1.0)]


# --- end to end ---------------------------------------------------------------------------------
def test_grade_batch_stores_the_code_and_lists_the_copy(tmp_path):
    folder = tmp_path / "class"
    for name, text in (("ann", (REFERENCE / "ex01.py").read_text()),
                       ("ben", renamed_copy((REFERENCE / "ex01.py").read_text(), {
                           "p": "prob", "base": "b"})),
                       ("cat", (SUBMISSIONS / "ex01" / "correct_by_hand.py").read_text()),
                       ("dan", (STUBS / "ex01.py").read_text()),
                       ("eva", (STUBS / "ex01.py").read_text())):
        (folder / name).mkdir(parents=True)
        (folder / name / "ex01.py").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert batch_cli.main([str(folder), "ex01", "--out", str(out), "--jobs", "1",
                           "--quiet"]) == 0
    tables = parse((out / summary.SUMMARY).read_text(encoding="utf-8"))
    assert [row[:2] for row in tables.rows["similarity"] if row[0] in ("ann", "ben")] == \
        [["ann", "ben"]]
    assert ["ex01", "3", "1"] in tables.rows["similarity"]    # dan, eva: not attempted


# --- in a browser --------------------------------------------------------------------------------
CHROMIUM = Path("/usr/bin/chromium")


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium is not installed (.ci/run "
                                                  "installs Debian's package)")
def test_summary_renders_in_headless_chromium(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    sources = {"alice": {"ex10": (REFERENCE / "ex10.py").read_text()},
               "erin": {"ex10": renamed_copy((REFERENCE / "ex10.py").read_text())}}
    extra = {HOSTILE_NAME: (GRADED, [ex01(), ex10(kl=f"x\nHint: {HOSTILE}")], 5.0, None)}
    store = make_store(tmp_path, extra, sources)
    page_file = tmp_path / summary.SUMMARY
    page_file.write_text(summary.render(store.rows(), store.sources()), encoding="utf-8")
    shot = tmp_path / "summary.png"
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}"))
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
            page.goto(page_file.as_uri(), wait_until="load")
            widths = page.evaluate(
                "() => [...document.images].map(i => [i.complete, i.naturalWidth])")
            assert len(widths) == 2 and all(done and width > 0 for done, width in widths)
            assert page.locator("table.pairs td").first.inner_text() == "alice"
            assert page.evaluate("() => document.scripts.length") == 0
            assert "<script>alert" in page.locator("#slowest").inner_text()  # shown as text
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert problems == []
    width, height = _png_size(shot.read_bytes())
    assert width == 1200 and height > 1500                    # the whole page, not a blank
    assert shot.stat().st_size > 50_000
    keep = os.environ.get("GRADE_KEEP_SCREENSHOT")
    if keep:
        shutil.copyfile(shot, keep)
