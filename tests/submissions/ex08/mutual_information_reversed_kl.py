"""Exercise 8 whose mutual information is KL(P_X P_Y || P_XY), the reverse direction."""

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
    mask = prod > 0
    with np.errstate(divide="ignore"):
        kl = np.sum(prod[mask] * np.log(prod[mask] / t[mask]))
    return float(kl / math.log(base))


def is_independent(joint, tol=1e-10):
    return mutual_information(joint) <= tol
