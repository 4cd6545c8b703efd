"""Exercise 1, without the ValueError: any p gets a number (inf or nan)."""

import numpy as np


def surprisal(p, base=2.0):
    with np.errstate(all="ignore"):
        return float(-np.log(p) / np.log(base))


def die_face_surprisal_bits():
    return float(np.log2(6))


def rolls_for_one_bit():
    return float(1 / np.log2(6))
