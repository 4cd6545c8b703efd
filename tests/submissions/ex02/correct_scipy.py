"""Exercise 2, correct: the gap as KL(p || uniform) with scipy, after checking p."""

import math

import numpy as np
from scipy.stats import entropy

WRITTEN_ANSWER = """KL(p || u) = sum p log(N p) = log N - H(p) >= 0 by Gibbs' inequality,
with equality iff p = u."""


def uniform_entropy(n, base=math.e):
    if n < 1:
        raise ValueError(f"the uniform law needs n >= 1 outcomes, got {n}")
    return float(np.log(n) / np.log(base))


def entropy_gap_to_uniform(p):
    p = np.asarray(p, dtype=float)
    if p.ndim != 1 or p.size == 0:
        raise ValueError("p must be a non-empty 1-D array")
    if (p < 0).any():
        raise ValueError("p has a negative entry")
    if p.sum() == 0:
        raise ValueError("p is all zeros")
    return float(entropy(p, np.ones(p.size)))  # scipy normalises both arguments
