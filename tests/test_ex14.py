"""Exercise 14's hidden suite, graded in both directions."""

from __future__ import annotations

import pytest

from tests.conftest import REFERENCE, STUBS, SUBMISSIONS, check, exercise

FILES = SUBMISSIONS / "ex14"

VALUES64 = "the loss matches the reference on random batches (float64)"
VALUES32 = "the loss matches the reference on random batches (float32)"
SYMMETRIC = "swapping the two views"
RESCALING = "rescaling rows"
PROPERTIES = "random views give about log N"
DIFFERENTIABLE = "the loss is a differentiable scalar tensor"
GRADCHECK = "the gradient passes torch.autograd.gradcheck"
GRADIENT = "the gradient matches the reference's gradient"
INVALID = "ValueError for bad shapes"
ALL = (VALUES64, VALUES32, SYMMETRIC, RESCALING, PROPERTIES, DIFFERENTIABLE, GRADCHECK,
       GRADIENT, INVALID)


def grade(grade_files, name, seed=0):
    path = REFERENCE / "ex14.py" if name == "reference" else FILES / f"{name}.py"
    return grade_files({"ex14.py": path}, ["ex14"], seed=seed)


def feedback(report, name_start):
    return check(report, "ex14", name_start).feedback


def assert_only_lost(report, lost):
    """The checks in ``lost`` failed; every other check passed."""
    for name in ALL:
        result = check(report, "ex14", name)
        expected = "failed" if name in lost else "passed"
        assert result.status == expected, (name, result.status, result.feedback)


@pytest.mark.parametrize("seed", range(10))
def test_reference_full_marks(grade_files, seed):
    result = exercise(grade(grade_files, "reference", seed), "ex14")
    assert result.status == "passed", [c.feedback for c in result.checks if c.feedback]
    assert result.score == result.max_score == 8


def test_stub_not_attempted(grade_files):
    result = exercise(grade_files({"ex14.py": STUBS / "ex14.py"}, ["ex14"]), "ex14")
    assert (result.status, result.score) == ("not_attempted", 0)


@pytest.mark.parametrize("name", ["correct_manual_log_softmax", "correct_loop",
                                  "correct_concatenated"])
@pytest.mark.parametrize("seed", [1, 7, 2024])
def test_correct_variants_full_marks(grade_files, name, seed):
    result = exercise(grade(grade_files, name, seed), "ex14")
    assert result.score == 8, [c.feedback for c in result.checks if c.feedback]


def test_one_directional(grade_files):
    report = grade(grade_files, "one_directional", seed=3)
    assert_only_lost(report, {VALUES64, VALUES32, SYMMETRIC, GRADIENT})
    text = feedback(report, VALUES64)
    assert text.startswith("N=16, D=32, t=0.07, float64: info_nce_loss(z1, z2, temperature=0.07)")
    assert "one direction only (over the rows of logits)" in text
    assert "one direction only" in feedback(report, SYMMETRIC)
    assert "one direction only" in feedback(report, GRADIENT)


def test_no_l2_normalisation(grade_files):
    report = grade(grade_files, "no_l2_normalisation", seed=3)
    assert_only_lost(report, {VALUES64, VALUES32, RESCALING, PROPERTIES, GRADIENT})
    for name in (VALUES64, RESCALING, PROPERTIES, GRADIENT):
        assert "not L2-normalised" in feedback(report, name), name
    assert "expected about log N" in feedback(report, PROPERTIES)


def test_no_temperature(grade_files):
    report = grade(grade_files, "no_temperature", seed=3)
    assert_only_lost(report, {VALUES64, VALUES32, PROPERTIES, GRADIENT})
    for name in (VALUES64, VALUES32, PROPERTIES, GRADIENT):
        assert "not divided by the temperature" in feedback(report, name), name
    # random views pass at t = 1.0; identical views at t = 0.07 give about 3.87, not 0
    text = feedback(report, PROPERTIES)
    assert "identical views" in text and "expected about 0 (below 0.01)" in text


def test_multiplied_temperature(grade_files):
    report = grade(grade_files, "multiplied_temperature", seed=3)
    assert_only_lost(report, {VALUES64, VALUES32, PROPERTIES, GRADIENT})
    assert "multiplied by the temperature" in feedback(report, VALUES64)


def test_sum_not_mean(grade_files):
    report = grade(grade_files, "sum_not_mean", seed=3)
    assert_only_lost(report, {VALUES64, VALUES32, PROPERTIES, GRADIENT})
    for name in (VALUES64, VALUES32, PROPERTIES, GRADIENT):
        assert "sum over the N examples, not the mean" in feedback(report, name), name


@pytest.mark.parametrize("name", ["detached_result", "returns_float"])
def test_detached(grade_files, name):
    report = grade(grade_files, name, seed=3)
    assert_only_lost(report, {DIFFERENTIABLE, GRADCHECK, GRADIENT})
    text = feedback(report, DIFFERENTIABLE)
    assert text.startswith("N=16, D=32, t=0.07, float32: ")
    assert "not loss.item(), float(loss) or loss.detach()" in text
    if name == "returns_float":
        assert "should return a torch.Tensor; it returned a float" in text
    else:
        assert "cut from the autograd graph" in text


def test_detached_norm(grade_files):
    report = grade(grade_files, "detached_norm", seed=3)
    assert_only_lost(report, {GRADCHECK, GRADIENT})
    assert "does not match finite differences" in feedback(report, GRADCHECK)
    assert "the row norms were detached" in feedback(report, GRADIENT)


def test_no_validation(grade_files):
    report = grade(grade_files, "no_validation", seed=3)
    assert_only_lost(report, {INVALID})
    assert "raised RuntimeError" in feedback(report, INVALID)
    assert "expected ValueError" in feedback(report, INVALID)
    assert "Hint: validate the input" in feedback(report, INVALID)


def test_float32_only(grade_files):
    report = grade(grade_files, "float32_only", seed=3)
    result = check(report, "ex14", VALUES64)
    assert result.status == "failed"
    assert "this is the float32 value" in result.feedback
    assert check(report, "ex14", VALUES32).status == "passed"


@pytest.mark.parametrize("seed", [3, 11])
def test_softmax_then_log_underflows_in_float32(grade_files, seed):
    report = grade(grade_files, "softmax_then_log", seed=seed)
    assert_only_lost(report, {VALUES32})  # right in float64 and at the usual temperatures
    text = feedback(report, VALUES32)
    assert text.startswith("N=12, D=16, t=0.01, float32, logits up to +-100")
    assert "returned inf" in text or "returned nan" in text
    assert "Hint: an inf or nan came back: in float32 a softmax probability underflows" in text
    assert "F.cross_entropy(logits, labels)" in text and "never log of a softmax" in text
