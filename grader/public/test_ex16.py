"""Public checks of exercise 16: a beta-VAE sweep (8 points).

These checks need no reference code (properties, scipy and numpy formulas, numerical
gradients of your own functions, pen-and-paper answers stored as numbers); they ship
to students. The hidden checks of this exercise are in grader/hidden/ (sealed).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader import datasets
from grader.checks import (
    CheckFailure,
    Misconception,
    as_float,
    close,
    describe,
    expect,
    expect_close,
    fail,
    kind,
)
from grader.honest import expect_varies

# -- the training run every training check reads (one call, cached per submission) ------
BETAS = (0.1, 1.0, 4.0, 10.0)


EPOCHS = 5


LATENT_DIM = 8


MAX_EXAMPLES = 2000         # MNIST is cut to its first 2000 images; the digits are 1347


# -- thresholds of the trade-off checks (measured by bench/ex16_thresholds.py: 40 seeds of
# the reference and of two differently built correct solutions; see its docstring) -------
KL_RATIO = 0.1              # KL at the largest beta <= this fraction of KL at the smallest


KL_SLACK = 0.1              # KL may rise by at most this between neighbouring betas (nats)


RECON_SLACK = 1.0           # recon at the largest beta >= recon at the smallest - this (nats)


KEYS = ("recon", "kl", "elbo")


# -- helpers ------------------------------------------------------------------------------
def training_data(split: datasets.Split) -> np.ndarray:
    """The images the training checks pass to train_beta_vae (float32 in [0, 1])."""
    return np.ascontiguousarray(split.X_train[:MAX_EXAMPLES], dtype=np.float32)


def recon_bounds(X: np.ndarray) -> tuple[float, float]:
    """Bounds of a per-example reconstruction loss summed over the features.

    Below: the mean entropy of the pixels, sum_i H(x_i), which no prediction can beat
    (BCE(x, x_hat) >= H(x) for a target in [0, 1]). Above: n_features * log 2, the loss
    of predicting 0.5 everywhere; five epochs of training beat it.
    """
    x = np.clip(X.astype(np.float64), 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -(np.where(x > 0, x * np.log(x), 0.0) + np.where(x < 1, (1 - x) * np.log1p(-x), 0.0))
    return float(h.sum(axis=1).mean()), float(X.shape[1] * math.log(2.0))


def kl_problems(betas: list[float], kl) -> list[str]:
    """What is wrong with the KL side of a sweep (an empty list when nothing is)."""
    problems = []
    first, last = 0, len(betas) - 1
    if not kl[last] <= KL_RATIO * kl[first]:
        problems.append(f"KL at beta = {betas[last]:g} is {kl[last]:.4g} nats, not well below "
                        f"KL at beta = {betas[first]:g} ({kl[first]:.4g}); it should be at most "
                        f"{KL_RATIO:g} times it")
    for i in range(last):
        if kl[i + 1] > kl[i] + KL_SLACK:
            problems.append(f"KL rises from {kl[i]:.4g} at beta = {betas[i]:g} to "
                            f"{kl[i + 1]:.4g} at beta = {betas[i + 1]:g}")
    return problems


def recon_problems(betas: list[float], recon) -> list[str]:
    """What is wrong with the reconstruction side of a sweep (empty when nothing is)."""
    first, last = 0, len(betas) - 1
    if recon[last] >= recon[first] - RECON_SLACK:
        return []
    return [f"the reconstruction loss at beta = {betas[last]:g} ({recon[last]:.4g} nats) is "
            f"lower than at beta = {betas[first]:g} ({recon[first]:.4g}) by "
            f"{recon[first] - recon[last]:.3g} nats, more than the {RECON_SLACK:g} allowed"]


def trained(student, options, seed):
    """The submission's sweep on the digits (or MNIST), computed once per submission.

    A failure (an exception, a timeout) is kept too, so each training check reports it
    without training again.
    """
    X = training_data(datasets.load(options))
    value = student.train_beta_vae.once(X, betas=BETAS, epochs=EPOCHS, latent_dim=LATENT_DIM,
                                        seed=seed)
    return value, X


def beta_entry(results, beta: float) -> dict:
    """The student's dict for one beta (keys compared as numbers)."""
    expect(isinstance(results, dict), "train_beta_vae() should return a dict "
           f"{{beta: {{...}}}}; it returned {kind(results)}")
    for key, value in results.items():
        if isinstance(key, (int, float, np.integer, np.floating)) and not isinstance(key, bool) \
                and close(float(key), beta, rtol=1e-9, atol=1e-12):
            expect(isinstance(value, dict), f"results[{beta:g}] should be a dict with keys "
                   f"'recon', 'kl', 'elbo', 'history'; it is {kind(value)}")
            return value
    fail(f"train_beta_vae(X, betas={BETAS}) returned a dict with keys "
         f"{describe(list(results))}; expected one key per beta, the betas themselves "
         f"(floats {', '.join(f'{b:g}' for b in BETAS)})")


def numbers(entry: dict, where: str) -> dict[str, float]:
    """The finite floats recon, kl and elbo of one result or history entry."""
    missing = [k for k in KEYS if k not in entry]
    expect(not missing, f"{where} has keys {describe(list(entry))}; missing "
           f"{', '.join(repr(k) for k in missing)}")
    values = {}
    for key in KEYS:
        value = entry[key]
        try:
            values[key] = as_float(value, what=f"{where}[{key!r}]")
        except CheckFailure:
            fail(f"{where}[{key!r}] should be a float (a tensor's .item()); it is "
                 f"{kind(value)} ({describe(value)})")
        expect(math.isfinite(values[key]), f"{where}[{key!r}] is {values[key]}: the "
               "training diverged or a log of 0 slipped through")
    return values


def history_of(entry: dict, where: str, *, length: bool) -> list[dict[str, float]]:
    """The validated history of one beta (its length checked when ``length``)."""
    history = entry.get("history")
    expect(isinstance(history, (list, tuple)), f"{where}['history'] should be a list with one "
           f"dict per epoch; it is {kind(history)}")
    expect(not length or len(history) == EPOCHS, f"{where}['history'] has {len(history)} "
           f"entries for epochs={EPOCHS}; expected one dict per epoch")
    out = []
    for epoch, item in enumerate(history, start=1):
        expect(isinstance(item, dict), f"{where}['history'][{epoch - 1}] should be a dict "
               f"with keys 'recon', 'kl', 'elbo'; it is {kind(item)}")
        out.append(numbers(item, f"{where}['history'][{epoch - 1}]"))
    return out


def swept(results, *, history: bool, length: bool = False
          ) -> dict[float, tuple[dict[str, float], list[dict[str, float]]]]:
    """Every beta's final numbers (and, when ``history``, its validated history).

    Only the structure check insists on the history's length, so a history of the wrong
    length costs that check alone.
    """
    out = {}
    for beta in BETAS:
        entry = beta_entry(results, beta)
        where = f"results[{beta:g}]"
        out[beta] = (numbers(entry, where),
                     history_of(entry, where, length=length) if history else [])
    return out


def sweep_for_plot(rng) -> dict[float, dict]:
    """Made-up but plausible results: recon rises, KL falls, elbo = -(recon + kl)."""
    recon = np.sort(rng.uniform(20.0, 30.0, len(BETAS)))
    kl = np.sort(rng.uniform(0.05, 8.0, len(BETAS)))[::-1]
    results = {}
    for beta, r, k in zip(BETAS, recon, kl, strict=True):
        history = [{"recon": float(r + 5 - e), "kl": float(k), "elbo": float(-(r + 5 - e + k))}
                   for e in range(EPOCHS)]
        results[beta] = {"recon": float(r), "kl": float(k), "elbo": float(-(r + k)),
                         "history": history}
    return results


@pytest.mark.public
@pytest.mark.points(1)
def test_plot(student, rng):
    """plot_beta_sweep draws ELBO, KL and reconstruction against beta in three labelled panels"""
    results = sweep_for_plot(rng)
    facts = student.plot_beta_sweep.figure(results)
    panels = [a for a in facts.axes if a.lines]
    expect(len(panels) == 3, f"plot_beta_sweep(results) drew lines in {len(panels)} panel(s) "
           f"(the figure has {len(facts.axes)} axes); expected three panels: ELBO, KL and "
           "reconstruction against beta (ax.plot, markers welcome; not ax.scatter)")
    betas = np.array(BETAS)
    names = {"elbo": "the ELBO", "kl": "the KL divergence", "recon": "the reconstruction loss"}
    found = {}
    for key, name in names.items():
        want = np.array([results[b][key] for b in BETAS])
        for index, panel in enumerate(panels):
            for line in panel.lines:
                if line.x.shape == betas.shape:
                    order = np.argsort(line.x, kind="stable")
                    if close(line.x[order], betas, rtol=1e-6, atol=1e-9) and \
                            close(line.y[order], want, rtol=1e-4, atol=1e-6):
                        found[key] = index
        expect(key in found, f"no panel shows {name} against beta: expected a line through "
               f"x = betas {describe(betas)}, y = results[beta][{key!r}] {describe(want)} "
               "(plot the betas themselves on the x axis; a log scale is fine)")
    expect(len(set(found.values())) == 3, "ELBO, KL and reconstruction should each have a "
           "panel of their own")
    for key, index in found.items():
        panel = panels[index]
        expect(panel.xlabel.strip() and panel.ylabel.strip(), f"the panel of {names[key]} "
               f"needs axis labels (x: {panel.xlabel!r}, y: {panel.ylabel!r}): "
               "ax.set_xlabel('beta'), ax.set_ylabel(...)")


@pytest.mark.public
@pytest.mark.points(1)
def test_training_results(student, options, seed):
    """train_beta_vae returns per-example recon, kl, elbo per beta and a history per epoch"""
    results, X = trained(student, options, seed)
    floor, ceiling = recon_bounds(X)
    features = X.shape[1]
    for beta, (final, history) in swept(results, history=True, length=True).items():
        where = f"results[{beta:g}]"
        recon, kl = final["recon"], final["kl"]
        if recon < floor - 1e-3:
            hint = ""
            if features * recon >= floor - 1e-3:
                hint = (": it looks averaged over the features (pixels); sum the binary "
                        "cross-entropy over them and average over the examples only")
            fail(f"{where}['recon'] = {recon:.5g} is below {floor:.5g}, the least "
                 f"reconstruction loss per example any model can reach on these images (the "
                 f"entropy of their pixels, summed over the {features} features){hint}")
        expect(recon <= ceiling, f"{where}['recon'] = {recon:.5g} nats is above "
               f"{ceiling:.5g} = {features} log 2, the loss of predicting 0.5 for every pixel: "
               "the values should be averaged over the examples (not summed), and "
               f"{EPOCHS} epochs of training should beat that")
        expect(kl >= -1e-6, f"{where}['kl'] = {kl:.5g} is negative; a KL divergence is >= 0")
        for epoch, item in enumerate(history):
            lower = 0.9 * floor
            expect(item["recon"] >= lower, f"{where}['history'][{epoch}]['recon'] = "
                   f"{item['recon']:.5g} is below {lower:.5g}: the history should hold the "
                   "same per-example quantities as the final results")
            expect(item["kl"] >= -1e-6, f"{where}['history'][{epoch}]['kl'] = "
                   f"{item['kl']:.5g} is negative")
        first, last = history[0]["elbo"], history[-1]["elbo"]
        if beta == 1.0:
            expect(last > first, f"{where}['history']: the ELBO went from {first:.5g} in the "
                   f"first epoch to {last:.5g} in the last; training at beta = 1 should "
                   "improve it (is the history in epoch order?)")


@pytest.mark.public
@pytest.mark.points(1)
def test_training_elbo(student, options, seed):
    """elbo = -(recon + kl) for every beta and every epoch (the true ELBO, not the beta loss)"""
    results, _ = trained(student, options, seed)
    sweep = swept(results, history=True)
    expect_trained(sweep, "recon")
    for beta, (final, history) in sweep.items():
        entries = [(f"results[{beta:g}]", final)] + [
            (f"results[{beta:g}]['history'][{e}]", item) for e, item in enumerate(history)]
        for where, item in entries:
            recon, kl = item["recon"], item["kl"]
            hints = [
                Misconception(-(recon + beta * kl), "elbo includes beta: the ELBO is "
                              "-(recon + kl) whatever beta the model was trained with (beta "
                              "only reweights the training loss)"),
                Misconception(recon + kl, "elbo has the wrong sign: it is the negative of "
                              "recon + kl (a log-likelihood bound, so negative here)"),
                Misconception(-recon + kl, "the KL is added: elbo = -recon - kl"),
            ]
            expect_close(item["elbo"], -(recon + kl), what=f"{where}['elbo']",
                         case=f"beta = {beta:g}, recon = {recon:.6g}, kl = {kl:.6g}",
                         rtol=1e-5, atol=1e-4, misconceptions=hints)


def expect_trained(swept_results, key: str) -> None:
    """Fail unless ``key`` changes over the betas and epochs: a relation between the numbers
    (elbo = -(recon + kl), recon level across betas) counts only for numbers that come from
    training (constant numbers satisfy it without a model)."""
    values = [item[key] for final, history in swept_results.values()
              for item in (final, *history)]
    expect_varies(values, what=f"results[beta][{key!r}] (final and history)",
                  over=f"the {len(values)} entries of the sweep (each beta trains a model, "
                       "and training changes it from epoch to epoch)")


def sweep_values(student, options, seed) -> tuple[list[float], list[float]]:
    results, _ = trained(student, options, seed)
    final = {beta: values for beta, (values, _) in swept(results, history=False).items()}
    return [final[b]["kl"] for b in BETAS], [final[b]["recon"] for b in BETAS]


def listing(kl, recon) -> str:
    return (f"(betas {', '.join(f'{b:g}' for b in BETAS)}: KL {describe(np.array(kl))}, "
            f"recon {describe(np.array(recon))})")


@pytest.mark.public
@pytest.mark.points(1)
def test_training_kl_falls(student, options, seed):
    """KL falls as beta grows from 0.1 to 10"""
    kl, recon = sweep_values(student, options, seed)
    problems = kl_problems(list(BETAS), kl)
    expect(not problems, "a larger beta should pull q(z|x) toward the prior, so the KL term "
           "should fall as beta grows " + listing(kl, recon) + ": " + "; ".join(problems) +
           ". Check that beta multiplies the KL term of the training loss, that each beta "
           "trains a fresh model, and that beta_vae_loss passes its checks.")
    # a KL of 0 at every beta "falls" by the ratio: it must come from trained models
    expect_varies(kl, what="results[beta]['kl']", over=f"the betas {describe(list(BETAS))} "
                  "(a larger beta trains a model with a smaller KL)")


@pytest.mark.public
@pytest.mark.points(0.5)
def test_training_recon_does_not_fall(student, options, seed):
    """the reconstruction loss does not fall as beta grows from 0.1 to 10"""
    kl, recon = sweep_values(student, options, seed)
    expect_trained(swept(trained(student, options, seed)[0], history=True), "recon")
    problems = recon_problems(list(BETAS), recon)
    expect(not problems, "with less information in z the decoder cannot reconstruct better, "
           "so the reconstruction loss should rise (or, after little training, stay level) "
           "as beta grows " + listing(kl, recon) + ": " + "; ".join(problems) +
           ". Check that beta multiplies the KL term, not the reconstruction term.")
