"""Exercise 6 whose perplexity is 2 ** (mean surprisal in nats): the bases do not match."""

import math


def token_surprisal(p, base=math.e):
    if not 0 < p <= 1:
        raise ValueError("p must be in (0, 1]")
    if base <= 0 or base == 1:
        raise ValueError("bad base")
    return -math.log(p) / math.log(base)


def mixture_perplexity(p_rare, rare_rate, p_common):
    for p in (p_rare, p_common):
        if not 0 < p <= 1:
            raise ValueError("probabilities must be in (0, 1]")
    if not 0 <= rare_rate <= 1:
        raise ValueError("rare_rate must be in [0, 1]")
    mean = rare_rate * token_surprisal(p_rare) + (1 - rare_rate) * token_surprisal(p_common)
    return 2 ** mean


def answers():
    return {"surprisal_nats": token_surprisal(0.001),
            "surprisal_bits": token_surprisal(0.001, 2),
            "perplexity": mixture_perplexity(0.001, 0.05, 0.5)}
