"""Several reports from one run: --format/--output pairs, --output-dir, --quiet, GitHub."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import jsonschema
import junitparser
import pytest

from grader import cli
from tests.conftest import ROOT, run_grade
from tests.test_report import SCHEMA


@pytest.mark.parametrize("argv, plan", [
    ([], [("table", None)]),
    (["--format", "json"], [("json", None)]),
    (["--output", "a"], [("table", "a")]),
    (["--output", "a", "--format", "json"], [("json", "a")]),
    (["--format", "json", "--output", "a", "--format", "junit", "--output", "b",
      "--format", "markdown"], [("json", "a"), ("junit", "b"), ("markdown", None)]),
])
def test_each_output_pairs_with_its_format(argv, plan):
    args = cli.grade_parser().parse_args(argv)
    got = cli.plan_outputs(args.outputs, None)
    assert [(name, str(path) if path else None) for name, path in got] == plan


@pytest.mark.parametrize("argv, words", [
    (["--format", "json", "--format", "markdown"], "only one format can go to the terminal"),
    (["--format", "json", "--output", "a", "--output", "b"], "follows no --format"),
    (["--format", "json", "--output", "a", "--format", "junit", "--output", "a"],
     "same file"),
])
def test_ambiguous_outputs_are_usage_errors(argv, words):
    args = cli.grade_parser().parse_args(argv)
    with pytest.raises(cli.UsageError, match=words):
        cli.plan_outputs(args.outputs, None)


def test_output_dir_adds_the_four_reports():
    plan = cli.plan_outputs(None, "out")
    assert [(n, p.name) for n, p in plan] == [("json", "report.json"), ("junit", "report.xml"),
                                             ("markdown", "report.md"), ("html", "report.html")]


@pytest.mark.slow
def test_several_outputs_in_one_run(tmp_path):
    xml, md, folder = tmp_path / "r.xml", tmp_path / "r.md", tmp_path / "out"
    done = run_grade("ex10", "--submission", "reference", "--seed", "5", "--format", "junit",
                     "--output", str(xml), "--format", "markdown", "--output", str(md),
                     "--output-dir", str(folder))
    assert done.returncode == 0, done.stderr
    assert "Total" in done.stdout  # the table still goes to the terminal
    suites = list(junitparser.JUnitXml.fromfile(str(xml)))
    assert len(suites) == 1 and suites[0].tests > 0 and suites[0].failures == 0
    assert "**Score 8 / 8 (100.0 %) · seed 5**" in md.read_text()
    jsonschema.validate(json.loads((folder / "report.json").read_text()), SCHEMA)
    assert (folder / "report.xml").read_text() == xml.read_text()
    assert "<details" in (folder / "report.html").read_text()
    assert (folder / "report.md").read_text() == md.read_text()
    quiet = run_grade("ex10", "--submission", "reference", "--seed", "5", "--quiet",
                      "--output-dir", str(folder))
    assert quiet.returncode == 0 and quiet.stdout == ""


@pytest.mark.slow
def test_github_format_annotates_and_writes_the_step_summary(tmp_path):
    summary = tmp_path / "summary.md"
    folder = tmp_path / "exercises"
    folder.mkdir()
    (folder / "ex10.py").write_text(
        (ROOT / "tests" / "submissions" / "ex10" / "kl_reversed.py").read_text())
    done = subprocess.run(
        [sys.executable, "-m", "grader.cli", "ex10", "--seed", "3", "--format", "github"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={**os.environ, "GITHUB_STEP_SUMMARY": str(summary)})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    diagnosis = [line for line in errors if "one mistake behind several checks" in line]
    checks = [line for line in errors if line not in diagnosis]
    # the path as the repository names it, the line of kl_divergence's def
    assert checks and all("file=exercises/ex10.py,line=37," in line for line in checks)
    # the exercise-level diagnosis, once, on the file
    assert len(diagnosis) == 1 and "file=exercises/ex10.py" in diagnosis[0]
    assert lines[-1].startswith("::notice title=grade::Score ")
    assert "### ex10" in summary.read_text()


def test_unwritable_output_dir_is_a_usage_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    done = run_grade("ex10", "--output-dir", str(blocker))
    assert done.returncode == 2 and "is not a folder" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
