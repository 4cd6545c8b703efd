"""Exercise 1, correct: surprisal as log(1/p), the answers as other formulas."""

import math


def surprisal(p, base=2.0):
    if not (0 < p <= 1):
        raise ValueError(f"surprisal needs 0 < p <= 1, got {p}")
    return math.log(1 / p, base)


def die_face_surprisal_bits():
    return surprisal(1 / 6)


def rolls_for_one_bit():
    # one roll carries log2 6 bits; one bit is log6 2 rolls
    return math.log(2, 6)
