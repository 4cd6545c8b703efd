"""Exercise 7 whose jensen_gap_log ignores the weights (it always uses the plain mean)."""

import numpy as np

WRITTEN_ANSWER = """(Write your answer here.)"""


def _dist(a):
    a = np.asarray(a, dtype=float)
    if a.ndim != 1 or a.size == 0 or np.any(a < 0) or a.sum() == 0:
        raise ValueError("not a distribution")
    return a / a.sum()


def jensen_gap_log(x, weights=None):
    x = np.asarray(x, dtype=float)
    if x.size == 0 or np.any(x <= 0):
        raise ValueError("x must be non-empty and positive")
    if weights is not None and _dist(weights).shape != x.shape:
        raise ValueError("weights and x differ in length")
    return float(np.log(np.mean(x)) - np.mean(np.log(x)))


def neg_kl_via_jensen(p, q):
    p, q = _dist(p), _dist(q)
    if p.shape != q.shape:
        raise ValueError("p and q differ in length")
    s = p > 0
    with np.errstate(divide="ignore"):
        lhs = np.sum(p[s] * np.log(q[s] / p[s]))
    return float(lhs), float(np.log(np.sum(q[s])))
