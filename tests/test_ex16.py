"""Exercise 16's hidden suite, graded in both directions."""

from __future__ import annotations

import pytest

from tests.conftest import REFERENCE, STUBS, SUBMISSIONS, check, exercise

FILES = SUBMISSIONS / "ex16"

LOSS = "beta_vae_loss returns (loss, recon, kl)"
CLAMP = "x_hat exactly 0 or 1"
GRADIENT = "the loss backpropagates"
PLOT = "plot_beta_sweep draws"
RESULTS = "train_beta_vae returns"
ELBO = "elbo = -(recon + kl)"
KL_FALLS = "KL falls as beta grows"
RECON = "the reconstruction loss does not fall"
POINTS = {LOSS: 2, CLAMP: 0.5, GRADIENT: 1, PLOT: 1, RESULTS: 1, ELBO: 1, KL_FALLS: 1,
          RECON: 0.5}
TRAINING = (RESULTS, ELBO, KL_FALLS, RECON)


def grade(grade_files, path, seed=0, **kwargs):
    return grade_files({"ex16.py": path}, ["ex16"], seed=seed, **kwargs)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_reference_full_marks(grade_files, seed):
    report = grade(grade_files, REFERENCE / "ex16.py", seed)
    result = exercise(report, "ex16")
    assert result.status == "passed", [c.feedback for c in result.checks if c.feedback]
    assert result.score == result.max_score == 8
    # public checks come first: compare each check's points by name
    points = {name: c.max_score for c in result.checks for name in POINTS
              if c.name.startswith(name)}
    assert points == POINTS
    assert len(result.figures) == 1  # the plot is kept in the report


def test_stub_not_attempted(grade_files):
    result = exercise(grade(grade_files, STUBS / "ex16.py"), "ex16")
    assert (result.status, result.score) == ("not_attempted", 0)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", ["correct_manual_unpaired", "correct_numpy_batches_128"])
def test_correct_variants_full_marks(grade_files, name, seed):
    result = exercise(grade(grade_files, FILES / f"{name}.py", seed), "ex16")
    assert result.status == "passed", [c.feedback for c in result.checks if c.feedback]
    assert result.score == 8


# (file, the check that must catch it, words of its feedback, the only checks it may lose)
WRONG = [
    ("recon_mean_over_pixels", LOSS, "averaged over the features", None),
    ("kl_not_batch_averaged", LOSS, "kl is summed over the batch", None),
    ("kl_missing_half", LOSS, "factor 1/2", None),
    ("beta_on_recon", LOSS, "beta multiplies the reconstruction term", None),
    ("no_bce_clamp", CLAMP, "clamp each log term at -100", {CLAMP}),
    ("loss_cut_from_graph", GRADIENT, "cut from the autograd graph", {GRADIENT}),
    ("plot_against_index", PLOT, "no panel shows the ELBO against beta", {PLOT}),
    ("history_per_batch", RESULTS, "expected one dict per epoch", {RESULTS}),
    ("elbo_includes_beta", ELBO, "elbo includes beta", {ELBO}),
    ("trains_with_beta_1", KL_FALLS, "not well below KL at beta = 0.1", {KL_FALLS}),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "catcher", "words", "may_lose"), WRONG,
                         ids=[w[0] for w in WRONG])
def test_wrong_submissions_lose_points(grade_files, name, catcher, words, may_lose):
    report = grade(grade_files, FILES / f"{name}.py")
    caught = check(report, "ex16", catcher)
    assert caught.status == "failed" and caught.score == 0, caught
    assert words in caught.feedback, caught.feedback
    if may_lose is not None:
        for start, points in POINTS.items():
            if start not in may_lose:
                kept = check(report, "ex16", start)
                assert kept.score == points, (start, kept.feedback)


@pytest.mark.slow
def test_recon_averaged_over_pixels_is_named_in_training_too(grade_files):
    report = grade(grade_files, FILES / "recon_mean_over_pixels.py")
    results = check(report, "ex16", RESULTS)
    assert results.status == "failed"
    assert "looks averaged over the features" in results.feedback, results.feedback


@pytest.mark.slow
def test_training_forever_loses_only_the_training_checks(grade_files):
    report = grade(grade_files, FILES / "trains_forever.py", timeout=15)
    result = exercise(report, "ex16")
    for start, points in POINTS.items():
        outcome = check(report, "ex16", start)
        if start in TRAINING:
            assert outcome.status == "timeout" and outcome.score == 0, outcome
            assert "did not finish within 15 s" in outcome.feedback
        else:
            assert outcome.score == points, (start, outcome.feedback)
    assert result.score == 8 - sum(POINTS[c] for c in TRAINING)
    # the sweep is run once and its timeout reported by every training check
    assert sum(check(report, "ex16", c).duration_s for c in TRAINING) < 25
