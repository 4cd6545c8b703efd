"""Exercise 1 (reference): the surprisal of a die roll."""

from __future__ import annotations

import math


def surprisal(p, base=2.0) -> float:
    """Return -log_base(p), in bits by default; ValueError unless 0 < p <= 1."""
    try:
        p = float(p)
    except (TypeError, ValueError):
        raise ValueError(f"p must be a probability (a number in (0, 1]), got {p!r}") from None
    if not 0.0 < p <= 1.0:  # also rejects nan
        raise ValueError(f"p must satisfy 0 < p <= 1 (got {p!r})")
    base = float(base)
    if not base > 0.0 or base == 1.0 or math.isinf(base):
        raise ValueError(f"base must be positive and not 1 (got {base!r})")
    # log(p) of a positive float is exact to an ulp even for subnormal p (no 1/p overflow,
    # no epsilon); "+ 0.0" turns the -0.0 of p = 1 into 0.0.
    if base == 2.0:
        return -math.log2(p) + 0.0
    return -math.log(p) / math.log(base) + 0.0


def die_face_surprisal_bits() -> float:
    """Return the surprisal of one face of a fair die in bits: -log2(1/6) = log2 6."""
    return math.log2(6.0)  # six equally likely faces: -log2(1/6)


def rolls_for_one_bit() -> float:
    """Return how many fair-die rolls carry 1 bit together: 1 / log2 6 (about 0.387)."""
    return 1.0 / math.log2(6.0)
