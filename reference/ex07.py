"""Exercise 7 (reference): Jensen's inequality for the log, and the step it gives in KL >= 0."""

from __future__ import annotations

import math

import numpy as np

WRITTEN_ANSWER = """\
log is strictly concave, so Jensen gives E_P[log Z] <= log E_P[Z] for Z = Q/P (over the
outcomes with p > 0), with equality iff Z is constant P-almost surely. Hence
-KL(P||Q) = E_P[log Q/P] <= log E_P[Q/P] = log sum_{p>0} q <= log 1 = 0, so KL(P||Q) >= 0.
Equality needs Q/P constant on the support of P and sum_{p>0} q = 1, i.e. Q = P."""


def _vector(values, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D (got shape {array.shape})")
    if array.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} has a non-finite entry")
    return array


def _distribution(values, name: str) -> np.ndarray:
    array = _vector(values, name)
    if np.any(array < 0):
        raise ValueError(f"{name} has a negative entry")
    total = array.sum()
    if total <= 0:
        raise ValueError(f"{name} sums to 0 (all entries are zero)")
    return array / total


def jensen_gap_log(x, weights=None) -> float:
    """Return log E[x] - E[log x] (>= 0) for positive x under optional weights.

    Computed as log sum_i w_i exp(d_i) with d_i = log x_i - E[log x], which is >= 0 up to
    rounding and exactly 0 when every x with positive weight is the same; no cancellation
    between two large logarithms.
    """
    values = _vector(x, "x")
    if np.any(values <= 0):
        raise ValueError("x must be positive (log x is undefined for x <= 0)")
    if weights is None:
        w = np.full(values.shape, 1.0 / values.size)
    else:
        w = _distribution(weights, "weights")
        if w.shape != values.shape:
            raise ValueError(f"x and weights have different shapes {values.shape} and "
                             f"{w.shape}")
    support = w > 0
    values, w = values[support], w[support]
    if np.all(values == values[0]):
        return 0.0
    logs = np.log(values)
    deviations = logs - np.sum(w * logs)
    gap = math.log1p(float(np.sum(w * np.expm1(deviations))))
    return max(gap, 0.0)


def neg_kl_via_jensen(p, q) -> tuple[float, float]:
    """Return (E_P[log Q/P], log E_P[Q/P]), both over the outcomes with p > 0.

    The first is -KL(P||Q) (-inf where q = 0 < p); the second is log of the mass Q puts on
    the support of P, log sum_{p>0} q, which is <= 0 (0 when Q lives on P's support).
    """
    p_arr, q_arr = _distribution(p, "p"), _distribution(q, "q")
    if p_arr.shape != q_arr.shape:
        raise ValueError(f"p and q have different shapes {p_arr.shape} and {q_arr.shape}")
    support = p_arr > 0
    ps, qs = p_arr[support], q_arr[support]
    outside = float(np.sum(q_arr[~support]))
    inside = float(np.sum(qs))
    if inside == 0:
        return -math.inf, -math.inf
    # log(1 - mass outside P's support): exactly 0 when there is none
    rhs = min(math.log1p(-outside) if outside < 0.5 else math.log(inside), 0.0)
    if np.any(qs == 0):
        return -math.inf, rhs
    kl = max(float(np.sum(ps * (np.log(ps) - np.log(qs)))), 0.0)
    return min(-kl, rhs) + 0.0, rhs + 0.0
