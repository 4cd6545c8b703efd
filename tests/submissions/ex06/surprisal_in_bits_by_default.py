"""Exercise 6 with surprisal in bits by default (log2), so nats and bits come out swapped."""

import math


def token_surprisal(p, base=2):
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
    mean = rare_rate * token_surprisal(p_rare, math.e) + (1 - rare_rate) * token_surprisal(
        p_common, math.e)
    return math.exp(mean)


def answers():
    return {"surprisal_nats": token_surprisal(0.001),
            "surprisal_bits": token_surprisal(0.001, math.e),
            "perplexity": mixture_perplexity(0.001, 0.05, 0.5)}
