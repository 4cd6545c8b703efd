"""Exercise 11, a correct solution written differently: scipy.special.xlogy, plt.subplots."""

import matplotlib.pyplot as plt
import numpy as np
from scipy.special import xlogy


def _check(x, name):
    x = np.asarray(x, dtype=float)
    if np.any(x < 0) or np.any(x > 1) or np.any(np.isnan(x)):
        raise ValueError(f"{name} must be in [0, 1]")
    return x


def binary_entropy(p, base=2.0):
    p = _check(p, "p")
    return -(xlogy(p, p) + xlogy(1 - p, 1 - p)) / np.log(base)


def binary_cross_entropy(p, q, base=2.0):
    p, q = _check(p, "p"), _check(q, "q")
    if p.ndim > 0 and q.ndim > 0 and p.shape != q.shape:
        raise ValueError("p and q have different shapes")
    return -(xlogy(p, q) + xlogy(1 - p, 1 - q)) / np.log(base)


def cross_entropy_argmin(p, q_grid):
    grid = _check(q_grid, "q_grid")
    _check(p, "p")
    if grid.size == 0:
        raise ValueError("empty grid")
    return float(grid[np.argmin(binary_cross_entropy(p, grid))])


def plot_binary_entropy():
    p = np.linspace(0.01, 0.99, 200)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(p, binary_entropy(p), color="C1")
    ax.axvline(0.5, color="gray", linestyle=":")
    ax.set_xlabel("$p$")
    ax.set_ylabel("$H(p)$ [bits]")
    return fig
