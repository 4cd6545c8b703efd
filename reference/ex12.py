"""Exercise 12 (reference): the asymmetry of KL for a binary P and Q = (q, 1 - q)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # imported where a figure is drawn: grading the values needs no matplotlib
    from matplotlib.figure import Figure

DEFAULT_GRID = np.linspace(0.01, 0.99, 99)


def _pair(p) -> np.ndarray:
    """Validate P = (p1, p2): two probabilities in [0, 1] summing to 1."""
    array = np.asarray(p, dtype=np.float64)
    if array.shape != (2,):
        raise ValueError(f"p must be a pair (p1, p2) (got shape {array.shape})")
    if not np.all((array >= 0.0) & (array <= 1.0)):
        raise ValueError(f"the entries of p must lie in [0, 1] (got {array.tolist()})")
    if abs(array.sum() - 1.0) > 1e-9:
        raise ValueError(f"p must sum to 1 (got {array.sum():.12g})")
    return array


def _grid(q_grid) -> np.ndarray:
    if q_grid is None:
        return DEFAULT_GRID.copy()
    grid = np.array(q_grid, dtype=np.float64)
    if grid.ndim != 1 or grid.size == 0:
        raise ValueError(f"q_grid must be a non-empty 1-D array (got shape {grid.shape})")
    if not np.all((grid >= 0.0) & (grid <= 1.0)):
        raise ValueError("the values of q_grid must lie in [0, 1]")
    return grid


def _kl_term(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a log(a / b)`` elementwise with 0 log(0 / b) = 0 and a log(a / 0) = +inf (a > 0)."""
    a, b = np.broadcast_arrays(a, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = a * (np.log(a) - np.log(b))
    term = np.where(a == 0, 0.0, term)
    return np.where((a > 0) & (b == 0), np.inf, term)


def kl_curves(p=(0.8, 0.2), q_grid=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(q_grid, KL(P||Q), KL(Q||P))`` in nats for Q = (q, 1 - q) along the grid."""
    p1, p2 = _pair(p)
    q = _grid(q_grid)
    forward = _kl_term(np.float64(p1), q) + _kl_term(np.float64(p2), 1.0 - q)
    reverse = _kl_term(q, np.float64(p1)) + _kl_term(1.0 - q, np.float64(p2))
    return q, np.maximum(forward, 0.0), np.maximum(reverse, 0.0)


def plot_kl_asymmetry(p=(0.8, 0.2)) -> Figure:
    """Forward and reverse KL against q on one axes, with a legend and labelled axes."""
    from matplotlib.figure import Figure

    q, forward, reverse = kl_curves(p)
    figure = Figure(figsize=(5.5, 3.8))
    axes = figure.add_subplot()
    axes.plot(q, forward, label="forward KL(P‖Q)")
    axes.plot(q, reverse, label="reverse KL(Q‖P)", linestyle="--")
    axes.set_xlabel("q, where Q = (q, 1 - q)")
    axes.set_ylabel("KL divergence (nats)")
    p1 = float(np.asarray(p, dtype=np.float64)[0])
    axes.set_title(f"KL is not symmetric: P = ({p1:g}, {1 - p1:g})")
    axes.legend()
    axes.grid(alpha=0.3)
    figure.subplots_adjust(left=0.14, bottom=0.15)  # room for the labels
    return figure
