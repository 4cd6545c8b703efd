"""Exercise 2, in bits (log2) where nats are asked, and base ignored."""

import math

import numpy as np

WRITTEN_ANSWER = """(Write your answer here.)"""


def uniform_entropy(n, base=math.e):
    if n < 1:
        raise ValueError("n must be >= 1")
    return math.log2(n)


def entropy_gap_to_uniform(p):
    p = np.asarray(p, dtype=float)
    if p.size == 0 or np.any(p < 0) or p.sum() == 0:
        raise ValueError("p must be non-empty, non-negative and not all zero")
    p = p / p.sum()
    nz = p[p > 0]
    return float(np.log2(p.size) + np.sum(nz * np.log2(nz)))
