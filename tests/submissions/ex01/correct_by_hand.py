"""Exercise 1, correct: numpy surprisal, the two answers typed in to four digits."""

import numpy as np


def surprisal(p, base=2.0):
    p = float(p)
    if p <= 0.0 or p > 1.0:
        raise ValueError("probability out of range (0, 1]")
    if base == 2.0:
        return float(-np.log2(p))
    return float(-np.log(p) / np.log(base))


def die_face_surprisal_bits():
    return 2.585


def rolls_for_one_bit():
    return 0.3869
