"""Exercise 3 (reference): the cross-entropy decomposes as H(P,Q) = H(P) + KL(P||Q)."""

from __future__ import annotations

import math

import numpy as np

WRITTEN_ANSWER = r"""
Let S = {i : p_i > 0}; terms with p_i = 0 are 0 in all three sums (0 log 0 = 0). If
q_i = 0 for some i in S, KL(P||Q) = H(P,Q) = +inf and the statements hold trivially
(P != Q there); assume q_i > 0 on S.

Decomposition. For i in S, -log q_i = -log p_i + log(p_i / q_i). Multiply by p_i and sum:
  H(P,Q) = -sum_S p_i log q_i = -sum_S p_i log p_i + sum_S p_i log(p_i / q_i)
         = H(P) + KL(P||Q).

KL >= 0 (Gibbs). log is strictly concave; Jensen with the weights p_i on S gives
  -KL(P||Q) = sum_S p_i log(q_i / p_i) <= log sum_S p_i (q_i / p_i) = log sum_S q_i
            <= log 1 = 0.
(Or use log x <= x - 1: sum_S p_i log(q_i/p_i) <= sum_S (q_i - p_i) = sum_S q_i - 1 <= 0.)
So H(P,Q) = H(P) + KL(P||Q) >= H(P).

Equality. KL = 0 forces equality in both steps: sum_S q_i = 1 (Q puts no mass outside
S) and, by strict concavity, q_i / p_i = c constant on S; summing over S gives c = 1,
so q_i = p_i on S and q_i = 0 = p_i off S: Q = P. Conversely Q = P gives
log(p_i / q_i) = 0, so KL = 0 and H(P,P) = H(P).
"""


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


def cross_entropy_decomposition(p, q) -> tuple[float, float, float]:
    """Return (H(P), KL(P||Q), H(P,Q)) in nats; KL and H(P,Q) are inf where q = 0 < p."""
    p_arr, q_arr = _distribution(p, "p"), _distribution(q, "q")
    if p_arr.shape != q_arr.shape:
        raise ValueError(f"p and q have different shapes {p_arr.shape} and {q_arr.shape}")
    nz = p_arr > 0
    p_nz, q_nz = p_arr[nz], q_arr[nz]
    entropy = max(-math.fsum((p_nz * np.log(p_nz)).tolist()), 0.0) + 0.0  # never -0.0
    if np.any(q_nz == 0):
        return entropy, math.inf, math.inf
    kl = max(math.fsum((p_nz * (np.log(p_nz) - np.log(q_nz))).tolist()), 0.0) + 0.0
    return entropy, kl, entropy + kl
