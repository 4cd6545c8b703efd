"""Exercise 11's hidden suite, graded in both directions."""

from __future__ import annotations

import base64

import pytest

from tests.conftest import REFERENCE, STUBS, SUBMISSIONS, check, exercise

FILES = SUBMISSIONS / "ex11"
CHECKS = {  # the start of each check's name
    "entropy": "binary_entropy matches scipy",
    "base": "base= changes the unit",
    "cross": "binary_cross_entropy matches the reference",
    "ends": "the ends p, q in {0, 1}",
    "argmin": "cross_entropy_argmin returns",
    "invalid": "ValueError for p or q",
    "plot": "plot_binary_entropy draws",
    "labels": "plot_binary_entropy labels",
}

# golden wrong submissions: the checks they must fail (all others pass), and words of the
# feedback of the first of them
WRONG = {
    "nats_instead_of_bits": ({"entropy", "cross", "plot"}, "nats"),
    "nan_at_ends": ({"ends"}, "0 * log 0"),
    "clipped_epsilon": ({"ends"}, "do not clip"),
    "argmin_returns_index": ({"argmin"}, "index of the minimum"),
    "plot_in_nats": ({"plot"}, "in nats"),
    "plot_too_few_points": ({"plot"}, "at least 50 points"),
    "no_axis_labels": ({"labels"}, "no label"),
    "plot_returns_none": ({"plot", "labels"}, "return fig"),
}


def failing(result) -> set[str]:
    return {key for key, start in CHECKS.items()
            for c in result.checks if c.name.startswith(start) and c.status != "passed"}


def test_checks_and_points(grade_files):
    result = exercise(grade_files({"ex11.py": REFERENCE / "ex11.py"}, ["ex11"]), "ex11")
    points = {key: next(c.max_score for c in result.checks if c.name.startswith(start))
              for key, start in CHECKS.items()}
    assert len(result.checks) == len(CHECKS)
    assert points == {"entropy": 1, "base": 0.5, "cross": 1, "ends": 1, "argmin": 0.5,
                      "invalid": 0.5, "plot": 1, "labels": 0.5}


@pytest.mark.parametrize("seed", range(10))
def test_reference_full_marks(grade_files, seed):
    report = grade_files({"ex11.py": REFERENCE / "ex11.py"}, ["ex11"], seed=seed)
    result = exercise(report, "ex11")
    assert result.status == "passed", [c.feedback for c in result.checks if c.feedback]
    assert result.score == result.max_score == 6
    [figure] = result.figures
    assert figure.caption == "plot_binary_entropy"
    assert base64.b64decode(figure.png_base64).startswith(b"\x89PNG\r\n\x1a\n")


def test_stub_not_attempted(grade_files):
    result = exercise(grade_files({"ex11.py": STUBS / "ex11.py"}, ["ex11"]), "ex11")
    assert (result.status, result.score) == ("not_attempted", 0)
    assert result.figures == ()


@pytest.mark.parametrize("name", ["correct_xlogy_subplots", "correct_loops_figure"])
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_correct_variants_full_marks(grade_files, name, seed):
    result = exercise(grade_files({"ex11.py": FILES / f"{name}.py"}, ["ex11"], seed=seed),
                      "ex11")
    assert result.score == 6, [c.feedback for c in result.checks if c.feedback]


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_submission_loses_the_right_points(grade_files, name, seed=3):
    expected, words = WRONG[name]
    report = grade_files({"ex11.py": FILES / f"{name}.py"}, ["ex11"], seed=seed)
    result = exercise(report, "ex11")
    assert failing(result) == expected, [(c.name, c.feedback) for c in result.checks]
    first = next(key for key in CHECKS if key in expected)
    feedback = check(report, "ex11", CHECKS[first]).feedback
    assert words in feedback, feedback
    assert "Hint:" in feedback, feedback
    assert result.score == 6 - sum(c.max_score for c in result.checks
                                   if c.status != "passed")


def test_every_golden_file_is_tested():
    names = {path.stem for path in FILES.glob("*.py")}
    assert names == set(WRONG) | {"correct_xlogy_subplots", "correct_loops_figure"}
