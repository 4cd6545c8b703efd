"""Public checks of exercise 9: beta in the ELBO (6 points).

These checks need no reference code (properties, scipy and numpy formulas, numerical
gradients of your own functions, pen-and-paper answers stored as numbers); they ship
to students. The hidden checks of this exercise are in grader/hidden/ (sealed).
"""

import math
import types

import numpy as np
import pytest

from grader.checks import (
    Misconception,
    as_array,
    describe,
    expect_close,
    expect_raises,
    fail,
    kind,
    oracles_agree,
)

TOL = {"rtol": 1e-9, "atol": 1e-12}


def closed_form(mu, log_var):
    """Second oracle: the textbook formula, term by term."""
    mu, log_var = np.asarray(mu, dtype=np.float64), np.asarray(log_var, dtype=np.float64)
    return 0.5 * float(np.sum(mu**2 + np.exp(log_var) - 1.0 - log_var))


def kl_hints(mu, log_var):
    mu, lv = np.asarray(mu, dtype=np.float64), np.asarray(log_var, dtype=np.float64)
    kl = closed_form(mu, lv)
    hints = [
        Misconception(2.0 * kl, "the closed form has a factor 1/2: KL = 1/2 sum(mu^2 + "
                      "e^log_var - 1 - log_var)"),
        Misconception(-kl, "the sign is flipped: KL(q || p) >= 0"),
        Misconception(0.5 * float(np.sum(mu**2 + np.exp(2.0 * lv) - 1.0 - 2.0 * lv)),
                      "log_var is the log of the variance sigma^2, not of sigma: the "
                      "variance is e^log_var"),
        Misconception(0.5 * float(np.sum(np.exp(-lv) * (1.0 + mu**2) - 1.0 + lv)),
                      "this is KL(N(0, I) || q), the reverse direction: the VAE's "
                      "regulariser is KL(q(z|x) || N(0, I)), an expectation under q"),
        Misconception(0.5 * float(np.sum(mu**2 + np.exp(lv) - lv)),
                      "the -1 of each dimension is missing: KL = 1/2 sum(mu^2 + e^log_var "
                      "- 1 - log_var), which is 0 at the prior"),
    ]
    if np.all(lv > 0):
        hints.append(Misconception(0.5 * float(np.sum(mu**2 + lv - 1.0 - np.log(lv))),
                                   "log_var is the log of the variance: the variance is "
                                   "e^log_var, and log(variance) is log_var itself"))
    if mu.ndim == 2:
        hints += [
            Misconception(kl / mu.shape[0], "for 2-D input, sum over the rows as well; do "
                          "not average over the batch"),
            Misconception(kl / mu.shape[1], "sum over the latent dimensions; do not average "
                          "over them"),
        ]
    hints.append(Misconception(kl / mu.size, "sum over the latent dimensions (and rows); do "
                               "not average"))
    return hints


def kl_cases(rng):
    yield "mu = [1, 0], log_var = [0, 0]", np.array([1.0, 0.0]), np.array([0.0, 0.0])
    for size in (2, 8, 32):
        yield (f"random mu and log_var of shape ({size},)", rng.normal(0.0, 1.5, size),
               rng.uniform(-3.0, 2.0, size))
    for shape in ((4, 3), (16, 8), (1, 5)):
        yield (f"a batch: mu and log_var of shape {shape}", rng.normal(0.0, 1.0, shape),
               rng.uniform(-3.0, 2.0, shape))
    yield ("very confident and very vague dimensions (log_var = -20 and 6)",
           rng.normal(0.0, 1.0, 2), np.array([-20.0, 6.0]))


@pytest.mark.public
@pytest.mark.points(1.75)
def test_gaussian_kl(student, rng):
    """gaussian_kl: 1/2 sum(mu^2 + e^log_var - 1 - log_var), over dimensions and rows"""
    ref = types.SimpleNamespace(gaussian_kl=closed_form)  # the textbook formula, public
    for case, mu, lv in kl_cases(rng):
        expected = ref.gaussian_kl(mu, lv)
        oracles_agree(expected, closed_form(mu, lv), what=f"the Gaussian KL, {case}")
        expect_close(student.gaussian_kl(mu, lv), expected, what="gaussian_kl(mu, log_var)",
                     case=case, inputs={"mu": mu, "log_var": lv},
                     misconceptions=kl_hints(mu, lv), **TOL)
    mu, lv = rng.normal(0.0, 1.0, 3), rng.uniform(-1.0, 1.0, 3)
    expect_close(student.gaussian_kl(list(mu), list(lv)), ref.gaussian_kl(mu, lv),
                 what="gaussian_kl(mu, log_var)", case="mu and log_var given as lists",
                 inputs={"mu": mu, "log_var": lv}, misconceptions=kl_hints(mu, lv), **TOL)
    zeros = np.zeros(int(rng.integers(2, 10)))
    expect_close(student.gaussian_kl(zeros, zeros), 0.0, what="gaussian_kl(mu, log_var)",
                 case="the prior itself (mu = 0, log_var = 0): KL = 0",
                 inputs={"mu": zeros, "log_var": zeros}, misconceptions=kl_hints(zeros, zeros),
                 **TOL)


def two_arrays(value, what, shape, names=("dKL/dmu", "dKL/dlog_var")):
    """Return the two arrays of a returned pair; fail unless it is one, of the right shape."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        fail(f"{what} should return a tuple of two arrays ({names[0]}, {names[1]}); it "
             f"returned {kind(value)} ({describe(value)})")
    return (as_array(value[0], what=f"{what}[0] ({names[0]})", shape=shape),
            as_array(value[1], what=f"{what}[1] ({names[1]})", shape=shape))


def objective_hints(recon, kl, beta):
    return [
        Misconception(beta * recon + kl, "beta is on the wrong term: it weighs the KL, "
                      "loss = recon_loss + beta * kl"),
        Misconception(beta * (recon + kl), "beta weighs the KL only: loss = recon_loss + "
                      "beta * kl"),
        Misconception(recon - beta * kl, "the KL is added: the loss is the negative "
                      "(beta-)ELBO, recon_loss + beta * kl"),
        Misconception(-(recon + beta * kl), "this is the (beta-)ELBO, which is maximised; "
                      "return the loss that is minimised, recon_loss + beta * kl"),
        Misconception(recon + kl / beta if beta else math.nan, "multiply the KL by beta; do "
                      "not divide"),
        Misconception(recon + kl, "beta is missing: loss = recon_loss + beta * kl"),
    ]


@pytest.mark.public
@pytest.mark.points(0.75)
def test_beta_vae_objective(student, rng):
    """beta_vae_objective is recon_loss + beta * kl"""
    cases = [("recon_loss = 100, kl = 10, beta = 4", 100.0, 10.0, 4.0)]
    for beta in (0.1, 0.5, 2.0, 10.0, 250.0):
        recon, kl = float(rng.uniform(20.0, 200.0)), float(rng.uniform(0.5, 30.0))
        cases.append((f"recon_loss = {recon:.4g}, kl = {kl:.4g}, beta = {beta:g}", recon, kl,
                      beta))
    recon, kl = float(rng.uniform(20.0, 200.0)), float(rng.uniform(0.5, 30.0))
    cases.append(("beta = 1: the negative ELBO, recon_loss + kl", recon, kl, 1.0))
    cases.append(("beta = 0: the reconstruction loss alone", recon, kl, 0.0))
    cases.append(("integers: recon_loss = 3, kl = 2, beta = 5", 3, 2, 5))
    for case, recon, kl, beta in cases:
        expect_close(student.beta_vae_objective(recon, kl, beta), recon + beta * kl,
                     what="beta_vae_objective(recon_loss, kl, beta)", case=case,
                     misconceptions=objective_hints(recon, kl, beta), **TOL)


@pytest.mark.public
@pytest.mark.points(0.5)
def test_collapsed_posterior(student, rng):
    """collapsed_posterior(latent_dim) is the prior N(0, I)"""
    for latent_dim in (2, int(rng.integers(3, 65)), 1):
        zeros = np.zeros(latent_dim)
        case = (f"latent_dim = {latent_dim}: as beta -> inf the KL term wins and q(z|x) "
                "becomes the prior N(0, I)")
        got_mu, got_lv = two_arrays(student.collapsed_posterior(latent_dim),
                                    f"collapsed_posterior({latent_dim})", (latent_dim,),
                                    names=("mu", "log_var"))
        expect_close(got_mu, zeros, what=f"collapsed_posterior({latent_dim})[0] (mu)",
                     case=case, misconceptions=[Misconception(
                         np.ones(latent_dim), "the prior N(0, I) has mean 0")], **TOL)
        expect_close(got_lv, zeros, what=f"collapsed_posterior({latent_dim})[1] (log_var)",
                     case=case, misconceptions=[Misconception(
                         np.ones(latent_dim), "the prior has variance 1, so log_var = "
                         "log 1 = 0 (log_var is a log-variance, not a variance)")], **TOL)


@pytest.mark.public
@pytest.mark.points(0.5)
def test_invalid_input(student):
    """invalid input raises ValueError"""
    for function in (student.gaussian_kl, student.gaussian_kl_grad):
        name = f"{function.name}(mu, log_var)"
        expect_raises(ValueError, function, np.zeros(3), np.zeros(4), what=name,
                      case="mu of shape (3,), log_var of shape (4,)")
        expect_raises(ValueError, function, np.zeros((2, 3)), np.zeros((3, 2)), what=name,
                      case="mu of shape (2, 3), log_var of shape (3, 2)")
        expect_raises(ValueError, function, np.zeros(0), np.zeros(0), what=name,
                      case="empty mu and log_var")
    expect_raises(ValueError, student.gaussian_kl, np.zeros((2, 2, 2)), np.zeros((2, 2, 2)),
                  what="gaussian_kl(mu, log_var)", case="3-D mu and log_var")
    expect_raises(ValueError, student.beta_vae_objective, 100.0, 10.0, -1.0,
                  what="beta_vae_objective(100, 10, -1)", case="a negative beta")
    expect_raises(ValueError, student.collapsed_posterior, 0, what="collapsed_posterior(0)",
                  case="latent_dim = 0")
