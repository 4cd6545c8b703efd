"""Exercise 10 that normalises p but not q: right only when q already sums to 1."""
import numpy as np


def _norm(p):
    a = np.asarray(p, dtype=float)
    if a.ndim != 1 or a.size == 0 or np.any(a < 0) or a.sum() == 0:
        raise ValueError("p must be a non-empty 1-D array of non-negative weights, not all 0")
    return a / a.sum()


def _pair(p, q):
    p, q = _norm(p), np.asarray(q, dtype=float)  # the mistake: q is not normalised
    if np.any(q < 0) or q.sum() == 0:
        raise ValueError("q must have non-negative weights, not all 0")
    if p.shape != q.shape:
        raise ValueError("p and q have different lengths")
    return p, q


def _log(x, base):
    return np.log(x) if base is None else np.log(x) / np.log(base)


def entropy(p, base=None):
    p = _norm(p)
    nz = p > 0
    return float(-np.sum(p[nz] * _log(p[nz], base)))


def cross_entropy(p, q, base=None):
    p, q = _pair(p, q)
    nz = p > 0
    if np.any(q[nz] == 0):
        return float("inf")
    return float(-np.sum(p[nz] * _log(q[nz], base)))


def kl_divergence(p, q, base=None):
    p, q = _pair(p, q)
    nz = p > 0
    if np.any(q[nz] == 0):
        return float("inf")
    return float(np.sum(p[nz] * _log(p[nz] / q[nz], base)))
