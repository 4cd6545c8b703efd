"""Any string a student's code produces survives every output (issue 8, point 2).

Lone surrogates, NUL, ANSI escapes, right-to-left overrides, markup and a megabyte line go
through every path from student text to an output: exception messages, printed output,
returned values, written answers, figure labels; the JSON report, the table, and files
written with ``--output``. Before the report model cleaned student text, a lone surrogate
made ``grade`` stop with exit 3 and no report.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from grader.report import CheckResult, ExerciseResult, Figure, Report
from grader.text import is_safe, safe_text
from tests.conftest import REFERENCE, ROOT, run_grade
from tests.test_report import SCHEMA

HOSTILE = ("lone \ud800 \udfff, NUL \x00, ANSI \x1b[31mred\x1b[0m \x1b]0;title\x07, "
           "RTL \u202egnp.exe\u202c, CR \r, C1 \x9b, <b>markup</b> ]]>")
UNSAFE = re.compile("[\ud800-\udfff\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_safe_text_replaces_or_escapes_every_kind_of_unsafe_character():
    text = safe_text(HOSTILE)
    assert is_safe(text) and not UNSAFE.search(text)
    assert "\ufffd" in text                         # surrogates replaced
    assert "\\x00" in text and "\\x1b[31m" in text  # controls visible, not active
    assert "\\u202e" in text and "\\r" in text
    assert "<b>markup</b> ]]>" in text              # markup is each renderer's business
    text.encode("utf-8")                            # encodes strictly


def test_safe_text_keeps_ordinary_text_newlines_and_tabs():
    text = "H(P) = −Σ p log p\n\tévidemment, 熵"
    assert safe_text(text) == text


def test_safe_text_caps_a_megabyte_line_and_is_idempotent():
    text = safe_text("\x00" + "x" * 1_000_000, limit=1000)
    assert len(text) <= 1000 and text.endswith("characters cut]")
    assert safe_text(text, limit=1000) == text
    assert safe_text(safe_text(HOSTILE)) == safe_text(HOSTILE)


def test_the_report_model_cleans_every_field_of_student_text():
    check = CheckResult(HOSTILE, 0.0, 1.0, "error", HOSTILE + "y" * 2_000_000)
    exercise = ExerciseResult("ex02", "t", 0.0, 1.0, "error", (check,), message=HOSTILE,
                              written=HOSTILE * 10_000, figures=(Figure(HOSTILE, ""),))
    report = Report(HOSTILE, 1, 0.0, 1.0, 0.1, "0", (exercise,))
    text = json.dumps(report.to_dict(), ensure_ascii=False)
    assert not UNSAFE.search(text)
    assert len(text) < 200_000
    text.encode("utf-8")
    again = Report.from_dict(json.loads(text))
    assert again.to_dict() == report.to_dict()   # cleaning twice changes nothing


def test_a_report_read_from_json_with_escaped_surrogates_is_cleaned():
    data = {"schema": "grade-report/1", "submission": "s", "seed": 1, "score": 0.0,
            "max_score": 1.0, "duration_s": 0.1, "grader_version": "0",
            "exercises": [{"id": "ex10", "title": "t", "score": 0.0, "max_score": 1.0,
                           "status": "failed", "checks": [
                               {"name": "c", "score": 0.0, "max_score": 1.0,
                                "status": "failed", "feedback": "\ud800\x1b[2J"}]}]}
    report = Report.from_dict(json.loads(json.dumps(data)))   # "\\ud800" in the JSON text
    assert report.exercises[0].checks[0].feedback == "\ufffd\\x1b[2J"


def _hostile_submission(folder: Path) -> Path:
    folder.mkdir()
    (folder / "ex10.py").write_text(
        (ROOT / "tests/attacks/hostile_strings/ex10.py").read_text(encoding="utf-8"),
        encoding="utf-8")
    written = (REFERENCE / "ex02.py").read_text(encoding="utf-8")
    start = written.index('WRITTEN_ANSWER = r"""')
    end = written.index('"""', start + len('WRITTEN_ANSWER = r"""')) + 3
    (folder / "ex02.py").write_text(
        written[:start] + "WRITTEN_ANSWER = " + repr(HOSTILE + "w" * 1_000_000) + written[end:],
        encoding="utf-8", errors="surrogatepass")
    plot = (REFERENCE / "ex11.py").read_text(encoding="utf-8")
    plot = plot.replace('axes.set_xlabel("p")', f"axes.set_xlabel({HOSTILE!r})")
    plot = plot.replace('axes.set_ylabel("binary entropy H(p, 1 - p) (bits)")',
                        f"axes.set_ylabel({HOSTILE * 3!r})")
    (folder / "ex11.py").write_text(plot, encoding="utf-8")
    return folder


@pytest.mark.slow
def test_every_output_survives_hostile_text_from_every_path(tmp_path):
    submission = _hostile_submission(tmp_path / "hostile")
    out = tmp_path / "report.json"
    done = run_grade("ex02", "ex10", "ex11", "--submission", str(submission), "--seed", "1",
                     "--format", "table", "--format", "json", "--output", str(out))
    assert done.returncode == 0, done.stderr[-2000:]
    for text in (done.stdout, done.stderr, out.read_text(encoding="utf-8")):
        assert not UNSAFE.search(text.replace("\n", "").replace("\t", ""))
    assert len(done.stdout) < 300_000
    report = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(report, SCHEMA)
    by_id = {e["id"]: e for e in report["exercises"]}
    assert by_id["ex10"]["score"] == 0
    feedback = " ".join(c["feedback"] for c in by_id["ex10"]["checks"])
    assert "\\x1b[31m" in feedback and "\ufffd" in feedback   # shown, made harmless
    assert "your code printed" in feedback
    assert "\\u202e" in by_id["ex02"]["written"]
    assert len(by_id["ex02"]["written"]) <= 20_000
    assert by_id["ex11"]["score"] > 0                          # the curve itself is right
