"""Hidden suite of exercise 7: Jensen's inequality for log, and KL >= 0 (5 points).

The public checks of this exercise (and helpers shared with them) are in
grader/public/test_ex07.py; hidden checks may import from it, never the reverse.
"""

import math

import numpy as np
import pytest

from grader import oracles
from grader.checks import (
    Misconception,
    as_float,
    expect,
    expect_close,
    matching_hint,
    oracles_agree,
)
from grader.public.test_ex07 import (  # noqa: F401  (shared helpers)
    LN2,
    SLACK,
    TOL,
    lhs_hints,
    normalised,
    rhs_hints,
    two_sides,
)

#: "= 0" up to rounding: log of a mean of equal numbers is off by a few 1e-16 at most
ZERO = {"rtol": 0.0, "atol": 1e-12}


# -- jensen_gap_log ------------------------------------------------------------------------
def raw_gap(x, w):
    """log E[x] - E[log x] computed literally (weights used as given)."""
    return math.log(float(np.sum(w * x))) - float(np.sum(w * np.log(x)))


def gap_hints(ref, x, weights=None):
    gap = ref.jensen_gap_log(x, weights)
    n = len(x)
    hints = [
        Misconception(-gap, "the sign is flipped: the gap is log E[x] - E[log x], which is "
                      ">= 0 because log is concave (E[log x] <= log E[x])"),
        Misconception(gap / LN2, "this is the gap in bits; use the natural logarithm"),
    ]
    if weights is None:
        hints.append(Misconception(gap + math.log(n), "E[x] is the mean of x, not its sum: "
                                   "divide by the number of entries"))
    else:
        w = np.asarray(weights, dtype=np.float64)
        hints += [
            Misconception(ref.jensen_gap_log(x), "this is the gap with equal weights: use "
                          "the weights, E[x] = sum_i w_i x_i and E[log x] = "
                          "sum_i w_i log x_i"),
            Misconception(raw_gap(x, w), "normalise the weights to sum to 1 first "
                          "(w / w.sum()): they are probabilities"),
        ]
    return hints


def positive_samples(rng, size):
    sigma = rng.uniform(0.2, 2.0)
    scale = 10.0 ** rng.uniform(-3.0, 3.0)
    return scale * np.exp(sigma * rng.standard_normal(size))


@pytest.mark.points(1)
def test_gap_unweighted(student, ref, rng):
    """jensen_gap_log: log E[x] - E[log x] for equally weighted x"""
    cases = [("x = [1, 4]", np.array([1.0, 4.0])), ("x = [1, 2, 3, 10]",
                                                     np.array([1.0, 2.0, 3.0, 10.0]))]
    for size in (2, 3, 5, 20, 200):
        cases.append((f"{size} random positive numbers", positive_samples(rng, size)))
    for case, x in cases:
        expected = ref.jensen_gap_log(x)
        oracles_agree(expected, raw_gap(x, np.full(x.size, 1.0 / x.size)),
                      what=f"Jensen's gap, {case}", rtol=1e-9, atol=1e-13)
        expect_close(student.jensen_gap_log(x), expected, what="jensen_gap_log(x)", case=case,
                     inputs={"x": x}, misconceptions=gap_hints(ref, x), **TOL)
    x = positive_samples(rng, 6)
    expect_close(student.jensen_gap_log(list(x)), ref.jensen_gap_log(x),
                 what="jensen_gap_log(x)", case="x given as a Python list",
                 inputs={"x": x}, misconceptions=gap_hints(ref, x), **TOL)


@pytest.mark.points(1)
def test_gap_weighted(student, ref, rng):
    """jensen_gap_log with weights: probabilities, zero weights, unnormalised weights"""
    cases = [("x = [1, 4], weights = [0.25, 0.75]", np.array([1.0, 4.0]),
              np.array([0.25, 0.75]))]
    for size in (2, 5, 30):
        cases.append((f"{size} random positive numbers, random probabilities",
                      positive_samples(rng, size), rng.dirichlet(np.ones(size))))
    x = positive_samples(rng, 8)
    w = rng.dirichlet(np.ones(8))
    w[[2, 5]] = 0.0
    w /= w.sum()
    cases.append(("some weights are 0 (those x do not count)", x, w))
    cases.append(("unnormalised weights (normalise them first)", positive_samples(rng, 7),
                  rng.uniform(0.5, 5.0, size=7)))
    for case, x, w in cases:
        expected = ref.jensen_gap_log(x, w)
        oracles_agree(expected, raw_gap(x, w / w.sum()), what=f"Jensen's gap, {case}",
                      rtol=1e-9, atol=1e-13)
        expect_close(student.jensen_gap_log(x, w), expected, what="jensen_gap_log(x, weights)",
                     case=case, inputs={"x": x, "weights": w},
                     misconceptions=gap_hints(ref, x, w), **TOL)
    x, w = positive_samples(rng, 4), rng.dirichlet(np.ones(4))
    expect_close(student.jensen_gap_log(x, weights=w), ref.jensen_gap_log(x, w),
                 what="jensen_gap_log(x, weights=w)", case="weights given by keyword",
                 inputs={"x": x, "weights": w}, misconceptions=gap_hints(ref, x, w), **TOL)


@pytest.mark.points(0.75)
def test_gap_property(student, ref, rng):
    """Jensen's gap is >= 0, with equality iff x is constant"""
    for size in (2, 3, 10, 100, 1000):
        x = positive_samples(rng, size)
        w = rng.dirichlet(np.ones(size))
        for weights, how in ((None, "equal weights"), (w, "random weights")):
            clearly_positive = ref.jensen_gap_log(x, weights) > 1e-9  # not lost in rounding
            gap = as_float(student.jensen_gap_log(x, weights), what="jensen_gap_log")
            hint = matching_hint(gap, gap_hints(ref, x, weights))
            expect(gap >= -SLACK and not math.isnan(gap),
                   f"{size} random positive numbers, {how}: jensen_gap_log returned "
                   f"{gap:.6g}, but log E[x] - E[log x] is >= 0 for every x and every "
                   "weighting (log is concave: E[log x] <= log E[x])"
                   + (f"\nHint: {hint}" if hint else ""))
            expect(gap > 0 or not clearly_positive,
                   f"{size} random positive numbers (not all equal), {how}: "
                   f"jensen_gap_log returned {gap:.6g}; the gap is 0 only when x is "
                   "constant, and > 0 otherwise")
    constant = float(10.0 ** rng.uniform(-3.0, 3.0))
    for size in (1, 2, 7, 100):
        x = np.full(size, constant)
        expect_close(student.jensen_gap_log(x), 0.0, what="jensen_gap_log(x)",
                     case=f"x constant ({size} times {constant:.6g}): Jensen's inequality is "
                     "an equality", inputs={"x": x}, **ZERO)
    x = positive_samples(rng, 6)
    x[[0, 2, 3]] = constant
    w = np.array([0.3, 0.0, 0.5, 0.2, 0.0, 0.0])
    unweighted = [Misconception(ref.jensen_gap_log(x), "this is the gap with equal weights: "
                                "use the weights (an entry with weight 0 does not count)")]
    expect_close(student.jensen_gap_log(x, w), 0.0, what="jensen_gap_log(x, weights)",
                 case="x constant where the weights are positive (the others do not count)",
                 inputs={"x": x, "weights": w}, misconceptions=unweighted, **ZERO)
    one_hot = np.zeros(6)
    one_hot[int(rng.integers(6))] = 1.0
    expect_close(student.jensen_gap_log(x, one_hot), 0.0, what="jensen_gap_log(x, weights)",
                 case="all the weight on one value (a certain outcome: E[log x] = log E[x])",
                 inputs={"x": x, "weights": one_hot}, misconceptions=unweighted, **ZERO)


def check_pair(student, ref, p, q, case):
    expected_lhs, expected_rhs = ref.neg_kl_via_jensen(p, q)
    p_n, q_n = normalised(p), normalised(q)
    oracles_agree(expected_lhs, -oracles.entropy(p_n, q_n), what=f"-KL(P||Q), {case}")
    oracles_agree(expected_rhs, math.log(float(np.sum(q_n[p_n > 0]))),
                  what=f"log E_P[Q/P], {case}", atol=1e-15)
    lhs, rhs = two_sides(student.neg_kl_via_jensen(p, q), what="neg_kl_via_jensen(p, q)")
    inputs = {"p": p, "q": q}
    expect_close(lhs, expected_lhs, what="neg_kl_via_jensen(p, q)[0], E_P[log Q/P],",
                 case=case, inputs=inputs, misconceptions=lhs_hints(ref, p, q, expected_rhs),
                 **TOL)
    expect_close(rhs, expected_rhs, what="neg_kl_via_jensen(p, q)[1], log E_P[Q/P],",
                 case=case, inputs=inputs, misconceptions=rhs_hints(p, q, expected_lhs),
                 **TOL)


def pair_cases(rng):
    yield "p = [0.5, 0.5], q = [0.25, 0.75]", np.array([0.5, 0.5]), np.array([0.25, 0.75])
    for size in (3, 5, 10, 50):
        yield (f"random p and q of size {size}, no zeros", rng.dirichlet(np.ones(size)),
               rng.dirichlet(np.ones(size)))
    p, q = rng.dirichlet(np.ones(6)), rng.dirichlet(np.ones(6))
    p[[1, 4]] = 0.0
    yield "p = 0 for two outcomes (Q puts mass there, so E_P[Q/P] < 1)", normalised(p), q
    p, q = rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(5))
    q[2] = 0.0
    yield "q = 0 < p for one outcome (log(q/p) = -inf there)", p, normalised(q)
    yield ("unnormalised weights (normalise them first)", rng.uniform(0.5, 5.0, size=4),
           rng.uniform(0.5, 5.0, size=4))


@pytest.mark.points(1.25)
def test_neg_kl_values(student, ref, rng):
    """neg_kl_via_jensen returns (-KL(P||Q), log of the mass Q puts where p > 0)"""
    for case, p, q in pair_cases(rng):
        check_pair(student, ref, p, q, case)
