"""Hidden suite of exercise 9: beta in the ELBO (6 points).

The public checks of this exercise (and helpers shared with them) are in
grader/public/test_ex09.py; hidden checks may import from it, never the reverse.
"""

import numpy as np
import pytest

from grader.checks import (
    Misconception,
    central_differences,
    close,
    describe,
    expect_close,
    fail,
    oracles_agree,
)
from grader.public.test_ex09 import (  # noqa: F401  (shared helpers)
    TOL,
    kl_cases,
    two_arrays,
)

#: central differences (h = 1e-5, float64) of a KL of size <= ~100 agree with the analytic
#: gradient to ~1e-8 (rounding ~1e-14 / 2h, truncation ~h^2 e^log_var / 12); see the report.
H = 1e-5


GRAD_TOL = {"rtol": 1e-6, "atol": 1e-6}


def grad_hints(mu, lv):
    mu_hints = [
        Misconception(mu / 2.0, "d/dmu of 1/2 mu^2 is mu: the 1/2 cancels the 2"),
        Misconception(2.0 * mu, "the KL has a factor 1/2: d/dmu of 1/2 mu^2 is mu, not 2 mu"),
        Misconception(0.5 * np.expm1(lv), "this is dKL/dlog_var; the tuple is (dKL/dmu, "
                      "dKL/dlog_var) in this order"),
    ]
    lv_hints = [
        Misconception(np.expm1(lv), "the factor 1/2 is missing: d/dlog_var of "
                      "1/2 (e^log_var - 1 - log_var) = (e^log_var - 1) / 2"),
        Misconception(0.5 * np.exp(lv), "the derivative of -log_var/2 is -1/2: "
                      "d/dlog_var = (e^log_var - 1) / 2"),
        Misconception(0.5 * (1.0 - np.exp(-lv)), "this is the derivative with respect to the "
                      "variance sigma^2 = e^log_var; the exercise asks for the derivative with "
                      "respect to log_var (chain rule: multiply by e^log_var)"),
        Misconception(-0.5 * np.expm1(lv), "the sign is flipped: the KL grows with log_var "
                      "when the variance is above 1"),
        Misconception(mu, "this is dKL/dmu; the tuple is (dKL/dmu, dKL/dlog_var) in this "
                      "order"),
    ]
    return mu_hints, lv_hints


@pytest.mark.points(1.5)
def test_gaussian_kl_grad(student, ref, rng):
    """gaussian_kl_grad returns (dKL/dmu, dKL/dlog_var), of the input's shape"""
    for case, mu, lv in kl_cases(rng):
        expected_mu, expected_lv = ref.gaussian_kl_grad(mu, lv)
        oracles_agree(expected_mu, mu, what=f"dKL/dmu, {case}")
        oracles_agree(expected_lv, (np.exp(lv) - 1.0) / 2.0, what=f"dKL/dlog_var, {case}")
        got_mu, got_lv = two_arrays(student.gaussian_kl_grad(mu, lv),
                                    "gaussian_kl_grad(mu, log_var)", mu.shape)
        mu_hints, lv_hints = grad_hints(mu, lv)
        inputs = {"mu": mu, "log_var": lv}
        expect_close(got_mu, expected_mu, what="gaussian_kl_grad(mu, log_var)[0] (dKL/dmu)",
                     case=case, inputs=inputs, misconceptions=mu_hints, **TOL)
        expect_close(got_lv, expected_lv,
                     what="gaussian_kl_grad(mu, log_var)[1] (dKL/dlog_var)", case=case,
                     inputs=inputs, misconceptions=lv_hints, **TOL)
    zeros = np.zeros(4)
    got_mu, got_lv = two_arrays(student.gaussian_kl_grad(zeros, zeros),
                                "gaussian_kl_grad(mu, log_var)", zeros.shape)
    mu_hints, lv_hints = grad_hints(zeros + 1.0, zeros + 1.0)  # values that differ from 0
    case = "the prior itself (mu = 0, log_var = 0): no pull, the gradient is 0"
    expect_close(got_mu, zeros, what="gaussian_kl_grad(0, 0)[0]", case=case, **TOL)
    expect_close(got_lv, zeros, what="gaussian_kl_grad(0, 0)[1]", case=case,
                 misconceptions=[Misconception(np.full(4, 0.5), "the derivative of "
                                               "-log_var/2 is -1/2: (e^0 - 1) / 2 = 0")],
                 **TOL)


def numerical_gradient(call_map, mu, lv):
    """Central differences of a KL over (mu, log_var), all points in one call_map."""
    x = np.stack([mu, lv])

    def values(points):
        return call_map([((point[0], point[1]), {}) for point in points])

    grad = central_differences(values, x, h=H, what="gaussian_kl(mu, log_var)")
    return grad[0], grad[1]


@pytest.mark.points(1)
def test_gradient_matches_differences(student, ref, rng):
    """gaussian_kl_grad agrees with central differences of your gaussian_kl and the reference's"""
    cases = [("random mu and log_var of shape (5,)", rng.normal(0.0, 1.5, 5),
              rng.uniform(-3.0, 2.0, 5)),
             ("a batch of shape (3, 2)", rng.normal(0.0, 1.0, (3, 2)),
              rng.uniform(-2.0, 2.0, (3, 2)))]
    for case, mu, lv in cases:
        ref_mu, ref_lv = numerical_gradient(
            lambda calls: [ref.gaussian_kl(*args, **kwargs) for args, kwargs in calls], mu, lv)
        exact_mu, exact_lv = ref.gaussian_kl_grad(mu, lv)
        oracles_agree(ref_mu, exact_mu, what=f"the numerical dKL/dmu, {case}", **GRAD_TOL)
        oracles_agree(ref_lv, exact_lv, what=f"the numerical dKL/dlog_var, {case}", **GRAD_TOL)
        got_mu, got_lv = two_arrays(student.gaussian_kl_grad(mu, lv),
                                    "gaussian_kl_grad(mu, log_var)", mu.shape)
        inputs = {"mu": mu, "log_var": lv}
        mu_hints, lv_hints = grad_hints(mu, lv)
        where = f"{case}, central differences of the reference's gaussian_kl (h = {H:g})"
        expect_close(got_mu, ref_mu, what="gaussian_kl_grad(mu, log_var)[0] (dKL/dmu)",
                     case=where, inputs=inputs, misconceptions=mu_hints, **GRAD_TOL)
        expect_close(got_lv, ref_lv, what="gaussian_kl_grad(mu, log_var)[1] (dKL/dlog_var)",
                     case=where, inputs=inputs, misconceptions=lv_hints, **GRAD_TOL)
        own_mu, own_lv = numerical_gradient(student.gaussian_kl.map, mu, lv)
        for name, got, numeric in (("[0] (dKL/dmu)", got_mu, own_mu),
                                   ("[1] (dKL/dlog_var)", got_lv, own_lv)):
            if close(got, numeric, **GRAD_TOL):
                continue
            message = (f"{case}: gaussian_kl_grad(mu, log_var){name} returned "
                       f"{describe(got)}, but central differences of your gaussian_kl "
                       f"(h = {H:g}) give {describe(numeric)} for mu = {describe(mu)}, "
                       f"log_var = {describe(lv)}.\nHint: your gradient is right (it matches "
                       "the slope of the reference's KL), so your gaussian_kl is not the "
                       "function it is the gradient of: fix gaussian_kl")
            if close(numeric, 2.0 * got, rtol=1e-5, atol=1e-6):
                message += " (its slope is twice the gradient: it misses the factor 1/2)"
            elif mu.ndim == 2 and close(numeric, got / mu.shape[0], rtol=1e-5, atol=1e-6):
                message += (f" (its slope is 1/{mu.shape[0]} of the gradient: it averages "
                            "over the rows of the batch instead of summing)")
            fail(message)
