"""Exercise 2 (reference): entropy is maximised by the uniform law."""

from __future__ import annotations

import math

import numpy as np

WRITTEN_ANSWER = r"""
Let p be a law on N outcomes and u = (1/N, ..., 1/N) the uniform law.

Gap = KL. With 0 log 0 = 0 and sum_i p_i = 1,
  KL(p || u) = sum_i p_i log(p_i / (1/N)) = sum_i p_i log p_i + log N sum_i p_i
             = log N - H(p).

KL >= 0 (Gibbs). Sum over S = {i : p_i > 0}. log is strictly concave, so by Jensen
  -KL(p || u) = sum_{i in S} p_i log(u_i / p_i) <= log sum_{i in S} p_i (u_i / p_i)
              = log sum_{i in S} 1/N = log(|S| / N) <= log 1 = 0.
Hence H(p) = log N - KL(p || u) <= log N, and H(u) = -sum (1/N) log(1/N) = log N is
reached, so log N is the maximum.

Equality. H(p) = log N forces both inequalities to be equalities: |S| = N (every
outcome has p_i > 0) and, by strict concavity, u_i / p_i is constant on S, i.e.
p_i = c / N; summing gives c = 1, so p = u. Conversely p = u gives H = log N.
(Alternative: maximise -sum p log p subject to sum p = 1 with a Lagrange multiplier:
-log p_i - 1 = lambda for every i, so all p_i are equal; H is strictly concave, so
this stationary point is the unique maximum.)
"""


def _distribution(p) -> np.ndarray:
    """Validate a 1-D array of non-negative weights and normalise it to sum to 1."""
    array = np.asarray(p, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"p must be 1-D (got shape {array.shape})")
    if array.size == 0:
        raise ValueError("p is empty")
    if not np.all(np.isfinite(array)):
        raise ValueError("p has a non-finite entry")
    if np.any(array < 0):
        raise ValueError("p has a negative entry")
    total = array.sum()
    if total <= 0:
        raise ValueError("p sums to 0 (all entries are zero)")
    return array / total


def uniform_entropy(n, base=math.e) -> float:
    """Return the entropy log_base(n) of the uniform law on n outcomes; ValueError if n < 1."""
    if isinstance(n, (bool, np.bool_)):
        raise ValueError(f"n must be a whole number of outcomes (got {n!r})")
    try:
        as_float = float(n)
    except (TypeError, ValueError):
        raise ValueError(f"n must be a whole number of outcomes (got {n!r})") from None
    if not as_float.is_integer():
        raise ValueError(f"n must be a whole number of outcomes (got {n!r})")
    if as_float < 1:
        raise ValueError(f"n must be at least 1 (got {n!r}): a law needs an outcome")
    base = float(base)
    if not base > 0.0 or base == 1.0 or math.isinf(base):
        raise ValueError(f"base must be positive and not 1 (got {base!r})")
    log_n = math.log(int(as_float))  # exact for huge integers too
    return log_n if base == math.e else log_n / math.log(base)


def entropy_gap_to_uniform(p) -> float:
    """Return log N - H(p) in nats, computed as KL(p || uniform) = sum p log(N p) >= 0.

    The sum of p log(N p) has no cancellation between log N and H(p), so it is accurate
    even when p is nearly uniform and the gap is tiny.
    """
    p_arr = _distribution(p)
    n = p_arr.size
    nz = p_arr[p_arr > 0]
    terms = nz * (np.log(nz) + math.log(n))
    return max(math.fsum(terms.tolist()), 0.0) + 0.0  # never -0.0
