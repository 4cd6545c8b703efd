"""Exercise 15's hidden suite, graded in both directions (training on the digits, or on
MNIST files the test writes)."""

from __future__ import annotations

import numpy as np
import pytest

from grader import datasets, runner, submission
from tests.conftest import REFERENCE, STUBS, SUBMISSIONS, check, exercise
from tests.test_datasets import write

FILES = SUBMISSIONS / "ex15"
CHECKS = {
    "logs": "one log per epoch",
    "perplexity": "perplexity = exp(val_ce)",
    "entropy": "mean entropy in nats",
    "falls": "training lowers the loss",
    "mean": "train_ce is the mean",
    "accuracy": "validation accuracy",
    "same": "the same seed",
    "other": "a different seed",
}

# golden wrong submissions: (the checks that must fail, words of the hint, a seed)
WRONG = {
    "perplexity_from_train_ce": ({"perplexity"}, "this is exp(train_ce)"),
    "perplexity_from_entropy": ({"perplexity"}, "this is exp(mean_entropy)"),
    "entropy_in_bits": ({"entropy"}, "looks like bits"),
    "epochs_from_zero": ({"logs"}, "number the epochs from 1"),
    "unseeded": ({"same"}, "torch.manual_seed(seed)"),
    "ignores_seed": ({"other"}, "the seed argument is ignored"),
    "train_ce_last_batch": ({"mean"}, "loss of the last mini-batch"),
    "train_ce_after_epoch": ({"mean"}, "a pass over the training set after the epoch"),
    "accuracy_in_percent": ({"accuracy"}, "not a percentage"),
    "sgd_instead_of_adam": ({"accuracy", "falls"}, "chance level"),
}


def failed_checks(result) -> set[str]:
    """The short names of the checks that did not pass."""
    lost = {c.name for c in result.checks if c.status != "passed"}
    return {key for key, start in CHECKS.items() if any(n.startswith(start) for n in lost)}


def assert_full_marks(result) -> None:
    assert result.status == "passed", [(c.name, c.feedback) for c in result.checks
                                       if c.feedback]
    assert result.score == result.max_score == 8


def test_stub_not_attempted(grade_files):
    result = exercise(grade_files({"ex15.py": STUBS / "ex15.py"}, ["ex15"]), "ex15")
    assert (result.status, result.score) == ("not_attempted", 0)
    assert all("not implemented" in c.feedback for c in result.checks)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_reference_full_marks(grade_files, seed):
    report = grade_files({"ex15.py": REFERENCE / "ex15.py"}, ["ex15"], seed=seed)
    assert_full_marks(exercise(report, "ex15"))


@pytest.mark.slow
@pytest.mark.parametrize("seed", [3, 1234])
@pytest.mark.parametrize("name", ["correct_module_class", "correct_manual_layers"])
def test_correct_variants_full_marks(grade_files, name, seed):
    report = grade_files({"ex15.py": FILES / f"{name}.py"}, ["ex15"], seed=seed)
    assert_full_marks(exercise(report, "ex15"))


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_submission_loses_the_right_check(grade_files, name):
    expected, hint = WRONG[name]
    result = exercise(grade_files({"ex15.py": FILES / f"{name}.py"}, ["ex15"], seed=7), "ex15")
    assert failed_checks(result) == expected, [(c.name, c.feedback) for c in result.checks]
    feedback = "\n".join(c.feedback for c in result.checks if c.status != "passed")
    assert hint in feedback, feedback
    assert "internal grader error" not in feedback


@pytest.mark.slow
def test_forgotten_zero_grad_misses_the_accuracy(grade_files):
    # the accumulated gradients still train a little (0.59-0.84 over 50 seeds): the loss
    # may or may not fall by half, but the accuracy stays below the threshold
    report = grade_files({"ex15.py": FILES / "forgets_zero_grad.py"}, ["ex15"], seed=7)
    accuracy = check(report, "ex15", CHECKS["accuracy"])
    assert accuracy.status == "failed" and "zero_grad()" in accuracy.feedback
    assert failed_checks(exercise(report, "ex15")) <= {"accuracy", "falls"}


@pytest.mark.slow
def test_training_forever_loses_only_the_check_that_waits(grade_files):
    # trains_forever.py hangs only on the one-epoch lr=1e-8 call of the entropy check;
    # the call is stopped at its time limit and the other checks keep their points
    report = grade_files({"ex15.py": FILES / "trains_forever.py"}, ["ex15"], seed=2,
                         timeout=20.0)
    result = exercise(report, "ex15")
    entropy = check(report, "ex15", CHECKS["entropy"])
    assert entropy.status == "timeout"
    assert "did not finish within 20 s" in entropy.feedback
    assert 20.0 <= entropy.duration_s < 60.0
    assert failed_checks(result) == {"entropy"}
    assert result.score == 7


def test_malformed_logs_fail_cleanly(grade_files):
    source = ("def train_mlp(X_train, y_train, X_val, y_val, epochs=10, hidden=128, lr=1e-3,\n"
              "              batch_size=64, seed=0):\n"
              "    return [{'epoch': str(e), 'train_ce': [1.0], 'val_ce': None}\n"
              "            for e in range(epochs)]\n")
    result = exercise(grade_files({"ex15.py": source}, ["ex15"]), "ex15")
    assert result.score == 0
    feedback = {c.name: c.feedback for c in result.checks}
    assert all(text for text in feedback.values())
    assert not any("internal grader error" in text for text in feedback.values())
    assert "should return a float" in next(t for n, t in feedback.items()
                                       if n.startswith(CHECKS["falls"]))
    perplexity = next(t for n, t in feedback.items() if n.startswith(CHECKS["perplexity"]))
    assert "has no key" in perplexity and "'perplexity'" in perplexity


def test_an_error_is_reported_once_per_check_without_retraining(grade_files):
    source = ("calls = []\n"
              "def train_mlp(X_train, y_train, X_val, y_val, epochs=10, hidden=128, lr=1e-3,\n"
              "              batch_size=64, seed=0):\n"
              "    calls.append(seed)\n"
              "    raise RuntimeError(f'boom after {len(calls)} call(s)')\n")
    result = exercise(grade_files({"ex15.py": source}, ["ex15"]), "ex15")
    assert result.score == 0 and result.status == "failed"
    assert {c.status for c in result.checks} == {"error"}
    assert all("boom after 1 call(s)" in c.feedback for c in result.checks)


def fake_mnist(folder):
    """MNIST-shaped IDX files made from the digits: 8x8 images scaled up to 28x28."""
    folder.mkdir()
    digits = datasets.digits()
    for images, labels, prefix in ((digits.X_train, digits.y_train, "train"),
                                   (digits.X_val, digits.y_val, "t10k")):
        big = np.kron(images.reshape(-1, 8, 8), np.ones((3, 3)))
        big = np.pad(big, ((0, 0), (2, 2), (2, 2)))
        write(folder / f"{prefix}-images-idx3-ubyte.gz", np.rint(big * 255).astype(np.uint8))
        write(folder / f"{prefix}-labels-idx1-ubyte", labels.astype(np.uint8))
    return folder


def grade_on_mnist(pool, tmp_path, source):
    """Grade ex15 with ``options["mnist"]`` naming a folder of fake MNIST files."""
    folder = fake_mnist(tmp_path / "mnist")
    graded = tmp_path / "submission"
    graded.mkdir()
    (graded / "ex15.py").write_text(source)
    outcomes = runner.grade(submission.load(graded), exercise_ids=["ex15"], seed=5, pool=pool,
                            options={"mnist": str(datasets.check_mnist_folder(folder))})
    assert outcomes.internal_errors == ()
    return exercise(outcomes.report, "ex15")


def test_mnist_option_passes_mnist(pool, tmp_path):
    source = ("def train_mlp(X_train, y_train, X_val, y_val, **kwargs):\n"
              "    raise ValueError(f'{X_train.shape} {X_train.dtype} {y_train.dtype} '\n"
              "                     f'{X_val.shape} {y_val.shape} {X_train.max():.3f}')\n")
    result = grade_on_mnist(pool, tmp_path, source)
    # 1347 digits cut to 21 full batches of 64; 450 validation images of 28 x 28
    assert "(1344, 784) float32 int64 (450, 784) (450,) 1.000" in result.checks[0].feedback


@pytest.mark.slow
def test_reference_full_marks_on_mnist(pool, tmp_path):
    assert_full_marks(grade_on_mnist(pool, tmp_path, (REFERENCE / "ex15.py").read_text()))
