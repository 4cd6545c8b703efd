"""Exercise 10 (reference): entropy, cross-entropy and KL divergence from scratch."""

from __future__ import annotations

import math

import numpy as np


def _distribution(p, name: str) -> np.ndarray:
    """Validate a 1-D array of non-negative weights and normalise it to sum to 1."""
    array = np.asarray(p, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D (got shape {array.shape})")
    if array.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} has a non-finite entry")
    if np.any(array < 0):
        raise ValueError(f"{name} has a negative entry")
    total = array.sum()
    if total <= 0:
        raise ValueError(f"{name} sums to 0 (all entries are zero)")
    return array / total


def _pair(p, q) -> tuple[np.ndarray, np.ndarray]:
    p_arr, q_arr = _distribution(p, "p"), _distribution(q, "q")
    if p_arr.shape != q_arr.shape:
        raise ValueError(f"p and q have different shapes {p_arr.shape} and {q_arr.shape}")
    return p_arr, q_arr


def _scale(base) -> float:
    if base is None:
        return 1.0
    if base <= 0 or base == 1:
        raise ValueError(f"base must be positive and not 1 (got {base})")
    return math.log(base)


def entropy(p, base=None) -> float:
    """H(P) = -sum p log p, with 0 log 0 = 0; nats unless ``base`` is given."""
    p_arr = _distribution(p, "p")
    nz = p_arr > 0
    return float(-np.sum(p_arr[nz] * np.log(p_arr[nz])) / _scale(base))


def kl_divergence(p, q, base=None) -> float:
    """KL(P||Q) = sum p log(p/q); +inf where q = 0 < p."""
    p_arr, q_arr = _pair(p, q)
    nz = p_arr > 0
    if np.any(q_arr[nz] == 0):
        return math.inf
    value = float(np.sum(p_arr[nz] * (np.log(p_arr[nz]) - np.log(q_arr[nz]))))
    return max(value, 0.0) / _scale(base)


def cross_entropy(p, q, base=None) -> float:
    """H(P, Q) = -sum p log q = H(P) + KL(P||Q); +inf where q = 0 < p."""
    p_arr, q_arr = _pair(p, q)
    nz = p_arr > 0
    if np.any(q_arr[nz] == 0):
        return math.inf
    return float(-np.sum(p_arr[nz] * np.log(q_arr[nz])) / _scale(base))
