"""Public checks of exercise 7: Jensen's inequality for log, and KL >= 0 (5 points).

These checks need no reference code (properties, scipy and numpy formulas, numerical
gradients of your own functions, pen-and-paper answers stored as numbers); they ship
to students. The hidden checks of this exercise are in grader/hidden/ (sealed).
"""

import math

import numpy as np
import pytest

from grader import oracles
from grader.checks import (
    Misconception,
    as_float,
    close,
    describe,
    expect,
    expect_raises,
    fail,
    kind,
    matching_hint,
)

TOL = {"rtol": 1e-9, "atol": 1e-12}


SLACK = 1e-12


LN2 = math.log(2.0)


NAN_HINT = ("nan comes from 0 * log(...) or q/p with p = 0: outcomes with p = 0 contribute "
            "nothing, so sum only over p > 0")


# -- neg_kl_via_jensen ---------------------------------------------------------------------
def two_sides(value, what):
    """Return the two floats of a returned pair; fail unless it is one."""
    if isinstance(value, np.ndarray) and value.shape == (2,):
        value = tuple(value)
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        fail(f"{what} should return a tuple of two floats (E_P[log Q/P], log E_P[Q/P]); it "
             f"returned {kind(value)} ({describe(value)})")
    return (as_float(value[0], what=f"{what}[0]"), as_float(value[1], what=f"{what}[1]"))


def normalised(a):
    a = np.asarray(a, dtype=np.float64)
    return a / a.sum()


def normalise_hint(p, q, raw_formula):
    """The value a formula gives on p and q used without normalising (when they are not)."""
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    if np.all(p > 0) and np.all(q > 0) and not (math.isclose(p.sum(), 1.0)
                                                and math.isclose(q.sum(), 1.0)):
        return [Misconception(raw_formula(p, q), "normalise p and q to sum to 1 first "
                              "(p / p.sum()), as scipy.stats.entropy does")]
    return []


def lhs_hints(ref, p, q, expected_rhs):
    p_n, q_n = normalised(p), normalised(q)
    kl = oracles.entropy(p_n, q_n)
    hints = [Misconception(math.nan, NAN_HINT)]
    if math.isfinite(kl):
        hints += [
            Misconception(kl, "the sign is flipped: E_P[log Q/P] = sum p log(q/p) = "
                          "-KL(P||Q) <= 0"),
            Misconception(-kl / LN2, "this is in bits; use the natural logarithm"),
        ]
    else:
        hints += [Misconception(math.inf, "the sign is flipped: log(q/p) = -inf where "
                                "q = 0 < p, so E_P[log Q/P] = -KL(P||Q) = -inf")]
    reverse = oracles.entropy(q_n, p_n)
    if math.isfinite(reverse):
        hints.append(Misconception(-reverse, "this is -KL(Q||P): the expectation is over P, "
                                   "sum_i p_i log(q_i / p_i)"))
    hints += normalise_hint(p, q, lambda a, b: float(np.sum(a * np.log(b / a))))
    hints.append(Misconception(expected_rhs, "this is the right side log E_P[Q/P]; the tuple "
                               "is (E_P[log Q/P], log E_P[Q/P]) in this order"))
    return hints


def rhs_hints(p, q, expected_lhs):
    p_n, q_n = normalised(p), normalised(q)
    support = p_n > 0
    mass = float(np.sum(q_n[support]))
    hints = [Misconception(math.nan, NAN_HINT)]
    if not np.all(support):
        hints.append(Misconception(0.0, "E_P[Q/P] = sum_{p>0} p (q/p) = sum_{p>0} q: the sum "
                                   "runs over the outcomes with p > 0 only, so it is below 1 "
                                   "when Q puts mass where p = 0"))
    hints.append(Misconception(mass, "this is E_P[Q/P] itself; the right side is its "
                               "logarithm, log E_P[Q/P]"))
    if np.all(support):
        hints.append(Misconception(math.log(float(np.mean(q_n / p_n))),
                                   "E_P weighs each ratio q/p by p: E_P[Q/P] = "
                                   "sum_i p_i (q_i / p_i), not the plain mean of q/p"))
    hints += normalise_hint(p, q, lambda a, b: math.log(float(np.sum(b[a > 0]))))
    hints.append(Misconception(expected_lhs, "this is the left side E_P[log Q/P]; the tuple "
                               "is (E_P[log Q/P], log E_P[Q/P]) in this order"))
    return hints


def sides_hint(lhs, rhs, p, q):
    """The known mistake behind a wrong side of neg_kl_via_jensen, as a feedback suffix."""
    p_n, q_n = normalised(p), normalised(q)
    expected_lhs = -float(oracles.entropy(p_n, q_n))
    expected_rhs = math.log(float(np.sum(q_n[p_n > 0])))
    hint = ""
    if not close(lhs, expected_lhs, **TOL):  # a right side may equal a wrong value's
        hint = matching_hint(lhs, lhs_hints(None, p, q, expected_rhs))
    if not hint and not close(rhs, expected_rhs, **TOL):
        hint = matching_hint(rhs, rhs_hints(p, q, expected_lhs))
    return f"\nHint: {hint}" if hint else ""


@pytest.mark.public
@pytest.mark.points(0.5)
def test_neg_kl_order(student, rng):
    """the two sides are ordered as the proof needs: E_P[log Q/P] <= log E_P[Q/P] <= 0"""
    cases = []
    for size in (2, 4, 8, 30):
        p = rng.dirichlet(np.full(size, 0.7))
        q = rng.dirichlet(np.full(size, 0.7))
        cases.append((f"random p and q of size {size}", p, q))
        zeros = p.copy()
        zeros[rng.permutation(size)[: size // 2]] = 0.0
        cases.append((f"random p of size {size} with zeros, random q", normalised(zeros), q))
    for case, p, q in cases:
        lhs, rhs = two_sides(student.neg_kl_via_jensen(p, q), what="neg_kl_via_jensen(p, q)")
        where = f"{case}: neg_kl_via_jensen(p, q) returned ({lhs:.6g}, {rhs:.6g})"
        expect(not (math.isnan(lhs) or math.isnan(rhs)), f"{where}; {NAN_HINT}")
        expect(lhs <= rhs + SLACK, f"{where}, but Jensen's inequality for the concave log "
               "gives E_P[log Q/P] <= log E_P[Q/P]" + sides_hint(lhs, rhs, p, q))
        expect(rhs <= SLACK, f"{where}, but log E_P[Q/P] = log sum_(p>0) q <= log 1 = 0"
               + sides_hint(lhs, rhs, p, q))
    p = rng.dirichlet(np.ones(5))
    lhs, rhs = two_sides(student.neg_kl_via_jensen(p, p), what="neg_kl_via_jensen(p, p)")
    expect(abs(lhs) <= SLACK and abs(rhs) <= SLACK,
           f"P = Q: neg_kl_via_jensen(p, p) returned ({lhs:.6g}, {rhs:.6g}); both sides are 0 "
           "when Q = P (KL(P||P) = 0)")
    # Q/P constant on P's support: Jensen's step is an equality, both sides are log(mass)
    p = rng.dirichlet(np.ones(4))
    mass = float(rng.uniform(0.2, 0.8))
    p_ext = np.concatenate([p, [0.0, 0.0]])
    q_ext = np.concatenate([mass * p, (1.0 - mass) * normalised(rng.uniform(1, 2, 2))])
    lhs, rhs = two_sides(student.neg_kl_via_jensen(p_ext, q_ext),
                         what="neg_kl_via_jensen(p, q)")
    expected = math.log(mass)
    expect(abs(lhs - expected) <= 1e-9 and abs(rhs - expected) <= 1e-9,
           f"Q = {mass:.4g} * P on the support of P (Q/P is constant there) and "
           f"{1 - mass:.4g} elsewhere: neg_kl_via_jensen(p, q) returned ({lhs:.6g}, "
           f"{rhs:.6g}); Jensen's step is then an equality and both sides are "
           f"log {mass:.4g} = {expected:.6g}" + sides_hint(lhs, rhs, p_ext, q_ext))


@pytest.mark.public
@pytest.mark.points(0.5)
def test_invalid_input(student):
    """invalid input raises ValueError"""
    gap = student.jensen_gap_log
    for x, why in (([1.0, 0.0, 2.0], "an entry of x is 0 (log 0 is undefined)"),
                   ([1.0, -2.0, 3.0], "a negative entry of x"),
                   ([], "an empty x")):
        expect_raises(ValueError, gap, x, what="jensen_gap_log(x)", case=why)
    x = [1.0, 2.0, 3.0]
    for w, why in (([0.5, -0.1, 0.6], "a negative weight"),
                   ([0.5, 0.5], "3 values of x and 2 weights"),
                   ([0.0, 0.0, 0.0], "all weights are 0")):
        expect_raises(ValueError, gap, x, w, what="jensen_gap_log(x, weights)", case=why)
    nkl = student.neg_kl_via_jensen
    for p, q, why in (([0.5, -0.1, 0.6], [0.3, 0.3, 0.4], "a negative entry in p"),
                      ([0.3, 0.3, 0.4], [0.5, 0.6, -0.1], "a negative entry in q"),
                      ([0.5, 0.5], [0.2, 0.3, 0.5], "p of length 2, q of length 3"),
                      ([0.0, 0.0], [0.5, 0.5], "an all-zero p")):
        expect_raises(ValueError, nkl, p, q, what="neg_kl_via_jensen(p, q)", case=why)
