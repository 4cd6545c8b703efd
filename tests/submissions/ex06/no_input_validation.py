"""Exercise 6 with correct values but no checks of its input (no ValueError)."""

import math


def token_surprisal(p, base=math.e):
    return -math.log(p) / math.log(base) if p > 0 else math.inf


def mixture_perplexity(p_rare, rare_rate, p_common):
    return math.exp(-(rare_rate * math.log(p_rare) + (1 - rare_rate) * math.log(p_common)))


def answers():
    return {"surprisal_nats": token_surprisal(0.001),
            "surprisal_bits": token_surprisal(0.001, 2),
            "perplexity": mixture_perplexity(0.001, 0.05, 0.5)}
