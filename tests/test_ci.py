"""``grade ci``: a pull request is graded by the base's grader and sealed suites, whatever its
head changes; the head is read as data, never checked out or run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader import runner, submission
from grader.release import bundle, sealed
from grader.release.ci import MARKER, NO_KEY, outside_exercises
from grader.release.cli import build
from tests.conftest import REFERENCE, ROOT, SUBMISSIONS

SEED = 5
ALWAYS_PASS = '''import pytest

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    outcome.get_result().outcome = "passed"
'''


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True, env=env).stdout


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A student release as the base branch, and a pull request that tampers with everything."""
    folder = tmp_path_factory.mktemp("course")
    key_file = folder / "course.key"
    bundle.write_key(key_file)
    base = folder / "base"
    build(ROOT, base, bundle.read_key(key_file))
    _git(base, "init", "-q", "-b", "main")
    _git(base, "add", "-A")
    _git(base, "commit", "-q", "-m", "release")
    _git(base, "checkout", "-q", "-b", "pr")
    kl_reversed = (SUBMISSIONS / "ex10" / "kl_reversed.py").read_text(encoding="utf-8")
    (base / "exercises" / "ex10.py").write_text(kl_reversed, encoding="utf-8")
    shutil.copy(REFERENCE / "ex04.py", base / "exercises" / "ex04.py")
    (base / "reference").mkdir()
    (base / "reference" / "__init__.py").write_text("", encoding="utf-8")
    (base / "reference" / "ex10.py").write_text(kl_reversed, encoding="utf-8")
    shutil.copy(REFERENCE / "ex05.py", base / "reference" / "ex05.py")
    (base / "exercises" / "ex05.py").unlink()
    (base / "exercises" / "ex05.py").symlink_to("../reference/ex05.py")
    (base / "conftest.py").write_text(ALWAYS_PASS, encoding="utf-8")
    (base / "grader" / "public" / "test_ex10.py").write_text(
        "def test_everything():\n    pass\n", encoding="utf-8")
    with (base / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n# the pull request's own packaging\n")
    workflow = base / ".github" / "workflows" / "grade.yml"
    workflow.write_text(workflow.read_text() + "# echo the secret\n", encoding="utf-8")
    (base / "hidden.bundle").write_bytes(b"not the course's bundle")
    _git(base, "add", "-A")
    _git(base, "commit", "-q", "-m", "my exercises (and a few improvements)")
    _git(base, "checkout", "-q", "main")
    return base, key_file


def _ci(base: Path, *args: str, key: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in (sealed.KEY_ENV, "GITHUB_STEP_SUMMARY")}
    env["PYTHONPATH"] = str(base)  # the base's grader: the release's own package
    if key is not None:
        env[sealed.KEY_ENV] = key
    return subprocess.run([sys.executable, "-m", "grader.cli", "ci", *args], cwd=base, env=env,
                          capture_output=True, text=True, timeout=600)


def _instructor(files: dict[str, Path], exercises, pool, tmp_path):
    folder = tmp_path / "instructor"
    folder.mkdir()
    for name, path in files.items():
        shutil.copy(path, folder / name)
    outcomes = runner.grade(submission.load(folder), exercise_ids=exercises, seed=SEED, pool=pool)
    return {e.id: e.score for e in outcomes.report.exercises}


def test_the_grade_comes_from_the_base_grader_and_sealed_suites(course, pool, tmp_path):
    base, key_file = course
    head_before = _git(base, "rev-parse", "HEAD")
    out = tmp_path / "out"
    summary = tmp_path / "summary.md"
    done = _ci(base, "ex04", "ex05", "ex10", "--head-ref", "pr", "--out", str(out), "--seed",
               str(SEED), "--quiet", key=key_file.read_text().strip())
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "report.json").read_text())
    assert "hidden_not_graded" not in report  # the sealed hidden checks ran
    scores = {e["id"]: e for e in report["exercises"]}
    expected = _instructor({"ex10.py": SUBMISSIONS / "ex10" / "kl_reversed.py",
                            "ex04.py": REFERENCE / "ex04.py"}, ["ex04", "ex10"], pool, tmp_path)
    assert scores["ex10"]["score"] == expected["ex10"] < scores["ex10"]["max_score"]
    assert scores["ex04"]["score"] == expected["ex04"] == scores["ex04"]["max_score"]
    assert scores["ex05"]["score"] == 0 and scores["ex05"]["status"] == "error"
    assert "symbolic link" in scores["ex05"]["message"]
    comment = (out / "comment.md").read_text()
    assert comment.startswith(MARKER + "\n")
    for path in ("conftest.py", "grader/public/test_ex10.py", "pyproject.toml",
                 "reference/ex10.py", ".github/workflows/grade.yml", "hidden.bundle"):
        assert f"`{path}`" in comment, path
    assert (out / "changed_outside.txt").read_text().splitlines() == sorted(
        outside_exercises(_git(base, "diff", "--name-only", "main", "pr").split()))
    # the base checkout was never switched to the head, nor changed
    assert _git(base, "rev-parse", "HEAD") == head_before
    assert _git(base, "status", "--porcelain") == ""
    assert not (base / "conftest.py").exists() and not summary.exists()


def test_without_the_key_the_pull_request_gets_public_checks_labelled(course, tmp_path):
    base, _ = course
    out = tmp_path / "out"
    done = _ci(base, "ex10", "--head-ref", "pr", "--out", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["hidden_not_graded"]["checks"] > 0
    assert NO_KEY in (out / "comment.md").read_text()


def test_the_step_summary_gets_the_comment(course, tmp_path):
    base, key_file = course
    out, summary = tmp_path / "out", tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    env_key = key_file.read_text().strip()
    env = {**os.environ, sealed.KEY_ENV: env_key, "PYTHONPATH": str(base),
           "GITHUB_STEP_SUMMARY": str(summary)}
    done = subprocess.run([sys.executable, "-m", "grader.cli", "ci", "ex04", "--head-ref", "pr",
                           "--out", str(out), "--quiet"], cwd=base, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    text = summary.read_text()
    assert text.startswith("earlier step\n" + MARKER)
    assert env_key not in text and env_key not in done.stdout + done.stderr


@pytest.mark.parametrize("args, words", [
    (["--head-ref", "no-such-branch"], "no-such-branch"),
    (["--head-ref=--upload-pack=evil"], "not a git ref"),
    (["--head-ref", "pr", "--repo", "/"], "is not a git checkout"),
])
def test_bad_refs_and_folders_are_one_line_errors(course, tmp_path, args, words):
    base, _ = course
    done = _ci(base, *args, "--out", str(tmp_path / "out"))
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], lines


def test_outside_exercises_keeps_only_the_students_files():
    assert outside_exercises(["exercises/ex04.py", "exercises/ch04.ipynb", "exercises/x.py",
                              "exercises/sub/ex04.py", "grader/cli.py", "README.md"]) == \
        ["exercises/x.py", "exercises/sub/ex04.py", "grader/cli.py", "README.md"]


@pytest.mark.parametrize("due", [None, "2000-01-01"])
def test_the_artifact_and_comment_are_the_students_view(course, tmp_path, due):
    """What CI writes can be read by the student: after_due checks only after --due."""
    base, key_file = course
    out = tmp_path / "out"
    args = ["ex01", "--head-ref", "main", "--out", str(out), "--quiet", "--base-ref", "main"]
    done = _ci(base, *args, *(["--due", due] if due else []), key=key_file.read_text().strip())
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "report.json").read_text())
    tiny = [c for c in report["exercises"][0]["checks"]
            if c["name"].startswith("surprisal of tiny probabilities")]
    assert len(tiny) == 1
    if due is None:
        assert tiny[0]["status"] == "withheld" and report["withheld"]["checks"] == 1
    else:
        assert tiny[0]["status"] != "withheld" and "withheld" not in report
