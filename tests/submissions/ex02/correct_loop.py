"""Exercise 2, correct: plain Python, log N minus the entropy summed in a loop."""

import math

WRITTEN_ANSWER = """KL(p || u) = sum p log(N p) = log N - H(p) >= 0 by Gibbs' inequality,
with equality iff p = u."""


def uniform_entropy(n, base=math.e):
    if n < 1:
        raise ValueError("n < 1: no outcome")
    return math.log(n, base)


def entropy_gap_to_uniform(p):
    p = [float(x) for x in p]
    if not p:
        raise ValueError("empty p")
    if any(x < 0 for x in p):
        raise ValueError("negative probability")
    total = sum(p)
    if total == 0:
        raise ValueError("all probabilities are zero")
    h = 0.0
    for x in p:
        if x > 0:
            h -= (x / total) * math.log(x / total)
    return math.log(len(p)) - h
