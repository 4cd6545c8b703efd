"""Exercise 1, with the chapter's "safe" log(p + 1e-12): tiny surprisals are capped."""

import numpy as np


def surprisal(p, base=2.0):
    if not 0 < p <= 1:
        raise ValueError("p must be in (0, 1]")
    return float(-np.log(p + 1e-12) / np.log(base))


def die_face_surprisal_bits():
    return float(np.log2(6))


def rolls_for_one_bit():
    return float(1 / np.log2(6))
