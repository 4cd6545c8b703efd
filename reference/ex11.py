"""Exercise 11 (reference): binary entropy and binary cross-entropy curves."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # imported where a figure is drawn: grading the values needs no matplotlib
    from matplotlib.figure import Figure

PLOT_GRID = np.linspace(0.01, 0.99, 99)


def _probabilities(x, name: str) -> np.ndarray:
    """Return ``x`` as a float array; ValueError unless every entry lies in [0, 1]."""
    array = np.asarray(x, dtype=np.float64)
    if array.size and not np.all((array >= 0.0) & (array <= 1.0)):  # nan fails too
        raise ValueError(f"{name} must lie in [0, 1] (got values outside it)")
    return array


def _scale(base) -> float:
    base = float(base)
    if not base > 0 or base == 1 or not math.isfinite(base):
        raise ValueError(f"base must be positive, finite and not 1 (got {base})")
    return math.log(base)


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x * log y`` with ``0 * log y = 0`` whatever y (also y = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 0.0, x * np.log(y))


def binary_entropy(p, base=2.0) -> np.ndarray:
    """H(p, 1 - p) = -p log p - (1 - p) log(1 - p); bits by default, 0 at p in {0, 1}."""
    p_arr = _probabilities(p, "p")
    q_arr = 1.0 - p_arr
    value = -(_xlogy(p_arr, p_arr) + _xlogy(q_arr, q_arr)) / _scale(base)
    return np.asarray(np.maximum(value, 0.0) + 0.0)  # no -0.0


def binary_cross_entropy(p, q, base=2.0) -> np.ndarray:
    """H((p, 1-p), (q, 1-q)) = -p log q - (1-p) log(1-q); +inf where q in {0, 1} and p differs."""
    p_arr, q_arr = _probabilities(p, "p"), _probabilities(q, "q")
    if p_arr.ndim and q_arr.ndim and p_arr.shape != q_arr.shape:
        raise ValueError(f"p and q have different shapes {p_arr.shape} and {q_arr.shape}")
    p_arr, q_arr = np.broadcast_arrays(p_arr, q_arr)
    value = -(_xlogy(p_arr, q_arr) + _xlogy(1.0 - p_arr, 1.0 - q_arr)) / _scale(base)
    return np.asarray(value + 0.0)


def cross_entropy_argmin(p, q_grid) -> float:
    """The q of the grid with the smallest H((p, 1-p), (q, 1-q)) (the first one on a tie)."""
    p_arr = _probabilities(p, "p")
    if p_arr.ndim != 0:
        raise ValueError(f"p must be a single probability (got shape {p_arr.shape})")
    grid = _probabilities(q_grid, "q_grid").reshape(-1)
    if grid.size == 0:
        raise ValueError("q_grid is empty")
    return float(grid[int(np.argmin(binary_cross_entropy(p_arr, grid)))])


def plot_binary_entropy() -> Figure:
    """H(p, 1 - p) in bits against p for p in [0.01, 0.99]."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5, 3.5))
    axes = figure.add_subplot()
    axes.plot(PLOT_GRID, binary_entropy(PLOT_GRID), label="H(p, 1 - p)")
    axes.set_xlabel("p")
    axes.set_ylabel("binary entropy H(p, 1 - p) (bits)")
    axes.set_title("Binary entropy: maximal (1 bit) at p = 0.5")
    axes.grid(alpha=0.3)
    figure.subplots_adjust(left=0.14, bottom=0.15)  # room for the labels
    return figure
