"""Exercise 11, a correct solution written differently: math per element, Figure()."""

import math

import numpy as np
from matplotlib.figure import Figure


def _plogq(a, b, base):
    if a == 0:
        return 0.0
    if b == 0:
        return -math.inf
    return a * math.log(b, base)


def _valid(x, name):
    if not 0 <= x <= 1:
        raise ValueError(f"{name}={x} is not a probability")


def binary_entropy(p, base=2.0):
    arr = np.array(p, dtype=float)
    out = np.empty_like(arr)
    for i, x in np.ndenumerate(arr):
        _valid(x, "p")
        out[i] = -(_plogq(x, x, base) + _plogq(1 - x, 1 - x, base)) + 0.0
    return out


def binary_cross_entropy(p, q, base=2.0):
    pa, qa = np.array(p, dtype=float), np.array(q, dtype=float)
    if pa.shape and qa.shape and pa.shape != qa.shape:
        raise ValueError(f"shapes {pa.shape} and {qa.shape} differ")
    pa, qa = np.broadcast_arrays(pa, qa)
    out = np.empty(pa.shape)
    for i in np.ndindex(pa.shape):
        _valid(pa[i], "p")
        _valid(qa[i], "q")
        out[i] = -(_plogq(pa[i], qa[i], base) + _plogq(1 - pa[i], 1 - qa[i], base)) + 0.0
    return out


def cross_entropy_argmin(p, q_grid):
    grid = [float(q) for q in q_grid]
    if not grid:
        raise ValueError("q_grid is empty")
    values = binary_cross_entropy(p, grid)
    best = min(range(len(grid)), key=lambda i: values[i])
    return grid[best]


def plot_binary_entropy():
    fig = Figure()
    ax = fig.add_subplot(1, 1, 1)
    p = np.arange(0.01, 1.0, 0.01)
    ax.plot(p, binary_entropy(p), "k-", label="binary entropy")
    ax.set(xlabel="probability of heads p", ylabel="entropy (bits)", title="H(p, 1-p)")
    ax.legend()
    return fig
