"""Exercise 4's hidden suite, graded in both directions."""

from __future__ import annotations

import numpy as np
import pytest

from reference import ex04 as ref
from tests.conftest import REFERENCE, STUBS, SUBMISSIONS, check, exercise

FILES = SUBMISSIONS / "ex04"

#: the start of each check's name
CHECKS = {
    "softmax": "softmax: ",
    "loss": "cross_entropy_loss: ",
    "grad": "cross_entropy_grad: ",
    "num_ref": "cross_entropy_grad matches central differences of the reference",
    "num_own": "cross_entropy_grad matches central differences of your",
    "rows": "the rows of cross_entropy_grad",
    "extreme": "extreme logits",
    "tiny": "tiny p_y",
    "invalid": "ValueError for",
}
ALL = frozenset(CHECKS)

#: golden wrong submissions: (checks that lose all their points, the check whose feedback
#: must hold the hint, words of that hint, checks that keep all their points)
WRONG = {
    "no_max_subtraction": ({"extreme"}, "extreme", "Subtract each row's max", ALL - {"extreme"}),
    "global_max_subtraction": ({"extreme"}, "extreme", "Subtract each row's max",
                               ALL - {"extreme"}),
    "log_of_softmax_underflows": ({"extreme"}, "extreme", "-log(softmax(z)[y]) is inf",
                                  ALL - {"extreme"}),
    # the loss values may also fail at rtol 1e-9 when a random p_y is ~1e-5 (a bias of
    # eps / p_y): not asserted either way
    "log_p_plus_eps": ({"tiny", "extreme"}, "tiny", "adding eps inside the log",
                       {"softmax", "grad", "num_ref", "num_own", "rows", "invalid"}),
    "grad_sign_flipped": ({"grad", "num_ref", "num_own", "extreme", "tiny"}, "grad",
                          "the sign is flipped", {"softmax", "loss", "rows", "invalid"}),
    "grad_not_divided_by_n": ({"grad", "num_ref", "num_own", "extreme", "tiny"}, "grad",
                              "not divided by N", {"softmax", "loss", "rows", "invalid"}),
    "loss_summed_not_mean": ({"loss", "num_own", "extreme", "tiny"}, "loss",
                             "sum of the rows' losses",
                             {"softmax", "grad", "num_ref", "rows", "invalid"}),
    "softmax_wrong_axis": (ALL - {"invalid"}, "softmax", "normalises each column",
                           {"invalid"}),
    "labels_not_validated": ({"invalid"}, "invalid", "Hint: validate the input",
                             ALL - {"invalid"}),
}
CORRECT = ("correct_scipy_logsumexp", "correct_loop", "correct_float32_native")


def grade_one(grade_files, name, seed):
    path = FILES / f"{name}.py"
    return grade_files({"ex04.py": path}, ["ex04"], seed=seed)


@pytest.mark.parametrize("seed", range(10))
def test_reference_full_marks(grade_files, seed):
    report = grade_files({"ex04.py": REFERENCE / "ex04.py"}, ["ex04"], seed=seed)
    result = exercise(report, "ex04")
    assert result.status == "passed", [c.feedback for c in result.checks if c.feedback]
    assert result.score == result.max_score == 8
    written = check(report, "ex04", "written answer")
    assert written.status == "manual" and written.feedback == ""


def test_stub_not_attempted(grade_files):
    report = grade_files({"ex04.py": STUBS / "ex04.py"}, ["ex04"])
    result = exercise(report, "ex04")
    assert (result.status, result.score) == ("not_attempted", 0)
    assert "no written answer yet" in check(report, "ex04", "written answer").feedback


@pytest.mark.parametrize("seed", (0, 3, 11))
@pytest.mark.parametrize("name", CORRECT)
def test_correct_submissions_full_marks(grade_files, name, seed):
    result = exercise(grade_one(grade_files, name, seed), "ex04")
    assert result.status == "passed", [c.feedback for c in result.checks if c.feedback]
    assert result.score == 8


@pytest.mark.parametrize("seed", (0, 7))
@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_submissions_lose_points_where_expected(grade_files, name, seed):
    lost, hinted, words, kept = WRONG[name]
    report = grade_one(grade_files, name, seed)
    for key in lost:
        result = check(report, "ex04", CHECKS[key])
        assert (result.status, result.score) == ("failed", 0), (key, result.feedback)
    for key in kept:
        result = check(report, "ex04", CHECKS[key])
        assert result.status == "passed", (key, result.feedback)
    feedback = check(report, "ex04", CHECKS[hinted]).feedback
    assert words in feedback, feedback
    assert exercise(report, "ex04").score < 8


@pytest.mark.parametrize("seed", (0, 7))
def test_every_failed_check_of_a_wrong_axis_names_it(grade_files, seed):
    """The gradient checks too: (softmax over axis 0 - onehot) / N is recognised."""
    report = grade_one(grade_files, "softmax_wrong_axis", seed)
    for key in ALL - {"invalid"}:
        feedback = check(report, "ex04", CHECKS[key]).feedback
        assert "Hint: " in feedback, (key, feedback)
    for key in ("num_ref", "num_own"):
        assert "Hint: softmax over the wrong axis" in check(report, "ex04",
                                                            CHECKS[key]).feedback


def test_feedback_names_the_case(grade_files):
    report = grade_one(grade_files, "no_max_subtraction", 0)
    feedback = check(report, "ex04", CHECKS["extreme"]).feedback
    assert feedback.startswith("1-D logits near +1000, float64: softmax(z) returned [nan")
    assert "expected [" in feedback
    report = grade_one(grade_files, "grad_not_divided_by_n", 0)
    feedback = check(report, "ex04", CHECKS["num_own"]).feedback
    assert feedback.startswith("2-D logits of shape (4, 3), float64, h = 1e-05")



def test_reference_reproduces_the_corrected_chapter_table():
    """EXERCISES.md: logits [1, 3, 2, 0.5] give P = 0.085/0.631/0.232/0.052, CE = 2.461/..."""
    z = [1.0, 3.0, 2.0, 0.5]
    np.testing.assert_allclose(ref.softmax(z), [0.085, 0.631, 0.232, 0.052], atol=5e-4)
    losses = [ref.cross_entropy_loss(z, k) for k in range(4)]
    np.testing.assert_allclose(losses, [2.461, 0.461, 1.461, 2.961], atol=5e-4)
    assert ref.cross_entropy_loss([z] * 4, [0, 1, 2, 3]) == pytest.approx(np.mean(losses))


def test_reference_is_exact_for_tiny_and_extreme_probabilities():
    z = np.array([0.0, 1.0, -50.0])
    assert ref.cross_entropy_loss(z, 2) == pytest.approx(np.logaddexp.reduce(z) + 50.0,
                                                         rel=1e-12)
    assert ref.cross_entropy_grad(z, 2)[2] == pytest.approx(-1.0, abs=1e-20)
    big = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]], dtype=np.float32)
    assert ref.cross_entropy_loss(big, [1, 1]) == pytest.approx(1000.0)
    np.testing.assert_allclose(ref.cross_entropy_grad(big, [1, 1]), [[0.5, -0.5], [0, 0]])
    with pytest.raises(ValueError, match="out of range"):
        ref.cross_entropy_loss(z, -1)
