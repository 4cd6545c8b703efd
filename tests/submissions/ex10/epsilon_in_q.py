"""Exercise 10 with an epsilon added to q "against log 0": finite where it must be infinite."""
import numpy as np

EPS = 1e-12


def _norm(p):
    a = np.asarray(p, dtype=float)
    if a.ndim != 1 or a.size == 0 or np.any(a < 0) or a.sum() == 0:
        raise ValueError("p must be a non-empty 1-D array of non-negative weights, not all 0")
    return a / a.sum()


def _pair(p, q):
    p, q = _norm(p), _norm(q)
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
    return float(-np.sum(p[nz] * _log(q[nz] + EPS, base)))  # the mistake


def kl_divergence(p, q, base=None):
    p, q = _pair(p, q)
    nz = p > 0
    return float(np.sum(p[nz] * _log(p[nz] / (q[nz] + EPS), base)))  # the mistake
