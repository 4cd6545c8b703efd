"""Exercise 10 without 0 log 0 = 0 (nan where p has zeros) and nan where q = 0 < p."""
import numpy as np


def _norm(p):
    a = np.asarray(p, dtype=float)
    if a.ndim != 1 or a.size == 0 or np.any(a < 0) or a.sum() == 0:
        raise ValueError("p must be a non-empty 1-D array of non-negative weights, not all 0")
    return a / a.sum()


def _pair(p, q):
    p, q = _norm(p), _norm(q)
    if p.shape != q.shape:
        raise ValueError("p and q have different shapes")
    return p, q


def _scale(base):
    return 1.0 if base is None else np.log(base)


def entropy(p, base=None):
    p = _norm(p)
    with np.errstate(all="ignore"):
        return float(-np.sum(p * np.log(p)) / _scale(base))


def cross_entropy(p, q, base=None):
    p, q = _pair(p, q)
    with np.errstate(all="ignore"):
        return float(-np.sum(p * np.log(q)) / _scale(base))


def kl_divergence(p, q, base=None):
    p, q = _pair(p, q)
    with np.errstate(all="ignore"):
        return float(np.sum(p * np.log(p / q)) / _scale(base))
