"""Exercise 11, golden submission: natural log by default (nats where bits are asked)."""

import math

import matplotlib.pyplot as plt
import numpy as np


def _probabilities(x, name):
    x = np.asarray(x, dtype=float)
    if np.any((x < 0) | (x > 1)):
        raise ValueError(f"{name} must be in [0, 1]")
    return x


def _xlogy(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(a == 0, 0.0, a * np.log(b))


def binary_entropy(p, base=math.e):
    p = _probabilities(p, "p")
    return -(_xlogy(p, p) + _xlogy(1 - p, 1 - p)) / math.log(base)


def binary_cross_entropy(p, q, base=math.e):
    p, q = _probabilities(p, "p"), _probabilities(q, "q")
    if p.ndim and q.ndim and p.shape != q.shape:
        raise ValueError("p and q have different shapes")
    return -(_xlogy(p, q) + _xlogy(1 - p, 1 - q)) / math.log(base)


def cross_entropy_argmin(p, q_grid):
    grid = _probabilities(q_grid, "q_grid")
    if grid.size == 0:
        raise ValueError("q_grid is empty")
    return float(grid[np.argmin(binary_cross_entropy(p, grid))])


def plot_binary_entropy():
    p = np.linspace(0.01, 0.99, 99)
    fig, ax = plt.subplots()
    ax.plot(p, binary_entropy(p))
    ax.set_xlabel("p")
    ax.set_ylabel("H(p, 1 - p) (bits)")
    return fig
