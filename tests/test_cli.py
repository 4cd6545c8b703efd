"""The command line as users meet it: output, exit codes, one-line errors."""

from __future__ import annotations

import json

import jsonschema
import pytest

from grader import cli
from tests.conftest import ROOT, run_grade, run_json
from tests.test_report import SCHEMA


def test_list_shows_every_exercise_and_the_total():
    done = run_grade("list")
    assert done.returncode == 0
    for number in range(1, 17):
        assert f"ex{number:02d}" in done.stdout
    assert "100 points in all" in done.stdout


def test_list_with_a_target_shows_its_checks():
    done = run_grade("list", "ex10")
    assert done.returncode == 0 and "ex10 checks" in done.stdout
    assert "entropy matches the reference" in done.stdout


@pytest.mark.parametrize("args, words", [
    (["ex99"], "unknown target 'ex99'"),
    (["ex10", "--submission", "does/not/exist"], "submission not found"),
    (["ex10", "--submission", "pyproject.toml"], "expected a folder"),
    (["batch", "does/not/exist", "--out", "does/not/exist/out"], "not a folder"),
    (["ex10", "--output", "/nonexistent/dir/report.json"], "does not exist"),
    (["ex10", "--mnist", "/nonexistent"], "not a folder"),
])
def test_usage_errors_are_one_line_with_exit_code_2(args, words):
    done = run_grade(*args)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "Traceback" not in done.stderr


@pytest.mark.parametrize("option", [["--seed", "-1"], ["--seed", "x"], ["--timeout", "0"],
                                    ["--fail-under", "101"], ["--format", "pdf"]])
def test_bad_option_values_exit_2(option):
    done = run_grade("ex10", *option)
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_reference_json_report_is_valid_and_reproducible():
    code, first = run_json("ex10", "--submission", "reference", "--seed", "5")
    assert code == 0
    jsonschema.validate(first, SCHEMA)
    assert (first["score"], first["max_score"], first["seed"]) == (8.0, 8.0, 5)
    assert first["submission"] == "reference"
    _, second = run_json("ex10", "--submission", "reference", "--seed", "5")

    def strip(report):
        return [[{k: v for k, v in c.items() if k != "duration_s"} for c in e["checks"]]
                for e in report["exercises"]]

    assert strip(first) == strip(second)


def test_stub_run_is_a_valid_report_with_zero_points():
    code, report = run_json("--seed", "1")
    assert code == 0
    jsonschema.validate(report, SCHEMA)
    assert report["score"] == 0 and report["max_score"] > 0
    assert {e["status"] for e in report["exercises"]} == {"not_attempted"}


def test_fail_under_and_output(tmp_path):
    out = tmp_path / "report.json"
    done = run_grade("ex10", "--fail-under", "50", "--format", "json", "--output", str(out))
    assert done.returncode == 1  # the stubs score 0 %
    assert "Total" in done.stdout  # the table still goes to the terminal
    jsonschema.validate(json.loads(out.read_text()), SCHEMA)
    done = run_grade("ex10", "--submission", "reference", "--fail-under", "100")
    assert done.returncode == 0


def test_internal_error_exits_3_without_a_traceback(monkeypatch, capsys):
    from grader import runner

    def broken(*args, **kwargs):
        raise RuntimeError("the grader broke")

    monkeypatch.setattr(runner, "grade", broken)
    monkeypatch.delenv("GRADE_DEBUG", raising=False)
    code = cli.main(["ex10", "--submission", str(ROOT / "reference")])
    err = capsys.readouterr().err
    assert code == 3 and "internal grader error" in err and "Traceback" not in err
