"""Exercise 1, with log2 6 and 1 / log2 6 the wrong way round."""

import math


def surprisal(p, base=2.0):
    if p <= 0 or p > 1:
        raise ValueError(f"p = {p} is not a probability in (0, 1]")
    return -math.log(p) / math.log(base)


def die_face_surprisal_bits():
    return 1 / math.log2(6)


def rolls_for_one_bit():
    return math.log2(6)
