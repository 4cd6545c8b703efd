"""How much of a check a student sees: ``full``, ``summary``, ``after_due`` (issue 11).

The report keeps everything (the instructor's JSON); every format a student reads renders
:func:`grader.detail.for_student`: a ``summary`` check's values never reach it, an
``after_due`` check's result only from the due date on. Each format also says which checks
are public or hidden, and how many hidden checks a public-only run did not grade.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest

from grader import catalog, cli, suites, untouched
from grader.detail import (
    SUMMARY_NOTE,
    disclose,
    for_student,
    is_past,
    parse_due,
    show_due,
    summary_feedback,
)
from grader.plugin import check_detail
from grader.render import FORMATS, render, table
from grader.render import gradescope as gradescope_format
from grader.report import (
    CheckResult,
    ExerciseResult,
    NotGraded,
    Report,
    ReportError,
    Sandbox,
    diagnose,
)
from tests.conftest import STUBS, SUBMISSIONS, check, collected_items, exercise
from tests.test_render import HOSTILE, RAW_FORBIDDEN
from tests.test_report import SCHEMA

#: distinctive values that only the grader knows: they must never reach a student's format
SUMMARY_SECRET = "0.0474686577"
LATER_SECRET = "expected 8.3141592"
DUE = datetime(2026, 12, 20, 23, 59, tzinfo=UTC)
BEFORE = DUE - timedelta(minutes=1)
AFTER = DUE + timedelta(seconds=1)
KL = "this is KL(Q||P): the arguments are the wrong way round"
STUDENT_FORMATS = [name for name in FORMATS if name != "json"]


def detail_report(*, hidden_not_graded: bool = False) -> Report:
    """Two exercises: a summary check, an after_due check sharing a hint with a full one."""
    ex05 = ExerciseResult("ex05", "A worked example", 1.0, 2.5, "partial", (
        CheckResult("H_P: the entropy of P in nats", 1.0, 1.0, "passed", "", 0.01, "public"),
        CheckResult("KL_PQ: KL(P||Q) in nats", 0.0, 1.5, "failed",
                    "P = [0.5, 0.3, 0.2], Q = [0.6, 0.3, 0.1]: answers()['KL_PQ'] returned "
                    f"0.04008, expected {SUMMARY_SECRET}\nHint: {KL}\n"
                    "your code printed: inputs [0.5, 0.3, 0.2]\nHint: forged 0.5, 0.3, 0.2",
                    0.02, "hidden", "summary"),
    ))
    checks = (
        CheckResult("surprisal(p) is -log2 p", 1.0, 1.0, "passed", "", 0.01, "public"),
        CheckResult("surprisal of tiny probabilities", 0.25, 1.0, "failed",
                    f"a tiny p = 1e-300: surprisal(p) returned 39.86, {LATER_SECRET}\n"
                    "Hint: an epsilon in the log caps the surprisal", 0.3, "hidden",
                    "after_due"),
        CheckResult("surprisal for base e, 10 and 6", 0.0, 0.5, "failed",
                    "base e: returned 1.2, expected 3.4\n"
                    "Hint: an epsilon in the log caps the surprisal", 0.1, "hidden"),
    )
    ex01 = ExerciseResult("ex01", "Surprisal", 1.25, 2.5, "partial", checks,
                          diagnosis=diagnose(checks))
    return Report("alice", 7, 2.25, 5.0, 2.0, "0.1.0", (ex05, ex01), Sandbox("full"),
                  hidden_not_graded=NotGraded(3, 2.5) if hidden_not_graded else None)


def plain(text: str) -> str:
    """Text without Markdown's escapes and with one space between words."""
    return " ".join(text.replace("\\", "").split())


def outputs(report: Report) -> dict[str, str]:
    """Every format of a report as the command line renders it (the table included)."""
    texts = {name: render(name, report, sources={}) for name in FORMATS if name != "table"}
    texts["table"] = table.render(report, width=200)
    return texts


# -- the model -------------------------------------------------------------------------------
def test_detail_round_trips_and_validates_against_the_schema():
    report = detail_report(hidden_not_graded=True)
    data = json.loads(render("json", report))
    jsonschema.validate(data, SCHEMA)
    assert Report.from_dict(data) == report
    checks = data["exercises"][0]["checks"]
    assert "detail" not in checks[0]  # full is the default, not written
    assert checks[1]["detail"] == "summary"
    assert data["exercises"][1]["checks"][1]["detail"] == "after_due"
    view = json.loads(render("json", for_student(report, due=DUE, now=BEFORE)))
    jsonschema.validate(view, SCHEMA)  # the view's withheld status and totals are valid too
    assert view["withheld"] == {"checks": 1, "points": 1.0, "until": "2026-12-20 23:59 UTC"}
    assert Report.from_dict(view) == for_student(report, due=DUE, now=BEFORE)
    data["exercises"][0]["checks"][1]["detail"] = "some"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)
    with pytest.raises(ReportError, match="'detail' must be one of"):
        CheckResult("c", 0.0, 1.0, "failed", "", 0.0, "hidden", "some")


def test_parse_due_reads_iso_dates_with_and_without_time():
    assert parse_due("2026-12-20T23:59+01:00") == datetime(2026, 12, 20, 22, 59, tzinfo=UTC)
    assert parse_due("2026-12-20T23:59Z") == DUE
    day = parse_due("2026-12-20")  # a date alone: the end of that day, local time
    assert (day.hour, day.minute, day.second) == (23, 59, 59) and day.tzinfo is not None
    assert show_due(DUE) == "2026-12-20 23:59 UTC" and show_due(None) == "the due date"
    for bad in ("tomorrow", "20/12/2026", ""):
        with pytest.raises(ValueError, match="ISO 8601"):
            parse_due(bad)
    assert is_past(DUE, AFTER) and is_past(DUE, DUE) and not is_past(DUE, BEFORE)
    assert not is_past(None, AFTER)


# -- the student's view ----------------------------------------------------------------------
def test_summary_keeps_the_result_and_the_graders_hints_only():
    view = for_student(detail_report())
    kept = view.exercises[0].checks[1]
    assert (kept.status, kept.score, kept.max_score) == ("failed", 0.0, 1.5)
    assert kept.feedback == f"{SUMMARY_NOTE}\nHint: {KL}"
    assert SUMMARY_SECRET not in kept.feedback and "0.04008" not in kept.feedback
    assert "forged" not in kept.feedback  # a "Hint:" the student's code printed is theirs
    passed = CheckResult("c", 1.0, 1.0, "passed", "", 0.0, "hidden", "summary")
    assert summary_feedback(passed) == ""
    assert view.exercises[0] == for_student(detail_report(), due=DUE, now=AFTER).exercises[0]


def test_after_due_is_kept_back_before_the_due_date():
    report = detail_report()
    view = for_student(report, due=DUE, now=BEFORE)
    ex01 = view.exercises[1]
    later = ex01.checks[1]
    assert (later.status, later.score, later.max_score, later.duration_s) == \
        ("withheld", 0.0, 0.0, 0.0)
    assert later.feedback == "result and feedback after 2026-12-20 23:59 UTC (1 point)"
    assert LATER_SECRET not in later.feedback and "epsilon" not in later.feedback
    # its points leave the exercise's and the report's totals
    assert (ex01.score, ex01.max_score, ex01.status) == (1.0, 1.5, "partial")
    assert (view.score, view.max_score) == (2.0, 4.0)
    assert view.withheld.line == ("1 check (1 point) shows its result after 2026-12-20 "
                                  "23:59 UTC; the total leaves it out")
    # the diagnosis no longer counts the kept-back check (one failed check: no diagnosis)
    assert report.exercises[1].diagnosis.startswith("one mistake, two checks")
    assert ex01.diagnosis is None
    # the view of a view is the same view, whatever date it is given
    assert for_student(view) == view == for_student(view, due=DUE, now=AFTER)
    assert for_student(report) == for_student(report, due=None, now=AFTER)
    assert for_student(report).withheld.until is None


def test_after_due_is_shown_from_the_due_date_on():
    report = detail_report()
    view = for_student(report, due=DUE, now=AFTER)
    later = view.exercises[1].checks[1]
    original = report.exercises[1].checks[1]
    assert (later.status, later.score, later.feedback) == \
        (original.status, original.score, original.feedback)
    assert later.detail == "full" and view.withheld is None
    assert (view.score, view.max_score) == (report.score, report.max_score)
    assert view.exercises[1].diagnosis == report.exercises[1].diagnosis
    assert for_student(view) == view  # stays shown when a renderer applies the view again
    assert disclose(report, due=DUE, now=AFTER).exercises[1].checks[1].detail == "full"
    assert disclose(report, due=DUE, now=BEFORE) == report


def test_an_exercise_with_every_scoring_check_kept_back_has_no_result():
    only = ExerciseResult("ex09", "t", 2.0, 2.0, "passed", (
        CheckResult("a", 2.0, 2.0, "passed", "", 0.1, "hidden", "after_due"),
        CheckResult("written answer", 0.0, 0.0, "manual", ""),))
    broken = ExerciseResult("ex10", "t", 0.0, 1.0, "error", (
        CheckResult("b", 0.0, 1.0, "error", "not graded", 0.0, "hidden", "after_due"),),
        message="ex10.py does not import")
    view = for_student(Report("s", 1, 2.0, 3.0, 1.0, "v", (only, broken)))
    assert [(e.status, e.score, e.max_score) for e in view.exercises] == \
        [("withheld", 0.0, 0.0), ("error", 0.0, 0.0)]
    assert (view.score, view.max_score, view.withheld.checks, view.withheld.points) == \
        (0.0, 0.0, 2, 3.0)


# -- every format ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def before_due():
    report = detail_report(hidden_not_graded=True)
    return outputs(for_student(report, due=DUE, now=BEFORE)) | {"json": render("json", report)}


def test_the_instructors_json_keeps_everything(before_due):
    assert SUMMARY_SECRET in before_due["json"] and LATER_SECRET in before_due["json"]


@pytest.mark.parametrize("name", STUDENT_FORMATS)
def test_no_student_format_shows_a_summary_checks_values(before_due, name):
    text = before_due[name]
    assert SUMMARY_SECRET not in text
    assert "returned 0.04008" not in text and "forged" not in text
    assert "the arguments are the wrong way round" in text  # the hint stays


@pytest.mark.parametrize("name", [n for n in STUDENT_FORMATS if n != "gradescope"])
def test_no_student_format_shows_an_after_due_result_before_the_date(before_due, name):
    text = before_due[name]
    assert LATER_SECRET not in text and "39.86" not in text
    assert "after 2026-12-20 23:59 UTC" in plain(text)
    assert "surprisal of tiny probabilities" in text or name == "classroom"


def test_a_renderer_given_the_full_report_still_shows_the_view():
    """A caller that forgets the view (a batch, the notebook's check) gets the safe one."""
    full = outputs(detail_report())
    for name in STUDENT_FORMATS:
        assert SUMMARY_SECRET not in full[name], name
        if name != "gradescope":
            assert LATER_SECRET not in full[name], name


def test_gradescope_keeps_the_score_and_holds_the_after_due_test_back_itself():
    data = gradescope_format.results(detail_report())
    tests = {t["name"].split(": ", 1)[1]: t for t in data["tests"]}
    later = tests["surprisal of tiny probabilities"]
    assert later["visibility"] == "after_published"  # hidden: shown when grades are published
    assert later["score"] == 0.25 and data["score"] == 2.25  # the gradebook counts it
    public = replace_check(detail_report(), 1, 1, visibility="public")
    assert gradescope_format.results(public)["tests"][3]["visibility"] == "after_due_date"
    assert tests["KL_PQ: KL(P||Q) in nats"]["tags"] == ["hidden", "summary"]
    assert SUMMARY_SECRET not in json.dumps(data)
    # the text shown with the tests is the student's view: no kept-back result in it
    assert LATER_SECRET not in data["output"] and "ex01: 1 / 1.5 partial" in data["output"]
    assert "shows its result after the due date" in data["output"]


def replace_check(report: Report, ex: int, index: int, **changes) -> Report:
    from dataclasses import replace

    exercises = list(report.exercises)
    checks = list(exercises[ex].checks)
    checks[index] = replace(checks[index], **changes)
    exercises[ex] = replace(exercises[ex], checks=tuple(checks))
    return replace(report, exercises=tuple(exercises))


@pytest.mark.parametrize("name", STUDENT_FORMATS)
def test_after_the_due_date_every_format_shows_the_result(name):
    text = outputs(for_student(detail_report(), due=DUE, now=AFTER))[name]
    assert LATER_SECRET in text
    assert "result after" not in plain(text)


@pytest.mark.parametrize("name", STUDENT_FORMATS)
def test_every_format_says_public_or_hidden_and_what_was_not_graded(before_due, name):
    text = plain(before_due[name])
    assert re.search("(?<![a-z])public(?![a-z])", text)
    assert re.search("(?<![a-z])hidden(?![a-z])", text)
    assert "3 hidden checks (2.5 points) are graded when you open a pull request" in text


def test_junit_lists_the_hidden_checks_not_graded_as_one_skipped_case(before_due):
    import junitparser

    xml = junitparser.JUnitXml.fromstring(before_due["junit"].encode())
    suites_by_name = {s.name: s for s in xml}
    hidden = suites_by_name["hidden checks"]
    assert (hidden.tests, hidden.skipped) == (1, 1)
    ex01 = suites_by_name["ex01 Surprisal"]
    assert ex01.skipped == 1  # the kept-back check
    case = {c.name: c for c in ex01}["surprisal of tiny probabilities"]
    assert isinstance(case.result[0], junitparser.Skipped)
    props = {p.name: p.value for p in ex01.properties()}
    assert props["visibility: surprisal of tiny probabilities"] == "hidden"
    assert props["points: surprisal of tiny probabilities"] == "withheld"


def test_classroom_counts_the_points_shown(before_due):
    data = json.loads(before_due["classroom"])
    graded = [t for t in data["tests"] if t["name"] != "grade: note"]
    assert data["max_score"] == 4.0 and sum(t["score"] for t in graded) == 2.0
    assert not any("tiny" in t["name"] for t in data["tests"])
    notes = [t["message"] for t in data["tests"] if t["name"] == "grade: note"]
    assert len(notes) == 2 and all(t["score"] == 0 for t in data["tests"]
                                   if t["name"] == "grade: note")


def test_github_notices_name_the_checks_kept_back(before_due):
    lines = before_due["github"].splitlines()
    later = [line for line in lines if "show" in line and "result after" in line]
    assert len(later) == 1 and later[0].startswith("::notice title=grade%3A not in the total::")
    assert "ex01: surprisal of tiny probabilities" in later[0]
    assert not any("tiny" in line for line in lines if line.startswith("::error"))


# -- hostile text ----------------------------------------------------------------------------
def hostile_detail() -> Report:
    checks = tuple(CheckResult(f"{HOSTILE} {detail}", 0.0, 1.0, "failed",
                               f"{HOSTILE}\nHint: {HOSTILE}\n{SUMMARY_SECRET}", 0.1, "hidden",
                               detail) for detail in ("summary", "after_due"))
    return Report(HOSTILE, 1, 0.0, 2.0, 1.0, "v",
                  (ExerciseResult("ex10", HOSTILE, 0.0, 2.0, "failed", checks),),
                  hidden_not_graded=NotGraded(1, 1.0))


@pytest.mark.parametrize("name", STUDENT_FORMATS)
def test_hostile_text_survives_the_view(name):
    text = outputs(for_student(hostile_detail(), due=DUE, now=BEFORE))[name]
    text.encode("utf-8")
    for char in RAW_FORBIDDEN:
        if not (name == "table" and char == "\ufffe"):  # a non-character only XML refuses
            assert char not in text, (name, char)
    assert SUMMARY_SECRET not in text


# -- the suites: markers, the untouched stubs, a real grading -------------------------------
def test_marked_checks_and_the_untouched_stubs_agree():
    """pytest's reading of @pytest.mark.feedback and the stubs' AST reading give the same."""
    from grader.plugin import check_name, exercise_of

    items = collected_items([e.id for e in catalog.EXERCISES])
    details = {(exercise_of(i), check_name(i)): check_detail(i) for i in items}
    assert None not in details.values()
    assert details[("ex05", "KL_PQ: KL(P||Q) in nats")] == "summary"
    assert details[("ex05", "H_PQ: the cross-entropy H(P,Q) in nats")] == "summary"
    assert details[("ex01", "surprisal of tiny probabilities (down to 1e-300) is exact")] \
        == "after_due"
    for exercise_id in ("ex01", "ex05"):
        plan = untouched.suite_checks(catalog.get(exercise_id), suites.suite_paths(exercise_id))
        assert plan is not None  # the feedback marker keeps the fast path for stubs
        assert [(exercise_id, c.name, c.detail) for c in plan] == \
            [(e, n, d) for (e, n), d in details.items() if e == exercise_id]


def test_a_bad_feedback_marker_is_refused():
    class Item:
        def __init__(self, *args, **kwargs):
            self.marker = SimpleNamespace(args=args, kwargs=kwargs) if args or kwargs else None

        def get_closest_marker(self, name):
            return self.marker if name == "feedback" else None

    assert check_detail(Item()) == "full"
    assert check_detail(Item("summary")) == "summary"
    assert check_detail(Item("after_due")) == "after_due"
    for bad in (Item("none"), Item(detail="summary"), Item("summary", "after_due")):
        assert check_detail(bad) is None


def test_grading_keeps_everything_and_the_view_hides_the_answers(grade_files):
    report = grade_files({"ex05.py": SUBMISSIONS / "ex05" / "kl_reversed.py"}, ["ex05"], seed=1)
    kl = check(report, "ex05", "KL_PQ")
    assert (kl.detail, kl.visibility, kl.status) == ("summary", "hidden", "failed")
    assert "0.0474687" in kl.feedback  # the instructor's report: the expected value
    shown = {name: text for name, text in outputs(report).items() if name != "json"}
    for name, text in shown.items():
        assert "0.0474687" not in text, name
    assert "0.0474687" in render("json", report)
    stub = grade_files({"ex01.py": STUBS / "ex01.py"}, ["ex01"])  # the untouched fast path
    tiny = check(stub, "ex01", "surprisal of tiny")
    assert tiny.detail == "after_due" and exercise(stub, "ex01").status == "not_attempted"
    assert for_student(stub).exercises[0].status == "not_attempted"


# -- the command line ------------------------------------------------------------------------
def test_due_is_read_from_the_command_line_or_the_environment(monkeypatch):
    args = cli.grade_parser().parse_args(["--due", "2026-12-20T23:59Z", "--now",
                                          "2026-12-21T00:00Z", "--student-view"])
    assert args.due == DUE and args.now > DUE and args.student_view
    monkeypatch.setenv("GRADE_DUE", "2026-12-20T23:59Z")
    assert cli.grade_parser().parse_args([]).due == DUE
    monkeypatch.setenv("GRADE_DUE", "")
    assert cli.grade_parser().parse_args([]).due is None
    with pytest.raises(SystemExit):
        cli.grade_parser().parse_args(["--due", "next friday"])


def test_write_outputs_gives_json_everything_and_the_rest_the_view(tmp_path, capsys):
    report = detail_report()
    plan = [(name, tmp_path / f"report.{name}") for name in FORMATS if name != "notebook"]
    cli.write_outputs(report, plan, quiet=True, due=DUE, now=BEFORE)
    written = {name: Path(path).read_text() for name, path in plan}
    assert LATER_SECRET in written["json"] and SUMMARY_SECRET in written["json"]
    for name, text in written.items():
        if name != "json":
            assert SUMMARY_SECRET not in text, name
    assert LATER_SECRET not in written["markdown"]
    assert json.loads(written["gradescope"])["score"] == 2.25
    cli.write_outputs(report, [("json", tmp_path / "view.json")], quiet=True, due=DUE,
                      now=BEFORE, student_view=True)
    view = json.loads((tmp_path / "view.json").read_text())
    assert view["withheld"]["checks"] == 1 and SUMMARY_SECRET not in json.dumps(view)
    cli.write_outputs(report, [("markdown", tmp_path / "after.md")], quiet=True, due=DUE,
                      now=AFTER)
    assert LATER_SECRET in (tmp_path / "after.md").read_text()
    assert capsys.readouterr().out == ""
