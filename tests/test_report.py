from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from grader.render import json_report, table
from grader.report import (
    CheckResult,
    ExerciseResult,
    Figure,
    Report,
    ReportError,
    Sandbox,
    diagnose,
)
from tests.conftest import REFERENCE, SUBMISSIONS

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
    assert "landlock" not in text and "missing" not in text  # calm for students
    assert "sandboxed (partly here; --verbose says more)" in text
    verbose = table.render(sample(), width=120, verbose=True)
    assert "sandbox: partial" in verbose and "sandbox missing: landlock" in verbose


def test_table_confirms_a_written_answer_with_its_first_words_and_length():
    text = table.render(sample(), width=120)
    assert "received: “dL/dz = p - y because ...” (7 words, 25 characters)" in text
    long = " ".join(f"w{i}" for i in range(40))
    assert table.written_preview(long) == (
        "received: “w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 …” (40 words, 149 characters)")
    report = sample()
    unanswered = replace(report.exercises[0], written=None)
    assert "received" not in table.render(replace(report, exercises=(unanswered,)), width=120)


def test_verbose_table_names_the_layers_that_hold():
    report = replace(sample(), sandbox=Sandbox("full", (), ("landlock (ABI 7)", "seccomp")))
    assert "sandboxed · same cases again" in table.render(report, width=200)
    assert "layers" not in table.render(report, width=200)
    verbose = table.render(report, width=200, verbose=True)
    assert "sandbox: full" in verbose and "sandbox layers: landlock (ABI 7); seccomp" in verbose
    data = report.to_dict()
    assert data["sandbox"]["layers"] == ["landlock (ABI 7)", "seccomp"]
    jsonschema.validate(data, SCHEMA)
    assert Report.from_dict(data) == report


# -- the diagnosis: one mistake behind several failed checks ---------------------------------
KL = "this is KL(Q||P): the arguments are swapped"


def failed(name: str, hint: str | None, status: str = "failed") -> CheckResult:
    feedback = f"{name}: returned 1, expected 2" + (f"\nHint: {hint}" if hint else "")
    return CheckResult(name, 0.0, 1.0, status, feedback)


def test_diagnosis_names_a_hint_shared_by_several_failed_checks():
    checks = [failed("values", KL), failed("zeros", KL + "  "), failed("bases", "bits"),
              failed("identity", KL, status="error"),
              CheckResult("shape", 1.0, 1.0, "passed"), failed("validation", None)]
    assert diagnose(checks) == f"one mistake, three checks: {KL}"


@pytest.mark.parametrize("checks", [
    [],
    [failed("values", KL)],                                # one check: nothing to add
    [failed("values", KL), failed("zeros", "bits")],       # two different mistakes
    [failed("values", None), failed("zeros", None)],       # no hint at all
    [failed("values", KL), CheckResult("zeros", 1.0, 1.0, "passed", f"Hint: {KL}")],
])
def test_no_diagnosis_without_a_hint_shared_by_two_failed_checks(checks):
    assert diagnose(checks) is None


def test_diagnosis_prefers_the_most_shared_hint_and_counts_each_check_once():
    checks = [failed("a", "bits"), failed("b", KL), failed("c", KL),
              CheckResult("d", 0.0, 1.0, "failed", "Hint: bits\n(2 of 3 cases)\nHint: bits"),
              failed("e", KL)]
    assert diagnose(checks) == f"one mistake, three checks: {KL}"
    many = [failed(str(n), KL) for n in range(12)]
    assert diagnose(many).startswith("one mistake, 12 checks: ")


def test_diagnosis_round_trips_validates_and_is_shown_first():
    checks = (failed("kl_divergence matches", KL), failed("zero probabilities", KL))
    exercise = ExerciseResult("ex10", "From scratch", 0.0, 2.0, "failed", checks,
                              diagnosis=diagnose(checks))
    report = Report("bob", 1, 0.0, 2.0, 0.1, "0.1.0", (exercise,))
    data = json.loads(json_report.render(report))
    assert data["exercises"][0]["diagnosis"] == f"one mistake, two checks: {KL}"
    jsonschema.validate(data, SCHEMA)
    assert Report.from_dict(data) == report
    data["exercises"][0]["diagnosis"] = 3
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)
    text = table.render(report, width=160)
    assert text.index("one mistake, two checks") < text.index("kl_divergence matches")
    assert "diagnosis" not in json.loads(json_report.render(sample()))["exercises"][0]


def test_runner_sets_the_diagnosis(grade_files):
    """Reversed KL fails several checks of exercise 10 with one hint: said once, on top."""
    report = grade_files({"ex10.py": SUBMISSIONS / "ex10" / "kl_reversed.py"}, ["ex10"],
                         seed=3)
    result = report.exercises[0]
    assert result.diagnosis is not None and result.diagnosis.startswith("one mistake, ")
    assert "swapped" in result.diagnosis or "KL(Q||P)" in result.diagnosis
    shared = result.diagnosis.split(" checks: ", 1)[1]
    assert sum(shared in " ".join(c.feedback.split()) for c in result.checks) >= 2
    correct = grade_files({"ex10.py": REFERENCE / "ex10.py"}, ["ex10"], seed=3)
    assert correct.exercises[0].diagnosis is None
