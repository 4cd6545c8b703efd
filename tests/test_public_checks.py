"""Public checks only (a student's release without the course key): issue 10, point 1."""

from __future__ import annotations

import pytest

from grader import catalog, runner, submission, suites
from grader.render import table
from tests.conftest import REFERENCE, STUBS

EXERCISES = ["ex01", "ex05", "ex10"]


def grade(pool, folder, seed=0):
    outcomes = runner.grade(submission.load(folder), exercise_ids=EXERCISES, seed=seed,
                            pool=pool, hidden_available=False)
    assert outcomes.internal_errors == ()
    return outcomes.report


@pytest.mark.parametrize("seed", [0, 7])
def test_reference_gets_full_public_marks(pool, seed):
    report = grade(pool, REFERENCE, seed)
    public = suites.collect_checks(EXERCISES, visibility=True)
    points = sum(p for e in EXERCISES for _, p, v in public[e] if v == "public")
    assert report.max_score == pytest.approx(points)
    assert report.score == pytest.approx(points)
    assert points < sum(catalog.get(e).points for e in EXERCISES)
    assert all(c.visibility == "public" for e in report.exercises for c in e.checks
               if c.status != "manual")
    manifest = suites.hidden_manifest()
    assert report.hidden_not_graded.checks == sum(manifest[e]["checks"] for e in EXERCISES)
    assert report.hidden_not_graded.points == pytest.approx(
        sum(catalog.get(e).points for e in EXERCISES) - points)
    line = table.footer(report)
    assert f"{report.hidden_not_graded.checks} hidden checks" in line
    assert "are graded when you open a pull request" in line
    assert report.to_dict()["hidden_not_graded"]["checks"] == report.hidden_not_graded.checks


def test_stubs_get_zero(pool):
    report = grade(pool, STUBS)
    assert report.score == 0 and report.max_score > 0


def test_a_mistake_loses_public_points(pool, tmp_path):
    source = (REFERENCE / "ex01.py").read_text()
    wrong = source.replace("return 2.584962500721156", "return 2.5849625 * 0")
    if wrong == source:  # the reference computes it: break the function itself
        wrong = source + "\n\ndef die_face_surprisal_bits():\n    return math.log(6)\n"
    (tmp_path / "ex01.py").write_text(wrong)
    report = runner.grade(submission.load(tmp_path), exercise_ids=["ex01"], seed=0,
                          pool=pool, hidden_available=False).report
    failed = [c for c in report.exercises[0].checks if c.status == "failed"]
    assert [c.name for c in failed] == [
        "die_face_surprisal_bits: the surprisal of one face of a fair die, in bits"]
    assert all(c.visibility == "public" for c in failed)
    assert report.score == pytest.approx(report.max_score - 0.75)


def test_full_run_marks_visibility(pool):
    outcomes = runner.grade(submission.load(REFERENCE), exercise_ids=["ex01"], seed=0,
                            pool=pool, hidden_available=True)
    report = outcomes.report
    assert report.hidden_not_graded is None
    kinds = [c.visibility for c in report.exercises[0].checks]
    assert kinds == ["public"] * 4 + ["hidden"] * 2
    assert report.score == pytest.approx(catalog.get("ex01").points)
