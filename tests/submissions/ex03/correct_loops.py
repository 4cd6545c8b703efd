"""Exercise 3, correct: plain Python loops, the cross-entropy summed on its own."""

import math

WRITTEN_ANSWER = """For p_i > 0: -log q_i = -log p_i + log(p_i / q_i); weight by p_i and sum:
H(P,Q) = H(P) + KL(P||Q). By Jensen, -KL = sum p log(q/p) <= log sum q <= 0, with
equality iff q/p is constant on the support and Q has no mass elsewhere, i.e. Q = P."""


def _normalise(weights, name):
    weights = [float(w) for w in weights]
    if not weights:
        raise ValueError(f"{name} is empty")
    if any(w < 0 for w in weights):
        raise ValueError(f"{name} has a negative entry")
    total = sum(weights)
    if total == 0:
        raise ValueError(f"{name} is all zeros")
    return [w / total for w in weights]


def cross_entropy_decomposition(p, q):
    p, q = _normalise(p, "p"), _normalise(q, "q")
    if len(p) != len(q):
        raise ValueError("p and q have different lengths")
    h = kl = ce = 0.0
    for pi, qi in zip(p, q, strict=True):
        if pi == 0:
            continue
        h -= pi * math.log(pi)
        if qi == 0:
            kl = ce = math.inf
        elif ce != math.inf:
            kl += pi * math.log(pi / qi)
            ce -= pi * math.log(qi)
    return h, kl, ce
