"""Exercise 10 that never raises ValueError (no input validation)."""
import numpy as np


def _norm(p):
    a = np.asarray(p, dtype=float)
    return a / a.sum() if a.sum() else a  # the mistake: no validation


def _pair(p, q):
    p, q = _norm(p), _norm(q)
    n = min(p.size, q.size)
    return p[:n], q[:n]


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
