"""Exercise 8 (reference): independence and mutual information of a joint table."""

from __future__ import annotations

import math

import numpy as np

WRITTEN_ANSWER = """\
I(X;Y) = KL(P_XY || P_X P_Y) = sum_{x,y: p(x,y)>0} p(x,y) log(p(x,y) / (p(x) p(y))).
If X and Y are independent, p(x,y) = p(x) p(y) for all x, y, so every log is log 1 = 0 and
I = 0. Conversely, I is a KL divergence, so I >= 0 (Gibbs' inequality, by Jensen) with
equality iff the two distributions are equal: I = 0 forces p(x,y) = p(x) p(y) for every
cell, which is independence. (A cell with p(x,y) = 0 < p(x) p(y) makes the KL positive,
so it cannot occur when I = 0.)"""


def _joint(joint) -> np.ndarray:
    """Validate a 2-D table of non-negative weights and normalise it to sum to 1."""
    table = np.asarray(joint, dtype=np.float64)
    if table.ndim != 2:
        raise ValueError(f"joint must be a 2-D table P(X=i, Y=j) (got shape {table.shape})")
    if table.size == 0:
        raise ValueError(f"joint is empty (shape {table.shape})")
    if not np.all(np.isfinite(table)):
        raise ValueError("joint has a non-finite entry")
    if np.any(table < 0):
        raise ValueError("joint has a negative entry")
    total = table.sum()
    if total <= 0:
        raise ValueError("joint sums to 0 (all entries are zero)")
    return table / total


def _scale(base) -> float:
    if base is None:
        return 1.0
    if not base > 0 or base == 1 or math.isinf(base):
        raise ValueError(f"base must be positive, finite and not 1 (got {base!r})")
    return math.log(base)


def product_of_marginals(joint) -> np.ndarray:
    """Return the table P(X=i) P(Y=j) of the normalised joint (rows are X, columns Y)."""
    table = _joint(joint)
    return np.outer(table.sum(axis=1), table.sum(axis=0))


def mutual_information(joint, base=math.e) -> float:
    """Return I(X;Y) = KL(P_XY || P_X P_Y), >= 0; nats unless ``base`` is given.

    Summed over the cells with p(x, y) > 0 as p (log p - log p(x) - log p(y)); where
    p(x, y) > 0 the marginals are > 0 too, so the KL is always finite.
    """
    table = _joint(joint)
    px, py = table.sum(axis=1), table.sum(axis=0)
    rows, cols = np.nonzero(table > 0)
    cells = table[rows, cols]
    terms = cells * (np.log(cells) - np.log(px[rows]) - np.log(py[cols]))
    value = max(float(np.sum(terms)), 0.0)
    return value / _scale(base)


def is_independent(joint, tol=1e-10) -> bool:
    """Return True iff the mutual information (nats) is at most ``tol``."""
    if not tol >= 0:
        raise ValueError(f"tol must be >= 0 (got {tol!r})")
    return bool(mutual_information(joint) <= tol)
