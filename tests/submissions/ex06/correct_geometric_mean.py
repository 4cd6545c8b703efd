"""Exercise 6, a correct solution written differently: geometric mean, hand-worked answers."""

import math

import numpy as np


def _check_p(p, name="p"):
    if not (0 < p <= 1):
        raise ValueError(f"{name} must be in (0, 1], got {p}")


def token_surprisal(p, base=math.e):
    _check_p(p)
    if base <= 0 or base == 1:
        raise ValueError("bad base")
    if base == 2:
        return float(-np.log2(p))
    return float(np.log(1.0 / p) / np.log(base))


def mixture_perplexity(p_rare, rare_rate, p_common):
    _check_p(p_rare, "p_rare")
    _check_p(p_common, "p_common")
    if not 0 <= rare_rate <= 1:
        raise ValueError("rare_rate must be in [0, 1]")
    # the geometric mean of 1/p, weighted by the token rates
    return (1.0 / p_rare) ** rare_rate * (1.0 / p_common) ** (1.0 - rare_rate)


def answers():
    # worked out by hand to four significant digits
    return {"surprisal_nats": 6.908, "surprisal_bits": 9.966, "perplexity": 2.729}
