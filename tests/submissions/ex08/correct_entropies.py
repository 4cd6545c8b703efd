"""Exercise 8, a correct solution written differently: I(X;Y) = H(X) + H(Y) - H(X,Y)."""

import math

import numpy as np

WRITTEN_ANSWER = """I(X;Y) is KL(P_XY || P_X P_Y), which is 0 iff the two are equal (Gibbs)."""


def _table(joint):
    t = np.array(joint, dtype=float)
    if t.ndim != 2 or t.size == 0:
        raise ValueError("joint must be a non-empty 2-D table")
    if (t < 0).any():
        raise ValueError("joint has negative entries")
    if t.sum() == 0:
        raise ValueError("joint is all zeros")
    return t / t.sum()


def _h(p):
    p = p[p > 0]
    return -np.sum(p * np.log(p))


def product_of_marginals(joint):
    t = _table(joint)
    return np.einsum("i,j->ij", t.sum(axis=1), t.sum(axis=0))


def mutual_information(joint, base=math.e):
    t = _table(joint)
    nats = _h(t.sum(axis=1)) + _h(t.sum(axis=0)) - _h(t.ravel())
    return float(nats / math.log(base))


def is_independent(joint, tol=1e-10):
    return mutual_information(joint) <= tol
