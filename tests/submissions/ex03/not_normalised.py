"""Exercise 3, using the weights as they come (no p / p.sum())."""

import numpy as np

WRITTEN_ANSWER = """(Write your answer here.)"""


def cross_entropy_decomposition(p, q):
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.size == 0 or p.shape != q.shape:
        raise ValueError("p and q must be non-empty and of the same length")
    if (p < 0).any() or (q < 0).any():
        raise ValueError("negative probability")
    if p.sum() == 0 or q.sum() == 0:
        raise ValueError("all-zero input")
    nz = p > 0
    h = -np.sum(p[nz] * np.log(p[nz]))
    with np.errstate(divide="ignore"):
        kl = np.sum(p[nz] * np.log(p[nz] / q[nz]))
        ce = -np.sum(p[nz] * np.log(q[nz]))
    return float(h), float(kl), float(ce)
