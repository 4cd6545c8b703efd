"""Shared fixtures of the grader's own tests: grade a submission written into tmp_path.

``grade_files`` runs the real pipeline (worker, hidden suites, report) in-process with one
worker pool shared by the whole session, so a golden submission costs a fork, not an
interpreter start. End-to-end tests of the command line run ``grade`` as a subprocess.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from grader import runner, submission
from grader.pool import WorkerPool
from grader.report import Report

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "reference"
STUBS = ROOT / "exercises"
SUBMISSIONS = Path(__file__).parent / "submissions"


@pytest.fixture(scope="session")
def pool():
    with WorkerPool(preload=("numpy", "scipy", "torch", "matplotlib")) as shared:
        yield shared


GradeFiles = Callable[..., Report]


@pytest.fixture
def grade_files(pool, tmp_path) -> GradeFiles:
    """Grade a submission made of the given files; return the report (no internal errors)."""
    counter = iter(range(1000))

    def run(files: dict[str, str | Path], exercises: list[str], *, seed: int = 0,
            timeout: float | None = None, options: dict | None = None) -> Report:
        folder = tmp_path / f"submission{next(counter)}"
        folder.mkdir()
        for name, content in files.items():
            target = folder / name
            if isinstance(content, Path):
                shutil.copyfile(content, target)
            else:
                target.write_text(content, encoding="utf-8")
        outcomes = runner.grade(submission.load(folder), exercise_ids=exercises, seed=seed,
                                call_timeout=timeout, pool=pool, options=options)
        assert outcomes.internal_errors == (), outcomes.internal_errors
        return outcomes.report

    return run


def exercise(report: Report, exercise_id: str):
    """Return one exercise's result from a report."""
    return next(e for e in report.exercises if e.id == exercise_id)


def check(report: Report, exercise_id: str, name_start: str):
    """Return the check of an exercise whose name starts with ``name_start``."""
    matches = [c for c in exercise(report, exercise_id).checks if c.name.startswith(name_start)]
    assert len(matches) == 1, (name_start, [c.name for c in exercise(report, exercise_id).checks])
    return matches[0]


def assert_full_marks(report: Report, exercise_id: str):
    """Assert an exercise got every point; show the feedback of what did not pass."""
    result = exercise(report, exercise_id)
    assert result.status == "passed", [(c.name, c.feedback) for c in result.checks
                                       if c.feedback and c.status != "manual"]
    assert result.score == result.max_score
    return result


def assert_loses(report: Report, exercise_id: str, failing: dict[str, str],
                 passing: list[str] = (), score: float | None = None) -> None:
    """Assert the named checks failed with nothing earned and their hint's words, the
    others in ``passing`` passed, and (if given) the exercise's score."""
    for start, words in failing.items():
        result = check(report, exercise_id, start)
        assert (result.status, result.score) == ("failed", 0), (start, result)
        assert words in result.feedback, (start, result.feedback)
    for start in passing:
        assert check(report, exercise_id, start).status == "passed", start
    if score is not None:
        assert exercise(report, exercise_id).score == score


def run_grade(*args: str, cwd: Path | None = None, timeout: float = 300
              ) -> subprocess.CompletedProcess:
    """Run the ``grade`` command as a user would; return the finished process."""
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=timeout)


def run_json(*args: str, cwd: Path | None = None) -> tuple[int, dict]:
    """Run ``grade --format json`` and return the exit code and the parsed report."""
    done = run_grade(*args, "--format", "json", cwd=cwd)
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else {}


class _Collector:
    """A pytest plugin that keeps the items a collection found."""

    def __init__(self):
        self.items = []

    def pytest_configure(self, config):
        from grader.plugin import register_markers

        register_markers(config)

    def pytest_collection_modifyitems(self, items):
        self.items = list(items)


def collected_items(exercise_ids) -> list:
    """The pytest items (checks) of these exercises' suites, collected as a grading does."""
    from grader import suites

    collector = _Collector()
    suites.run(suites.gradable(list(exercise_ids)), collector, collect_only=True)
    return collector.items
