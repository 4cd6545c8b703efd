"""Hidden suite of exercise 2: the maximum of entropy (5 points; the proof is graded by hand).

The public checks of this exercise (and helpers shared with them) are in
grader/public/test_ex02.py; hidden checks may import from it, never the reverse.
"""

import math

import numpy as np
import pytest

from grader import oracles
from grader.checks import Misconception, expect_close, oracles_agree
from grader.public.test_ex02 import (  # noqa: F401  (shared helpers)
    GAP_TOL,
    TOL,
    gap_hints,
    uniform_hints,
)

SIZES = (3, 2, 5, 10, 50, 1000)


ALPHAS = (1.0, 10.0, 0.1)  # the friendliest case first: it is the one feedback shows


def distributions(rng):
    """Random laws of many sizes and concentrations."""
    for size in SIZES:
        for alpha in ALPHAS:
            yield f"a random law on {size} outcomes (Dirichlet({alpha:g}))", \
                rng.dirichlet(np.full(size, alpha))


@pytest.mark.points(1)
def test_uniform_entropy(student, ref, rng):
    """uniform_entropy(n) is log n nats"""
    sizes = [6, 2, 1, 10, 1000, 2**40, *(int(n) for n in rng.integers(3, 10_000, size=6))]
    for n in sizes:
        expected = ref.uniform_entropy(n)
        oracle = oracles.entropy(np.ones(n)) if n <= 10_000 else math.log(n)
        oracles_agree(expected, oracle, what=f"uniform_entropy({n})")
        case = "a single certain outcome (n = 1)" if n == 1 else f"n = {n} outcomes"
        expect_close(student.uniform_entropy(n), expected, what=f"uniform_entropy({n})",
                     case=case, misconceptions=uniform_hints(n), **TOL)


@pytest.mark.points(0.5)
def test_uniform_entropy_base(student, ref, rng):
    """uniform_entropy(n, base) for base 2 and 10"""
    for base, unit in ((2.0, "bits"), (10.0, "hartleys")):
        for n in (8, 6, 1000, *(int(n) for n in rng.integers(2, 500, size=3))):
            expect_close(student.uniform_entropy(n, base=base), ref.uniform_entropy(n, base),
                         what=f"uniform_entropy({n}, base={base:g})", case=f"{unit}",
                         misconceptions=uniform_hints(n, base), **TOL)


@pytest.mark.points(1)
def test_gap_values(student, ref, rng):
    """entropy_gap_to_uniform(p) is log N - H(p) in nats"""
    for case, p in distributions(rng):
        expected = ref.entropy_gap_to_uniform(p)
        oracles_agree(expected, oracles.entropy(p, np.full(p.size, 1.0 / p.size)),
                      what=f"the gap, {case}")
        expect_close(student.entropy_gap_to_uniform(p), expected,
                     what="entropy_gap_to_uniform(p)", case=case, inputs={"p": p},
                     misconceptions=gap_hints(p), **GAP_TOL)


@pytest.mark.points(0.5)
def test_gap_zeros(student, ref, rng):
    """entropy_gap_to_uniform with zero probabilities and a certain outcome"""
    nan_hint = Misconception(math.nan, "nan comes from 0 * log 0: treat those terms as 0")
    half = np.array([0.5, 0.5, 0.0, 0.0])
    with_zeros = rng.dirichlet(np.ones(8))
    with_zeros[rng.choice(8, size=3, replace=False)] = 0.0
    with_zeros /= with_zeros.sum()
    certain = np.zeros(int(rng.integers(2, 20)))
    certain[rng.integers(certain.size)] = 1.0
    cases = ((half, "p = [0.5, 0.5, 0, 0] (a law on 4 outcomes, two of them impossible)"),
             (with_zeros, "a law with zero probabilities"),
             (certain, f"a certain outcome among {certain.size} (the gap is log N)"))
    for p, case in cases:
        expect_close(student.entropy_gap_to_uniform(p), ref.entropy_gap_to_uniform(p),
                     what="entropy_gap_to_uniform(p)", case=case, inputs={"p": p},
                     misconceptions=[nan_hint, *gap_hints(p)], **GAP_TOL)


@pytest.mark.points(0.5)
def test_gap_normalisation(student, ref, rng):
    """entropy_gap_to_uniform normalises unnormalised weights first"""
    hint = "normalise the weights to sum to 1 first (p / p.sum())"
    counts = [3, 1, 2, 4]
    weights = rng.uniform(0.5, 5.0, size=7)
    cases = ((counts, "counts [3, 1, 2, 4] as a Python list of ints"),
             (weights, "unnormalised weights"),
             (list(2.5 * weights), "the same weights times 2.5, as a Python list"))
    for p, case in cases:
        raw = np.asarray(p, dtype=np.float64)
        nz = raw[raw > 0]
        raw_gap = math.log(raw.size) + float(np.sum(nz * np.log(nz)))
        expect_close(student.entropy_gap_to_uniform(p), ref.entropy_gap_to_uniform(p),
                     what="entropy_gap_to_uniform(p)", case=case, inputs={"p": p},
                     misconceptions=[Misconception(raw_gap, hint), *gap_hints(raw / raw.sum())],
                     **GAP_TOL)
