"""Exercise 8 whose is_independent compares the tables with np.allclose and ignores tol."""

import math

import numpy as np

WRITTEN_ANSWER = """(Write your answer here.)"""


def _table(joint):
    t = np.asarray(joint, dtype=float)
    if t.ndim != 2 or t.size == 0 or (t < 0).any() or t.sum() == 0:
        raise ValueError("joint must be a non-empty, non-negative 2-D table")
    return t / t.sum()


def product_of_marginals(joint):
    t = _table(joint)
    return np.outer(t.sum(axis=1), t.sum(axis=0))


def mutual_information(joint, base=math.e):
    t = _table(joint)
    prod = product_of_marginals(t)
    mask = t > 0
    return float(np.sum(t[mask] * np.log(t[mask] / prod[mask])) / math.log(base))


def is_independent(joint, tol=1e-10):
    return bool(np.allclose(_table(joint), product_of_marginals(joint)))
