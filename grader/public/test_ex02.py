"""Public checks of exercise 2: the maximum of entropy (5 points; the proof is graded by hand).

These checks need no reference code (properties, scipy and numpy formulas, numerical
gradients of your own functions, pen-and-paper answers stored as numbers); they ship
to students. The hidden checks of this exercise are in grader/hidden/ (sealed).
"""

import math

import numpy as np
import pytest

from grader import oracles
from grader.checks import Misconception, expect, expect_close, expect_raises

TOL = {"rtol": 1e-9, "atol": 1e-12}


# log N - H(p) summed naively over 1000 terms is off by up to 1.6e-13 (measured over 300
# seeds of these cases); 1e-11 keeps a margin of 60.
GAP_TOL = {"rtol": 1e-9, "atol": 1e-11}


def entropy(p):
    """H(p) in nats of weights normalised to sum to 1 (0 log 0 = 0)."""
    p = np.asarray(p, dtype=np.float64)
    p = p / p.sum()
    nz = p[p > 0]
    return float(-np.sum(nz * np.log(nz)))


def uniform_hints(n, base=math.e):
    """Values that known mistakes give for uniform_entropy(n, base)."""
    hints = []
    if base != 2.0:
        hints.append(Misconception(math.log2(n), "this is log2 n, the entropy in bits; the "
                                   "default base is e (nats): use the natural log"))
    if base != math.e:
        hints.append(Misconception(math.log(n), f"this is ln n, the entropy in nats; "
                                   f"base={base:g} was asked: divide by ln(base)"))
    if base != 10.0:
        hints.append(Misconception(math.log10(n), "this is log10 n; the default base is e "
                                   "(nats)"))
    if n > 1:
        hints += [
            Misconception(-math.log(n) / math.log(base), "the sign is flipped: "
                          "H = -sum (1/n) log(1/n) = log n >= 0"),
            Misconception(float(n), "this is n itself; the entropy is log n"),
            Misconception(1.0 / n, "this is the probability 1/n of one outcome; the entropy "
                          "is log n"),
            Misconception(math.log(n) / math.log(base) / n, "this is one term (1/n) log n; "
                          "the entropy sums the n equal terms: log n"),
        ]
    return hints


def gap_hints(p):
    """Values that known mistakes give for entropy_gap_to_uniform(p)."""
    p = np.asarray(p, dtype=np.float64)
    n = p.size
    h = entropy(p)
    gap = math.log(n) - h
    support = int(np.count_nonzero(p))
    uniform = np.full(n, 1.0 / n)
    hints = []
    if support < n:
        hints.append(Misconception(math.log(support) - h, "N is the number of outcomes of the "
                                   "law, including those of probability 0: use len(p), not "
                                   "the number of non-zero entries"))
    return hints + [
        Misconception(oracles.entropy(uniform, p), "this is KL(uniform || p) (infinite "
                      "when p has a zero): the gap equals KL(p || uniform), the other "
                      "direction"),
        Misconception(-gap, "the sign is flipped: the gap is log N - H(p), which is >= 0 "
                      "because no law on N outcomes has more entropy than the uniform one"),
        Misconception(gap / math.log(2), "this is the gap in bits; use the natural log "
                      "(nats)"),
        Misconception(h, "this is H(p) itself; the gap is log N - H(p)"),
        Misconception(math.log(n), "this is log N alone; subtract H(p)"),
        Misconception(math.log(n) + h, "you added H(p); the gap is log N - H(p)"),
    ]


@pytest.mark.public
@pytest.mark.points(0.5)
def test_invalid_input(student, rng):
    """ValueError for n < 1 and for negative, empty or all-zero p"""
    for n, case in ((0, "n = 0 (no outcome at all)"), (-int(rng.integers(1, 10)), "n < 0")):
        expect_raises(ValueError, student.uniform_entropy, n, what=f"uniform_entropy({n})",
                      case=case)
    negative = rng.dirichlet(np.ones(4))
    negative[int(rng.integers(4))] = -0.2
    for p, case in ((negative, "a negative entry"), ([], "an empty p"),
                    (np.zeros(3), "an all-zero p")):
        expect_raises(ValueError, student.entropy_gap_to_uniform, p,
                      what="entropy_gap_to_uniform(p)", case=case)


@pytest.mark.public
@pytest.mark.points(1)
def test_uniform_is_the_maximum(student, rng):
    """the uniform law has the maximum entropy: gap >= 0, = KL(p||uniform), 0 only for it"""
    for size in (4, 2, 30, 1000):
        uniform = np.full(size, 1.0 / size)
        expect_close(student.entropy_gap_to_uniform(uniform), 0.0,
                     what="entropy_gap_to_uniform(p)",
                     case=f"the uniform law on {size} outcomes (nothing to gain: the gap is 0)",
                     misconceptions=[Misconception(math.log(size), "this is log N; the gap of "
                                                   "the uniform law is log N - log N = 0")],
                     rtol=0.0, atol=1e-11)
        log_n = expect_close(student.uniform_entropy(size), math.log(size),
                             what=f"uniform_entropy({size})", case="the maximum entropy",
                             misconceptions=uniform_hints(size), **TOL)
        # alternating signs of size 0.5 % to 1 %: never uniform by accident (gap > 1e-5 measured)
        bumps = 0.01 * rng.uniform(0.5, 1.0, size) * (-1.0) ** np.arange(size)
        laws = [("a random law", rng.dirichlet(np.ones(size))),
                ("a nearly uniform law", uniform * (1.0 + bumps))]
        for case, p in laws:
            p = p / p.sum()
            kl = oracles.entropy(p, uniform)
            gap = expect_close(student.entropy_gap_to_uniform(p), kl,
                               what="entropy_gap_to_uniform(p)",
                               case=f"{case} on {size} outcomes: the gap is KL(p || uniform)",
                               inputs={"p": p}, misconceptions=gap_hints(p), **GAP_TOL)
            expect(gap > 0, f"{case} on {size} outcomes is not uniform, so its entropy is "
                            f"below log N and the gap must be > 0; it was {gap:.6g}")
            expect_close(log_n - gap, entropy(p), what="uniform_entropy(N) - "
                         "entropy_gap_to_uniform(p)",
                         case=f"{case} on {size} outcomes: log N - gap is H(p)",
                         inputs={"p": p}, **GAP_TOL)
