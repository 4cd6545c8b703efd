"""Exercise 6 (reference): surprisal of a rare token and the perplexity of a mixture."""

from __future__ import annotations

import math
import numbers

#: The exercise's numbers: a token of probability 0.001; 5 % of tokens at 0.001, 95 % at 0.5.
P_TOKEN = 0.001
RARE_RATE, P_RARE, P_COMMON = 0.05, 0.001, 0.5


def _real(value, name: str) -> float:
    """Return a real scalar as a float; ValueError for anything else (arrays, nan, bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number (got {value!r})")
    number = float(value)
    if math.isnan(number):
        raise ValueError(f"{name} is nan")
    return number


def _probability(p, name: str) -> float:
    number = _real(p, name)
    if not 0.0 < number <= 1.0:
        raise ValueError(f"{name} must be a probability in (0, 1] (got {number!r})")
    return number


def _log_base(base) -> float:
    number = _real(base, "base")
    if not number > 0.0 or number == 1.0 or math.isinf(number):
        raise ValueError(f"base must be positive, finite and not 1 (got {number!r})")
    return math.log(number)


def token_surprisal(p, base=math.e) -> float:
    """Return -log_base(p), the surprisal of a token the model gave probability p."""
    probability = _probability(p, "p")
    value = -math.log(probability) / _log_base(base)
    return value + 0.0  # -0.0 (p = 1) becomes 0.0


def mixture_perplexity(p_rare, rare_rate, p_common) -> float:
    """Return exp of the mean surprisal (nats) when a fraction rare_rate of tokens get p_rare."""
    rare = _probability(p_rare, "p_rare")
    common = _probability(p_common, "p_common")
    rate = _real(rare_rate, "rare_rate")
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"rare_rate must be a fraction in [0, 1] (got {rate!r})")
    mean_surprisal = -(rate * math.log(rare) + (1.0 - rate) * math.log(common))
    return math.exp(mean_surprisal)


def answers() -> dict[str, float]:
    """The exercise's three numbers (nats, bits, perplexity)."""
    return {
        "surprisal_nats": token_surprisal(P_TOKEN),             # ln 1000 = 6.907755
        "surprisal_bits": token_surprisal(P_TOKEN, base=2.0),   # log2 1000 = 9.965784
        "perplexity": mixture_perplexity(P_RARE, RARE_RATE, P_COMMON),  # 2.728843
    }
