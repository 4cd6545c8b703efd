from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from grader.render import json_report, table
from grader.report import CheckResult, ExerciseResult, Figure, Report, ReportError, Sandbox

SCHEMA = json.loads((Path(__file__).parent.parent / "grader" / "schema" /
                     "report.schema.json").read_text())


def sample() -> Report:
    checks = (CheckResult("matches numerical gradient", 2.0, 2.0, "passed", "", 0.01),
              CheckResult("extreme logits", 0.0, 2.0, "failed", "overflow\nHint: subtract max"),
              CheckResult("written answer (graded by the instructor)", 0.0, 0.0, "manual"))
    return Report("alice", 1234, 2.0, 4.0, 3.2, "0.1.0", (
        ExerciseResult("ex04", "Gradient of cross-entropy", 2.0, 4.0, "partial", checks,
                       written="dL/dz = p - y because ...",
                       figures=(Figure("plot", "iVBORw0KGgo="),)),
        ExerciseResult("ex10", "From scratch", 0.0, 8.0, "error", (),
                       message="ex10.py has a syntax error"),
    ), Sandbox("partial", ("landlock",)))


def test_round_trip_through_json():
    report = sample()
    data = json.loads(json_report.render(report))
    assert Report.from_dict(data) == report


def test_json_validates_against_the_schema():
    jsonschema.validate(json.loads(json_report.render(sample())), SCHEMA)


def test_schema_rejects_what_the_design_forbids():
    data = json.loads(json_report.render(sample()))
    data["exercises"][0]["status"] = "great"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)


@pytest.mark.parametrize("build, words", [
    (lambda: CheckResult("c", 3.0, 2.0, "passed"), "exceeds"),
    (lambda: CheckResult("c", 1.0, 2.0, "partial"), "status"),
    (lambda: CheckResult("c", -1.0, 2.0, "failed"), "'score' must be a finite number"),
    (lambda: CheckResult(3, 1.0, 2.0, "failed"), "'name' must be a str"),
    (lambda: ExerciseResult("ex01", "t", 1.0, 1.0, "skipped"), "status"),
    (lambda: Report("s", -1, 0, 0, 0, "v"), "seed"),
    (lambda: Sandbox("total"), "level"),
])
def test_validators_name_the_field_and_the_value(build, words):
    with pytest.raises(ReportError, match=words):
        build()


def test_table_shows_failed_checks_feedback_message_and_total():
    text = table.render(sample(), width=120)
    assert "extreme logits" in text and "Hint: subtract max" in text
    assert "matches numerical gradient" not in text  # passed checks stay quiet
    assert "ex10.py has a syntax error" in text
    assert "2 / 4" in text and "Total" in text and "seed 1234" in text
    assert "sandbox: partial (missing: landlock)" in text
