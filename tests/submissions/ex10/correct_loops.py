"""Exercise 10, correct, written with plain Python loops and the math module."""
import math


def _norm(p):
    values = [float(v) for v in p]
    if not values or any(v < 0 for v in values) or sum(values) == 0:
        raise ValueError("p must be a non-empty list of non-negative weights, not all 0")
    total = sum(values)
    return [v / total for v in values]


def _pair(p, q):
    p, q = _norm(p), _norm(q)
    if len(p) != len(q):
        raise ValueError("p and q have different lengths")
    return p, q


def _scale(base):
    return 1.0 if base is None else math.log(base)


def entropy(p, base=None):
    p = _norm(p)
    return -sum(x * math.log(x) for x in p if x > 0) / _scale(base)


def cross_entropy(p, q, base=None):
    p, q = _pair(p, q)
    if any(x > 0 and y == 0 for x, y in zip(p, q, strict=True)):
        return math.inf
    return -sum(x * math.log(y) for x, y in zip(p, q, strict=True) if x > 0) / _scale(base)


def kl_divergence(p, q, base=None):
    p, q = _pair(p, q)
    if any(x > 0 and y == 0 for x, y in zip(p, q, strict=True)):
        return math.inf
    return sum(x * math.log(x / y) for x, y in zip(p, q, strict=True) if x > 0) / _scale(base)
