"""grade --watch regrades on save; untouched stubs are reported without running them."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader import catalog, runner, submission, suites, untouched

ROOT = Path(__file__).resolve().parent.parent


def wait_for(path: Path, predicate, timeout: float = 90.0) -> dict:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # not written yet (never half-written: it is renamed)
            last = None
        if last is not None and predicate(last):
            return last
        time.sleep(0.05)
    raise AssertionError(f"{path} never reached the expected state; last: {last}")


@pytest.mark.slow
def test_watch_regrades_on_save(tmp_path):
    folder = tmp_path / "work"
    shutil.copytree(ROOT / "exercises", folder)
    report = tmp_path / "report.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "grader.cli", "--watch", "ex10", "--format", "json",
         "--output", str(report), "--submission", str(folder), "--seed", "5"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = wait_for(report, lambda r: True)
        assert [e["status"] for e in first["exercises"]] == ["not_attempted"]
        (folder / "ex10.py").write_text((ROOT / "reference" / "ex10.py").read_text())
        full = wait_for(report, lambda r: r["exercises"][0]["status"] == "passed")
        assert full["score"] == full["max_score"] == 8.0
        assert full["seed"] == 5
        (folder / "ex10.py").write_text("def entropy(p:\n")
        broken = wait_for(report, lambda r: r["exercises"][0]["status"] == "error")
        assert broken["score"] == 0.0
        assert "syntax error" in broken["exercises"][0]["message"]
        # another exercise's file changing does not regrade ex10 (not watched)
        (folder / "ex01.py").write_text((ROOT / "reference" / "ex01.py").read_text())
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "internal grader error" not in err
    assert "watching" in out
    assert not list(tmp_path.glob(".report.json.*"))  # no temporary file left behind


def test_watch_needs_a_folder(tmp_path, capsys):
    from grader.cli import main

    notebook = tmp_path / "work.zip"
    notebook.write_bytes(b"")
    assert main(["--watch", "ex10", "--submission", str(notebook)]) == 2
    assert "error" in capsys.readouterr().err


# -- untouched stubs ---------------------------------------------------------------------
def stub(exercise_id: str) -> str:
    return (ROOT / "exercises" / f"{exercise_id}.py").read_text()


def test_stub_is_untouched_and_implemented_one_is_not():
    ex10 = catalog.get("ex10")
    plan = untouched.plan(ex10, stub("ex10"), suites.suite_paths("ex10"))
    assert plan is not None and len(plan.checks) >= 5
    assert {c.function for c in plan.checks} <= set(ex10.names)
    assert sum(c.points for c in plan.checks) == ex10.points
    reference = (ROOT / "reference" / "ex10.py").read_text()
    assert untouched.plan(ex10, reference, suites.suite_paths("ex10")) is None


@pytest.mark.parametrize("change", [
    "print('hello')\n",                       # runs at import: its output is reported
    "import not_a_module_anywhere\n",         # fails at import: an error, not not_attempted
    "x = len([])\n",                          # a computation at the top level
    "def helper(p):\n    return p\n",         # a function that is not a stub
])
def test_anything_that_runs_is_not_untouched(change):
    ex10 = catalog.get("ex10")
    assert untouched.plan(ex10, stub("ex10") + "\n" + change, suites.suite_paths("ex10")) is None


def test_missing_function_and_bad_default_are_not_untouched():
    ex10 = catalog.get("ex10")
    text = stub("ex10")
    assert untouched.plan(ex10, text.replace("def kl_divergence", "def kl_div"),
                          suites.suite_paths("ex10")) is None
    bad_default = text.replace("def entropy(p", "def entropy(p, eps=math.not_there", 1)
    assert bad_default != text
    assert untouched.plan(ex10, bad_default, suites.suite_paths("ex10")) is None


def test_written_answer_is_kept():
    ex02 = catalog.get("ex02")
    text = stub("ex02").replace(catalog.WRITTEN_PLACEHOLDER, "H(p) <= log N by Jensen.")
    plan = untouched.plan(ex02, text, suites.suite_paths("ex02"))
    assert plan is not None and plan.written == "H(p) <= log N by Jensen."


def comparable(report) -> dict:
    data = report.to_dict()
    data.pop("duration_s")
    for exercise in data["exercises"]:
        for check in exercise["checks"]:
            check.pop("duration_s")
    return data


@pytest.mark.slow
def test_untouched_report_equals_running_the_suites(pool, tmp_path):
    """The whole chapter's stubs: same checks, statuses, points and feedback either way."""
    folder = tmp_path / "work"
    shutil.copytree(ROOT / "exercises", folder)
    text = (folder / "ex07.py").read_text().replace(catalog.WRITTEN_PLACEHOLDER, "By Jensen.")
    (folder / "ex07.py").write_text(text)
    loaded = submission.load(str(folder))
    ids = [e.id for e in catalog.EXERCISES]
    fast = runner.grade(loaded, exercise_ids=ids, seed=11, pool=pool)
    slow = runner.grade(loaded, exercise_ids=ids, seed=11, pool=pool, skip_untouched=False)
    assert not fast.internal_errors and not slow.internal_errors
    assert comparable(fast.report) == comparable(slow.report)
    assert all(e.status == "not_attempted" for e in fast.report.exercises)
    assert fast.report.duration_s < slow.report.duration_s
