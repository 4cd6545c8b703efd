"""Exercise 12, a correct solution written differently: labelled lines and fig.legend()."""

import math

import numpy as np
from matplotlib.figure import Figure


def _term(a, b):
    """a log(a / b) for floats, with the conventions of KL."""
    if a == 0:
        return 0.0
    if b == 0:
        return math.inf
    return a * math.log(a / b)


def kl_curves(p=(0.8, 0.2), q_grid=None):
    p1, p2 = (float(v) for v in p)   # ValueError unless exactly two entries
    if not (0 <= p1 <= 1 and 0 <= p2 <= 1) or abs(p1 + p2 - 1) > 1e-9:
        raise ValueError("p must be two probabilities summing to 1")
    grid = np.linspace(0.01, 0.99, 99) if q_grid is None else np.array(q_grid, dtype=float)
    forward, reverse = [], []
    for q in grid:
        if not 0 <= q <= 1:
            raise ValueError(f"q = {q} is outside [0, 1]")
        forward.append(_term(p1, q) + _term(p2, 1 - q))
        reverse.append(_term(q, p1) + _term(1 - q, p2))
    return grid, np.array(forward), np.array(reverse)


def plot_kl_asymmetry(p=(0.8, 0.2)):
    fig = Figure(figsize=(6, 4))
    ax = fig.add_subplot()
    q, forward, reverse = kl_curves(p, np.linspace(0.01, 0.99, 250))
    ax.plot(q, forward, label="KL(P||Q) (forward)")
    ax.plot(q, reverse, label="KL(Q||P) (reverse)")
    fig.legend(loc="upper center")
    ax.set_xlabel("q")
    ax.set_ylabel("nats")
    return fig
