"""Exercise 1, with the natural log everywhere: nats where bits are asked."""

import math


def surprisal(p, base=2.0):
    if not 0 < p <= 1:
        raise ValueError("p must be in (0, 1]")
    return -math.log(p)


def die_face_surprisal_bits():
    return math.log(6)


def rolls_for_one_bit():
    return 1 / math.log(6)
