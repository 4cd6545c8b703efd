"""Public checks of exercise 11: binary entropy and cross-entropy curves (6 points).

These checks need no reference code (properties, scipy and numpy formulas, numerical
gradients of your own functions, pen-and-paper answers stored as numbers); they ship
to students. The hidden checks of this exercise are in grader/hidden/ (sealed).
"""

import math
import types

import numpy as np
import pytest

from grader import oracles
from grader.checks import (
    CheckFailure,
    Misconception,
    as_array,
    as_float,
    expect_close,
    expect_raises,
    fail,
)
from grader.hints import nonfinite_hint

TOL = {"rtol": 1e-9, "atol": 1e-12}


NAN_HINT = ("nan comes from 0 * log 0 in floating point; its limit is 0, so set those terms "
            "to 0 (np.where, or scipy.special.xlogy(x, y) which is 0 when x = 0)")


CLIP_HINT = ("where the exact value is +inf you return a finite number: do not clip "
             "the probabilities with an epsilon (np.clip(q, 1e-12, ...)); return np.inf there")


# -- helpers -----------------------------------------------------------------------------
def naive_entropy(p, base=2.0):
    """The formula without 0 log 0 handling (nan at the ends)."""
    p = np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return -(p * np.log(p) + (1 - p) * np.log(1 - p)) / math.log(base)


def generic_hint(value, expected) -> str:
    """A hint read from the shape of the mistake: nan, or finite where inf is exact."""
    return nonfinite_hint(value, expected, nan=NAN_HINT, clipped=CLIP_HINT,
                          neginf="-inf: check the sign (H = -sum p log q >= 0)")


def expect_values(got, expected, *, what, case, inputs=None, misconceptions=(), **tol):
    """expect_close, plus a hint for nan (0 log 0) and clipped infinities."""
    expected = np.asarray(expected, dtype=np.float64)
    tol = tol or TOL
    if expected.ndim == 0:
        value = as_float(got, what=what)
    else:
        value = as_array(got, what=what, shape=expected.shape)
    try:
        return expect_close(value, expected, what=what, case=case, inputs=inputs,
                            misconceptions=misconceptions, **tol)
    except CheckFailure as failure:
        hint = "" if "\nHint:" in failure.feedback else generic_hint(value, expected)
        if not hint:
            raise
        fail(f"{failure.feedback}\nHint: {hint}")


def entropy_hints(ref, p):
    with np.errstate(divide="ignore", invalid="ignore"):
        only_first = naive_entropy(p) + (1 - np.asarray(p)) * np.log2(1 - np.asarray(p))
    return [
        Misconception(ref.binary_entropy(p, base=math.e),
                      "this is the entropy in nats (natural log); the default unit is bits: "
                      "divide by log(base) (log2 for base 2)"),
        Misconception(-ref.binary_entropy(p), "the sign is flipped: H = -sum p log p >= 0"),
        Misconception(only_first, "only the -p log p term: add -(1 - p) log(1 - p)"),
    ]


def random_probabilities(rng, shape):
    """Probabilities spread over (0, 1), tails included, never exactly 0 or 1."""
    values = rng.uniform(0.0, 1.0, size=shape)
    flat = values.reshape(-1)
    if flat.size >= 4:
        flat[:2] = rng.uniform(1e-6, 1e-3, size=2)
        flat[2:4] = 1.0 - rng.uniform(1e-6, 1e-3, size=2)
    return np.clip(values, 1e-9, 1 - 1e-9)


def _scipy_binary_ce(p, q, base=2.0):
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    nats = -(oracles.special.xlogy(p, q) + oracles.special.xlogy(1.0 - p, 1.0 - q))
    return nats / np.log(base)


#: a public stand-in for the reference, from scipy's formulas (no reference code)
SCIPY = types.SimpleNamespace(
    binary_entropy=lambda p, base=2.0: _scipy_binary_ce(p, p, base),
    binary_cross_entropy=_scipy_binary_ce)


# -- checks ----------------------------------------------------------------------------------
@pytest.mark.public
@pytest.mark.points(1)
def test_entropy_values(student, rng):
    """binary_entropy matches scipy on grids of p in (0, 1), in bits"""
    ref = SCIPY
    cases = [("the grid p = 0.1, 0.2, ..., 0.9", np.round(np.linspace(0.1, 0.9, 9), 12)),
             ("random p in (0, 1), tails included", random_probabilities(rng, 40)),
             ("a 2-D array of random p", random_probabilities(rng, (3, 5))),
             ("a Python list of random p", list(rng.uniform(0.01, 0.99, size=6)))]
    for case, p in cases:
        expect_values(student.binary_entropy(p), ref.binary_entropy(p), what="binary_entropy(p)",
                      case=case, inputs={"p": np.asarray(p)},
                      misconceptions=entropy_hints(ref, np.asarray(p)))
    expect_values(student.binary_entropy(0.5), 1.0, what="binary_entropy(0.5)",
                  case="a fair coin (1 bit)", inputs={"p": 0.5},
                  misconceptions=entropy_hints(ref, 0.5))


@pytest.mark.public
@pytest.mark.points(0.5)
def test_invalid_input(student, rng):
    """ValueError for p or q outside [0, 1], arrays of different shapes and an empty grid"""
    p = rng.uniform(0.1, 0.9, size=4)
    expect_raises(ValueError, student.binary_entropy, -0.1, what="binary_entropy(p)",
                  case="p = -0.1")
    expect_raises(ValueError, student.binary_entropy, np.array([0.2, 1.5, 0.3]),
                  what="binary_entropy(p)", case="an entry p = 1.5")
    expect_raises(ValueError, student.binary_cross_entropy, 0.5, 1.2,
                  what="binary_cross_entropy(p, q)", case="q = 1.2")
    expect_raises(ValueError, student.binary_cross_entropy, np.array([0.3, -0.5]), 0.4,
                  what="binary_cross_entropy(p, q)", case="an entry p = -0.5")
    expect_raises(ValueError, student.binary_cross_entropy, p, np.full(5, 0.5),
                  what="binary_cross_entropy(p, q)", case="p of length 4, q of length 5")
    expect_raises(ValueError, student.cross_entropy_argmin, 1.5, np.linspace(0, 1, 11),
                  what="cross_entropy_argmin(p, q_grid)", case="p = 1.5")
    expect_raises(ValueError, student.cross_entropy_argmin, 0.5, np.array([0.2, 1.3]),
                  what="cross_entropy_argmin(p, q_grid)", case="a grid value q = 1.3")
    expect_raises(ValueError, student.cross_entropy_argmin, 0.5, np.array([]),
                  what="cross_entropy_argmin(p, q_grid)", case="an empty grid")
