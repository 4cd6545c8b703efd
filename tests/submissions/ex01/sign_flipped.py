"""Exercise 1, with surprisal = log p (negative) instead of -log p."""

import math


def surprisal(p, base=2.0):
    if not 0 < p <= 1:
        raise ValueError("p must be in (0, 1]")
    return math.log(p, base)


def die_face_surprisal_bits():
    return math.log2(1 / 6)


def rolls_for_one_bit():
    return 1 / math.log2(6)
