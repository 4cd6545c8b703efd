"""Exercise 12, a correct solution written differently: scipy.special.rel_entr, plt.subplots."""

import matplotlib.pyplot as plt
import numpy as np
from scipy.special import rel_entr


def kl_curves(p=(0.8, 0.2), q_grid=None):
    p = np.asarray(p, dtype=float)
    if p.shape != (2,) or np.any(p < 0) or np.any(p > 1) or not np.isclose(p.sum(), 1):
        raise ValueError(f"p must be a pair of probabilities summing to 1, got {p}")
    q = np.linspace(0.01, 0.99, 99) if q_grid is None else np.asarray(q_grid, dtype=float)
    if np.any(q < 0) or np.any(q > 1):
        raise ValueError("q_grid must lie in [0, 1]")
    Q = np.stack([q, 1 - q], axis=1)          # (n, 2)
    forward = rel_entr(p, Q).sum(axis=1)      # KL(P||Q)
    reverse = rel_entr(Q, p).sum(axis=1)      # KL(Q||P)
    return q, forward, reverse


def plot_kl_asymmetry(p=(0.8, 0.2)):
    q, forward, reverse = kl_curves(p)
    fig, ax = plt.subplots()
    ax.plot(q, forward, label=r"$D_{\mathrm{KL}}(P \,\|\, Q)$")
    ax.plot(q, reverse, label=r"$D_{\mathrm{KL}}(Q \,\|\, P)$")
    ax.axvline(p[0], color="gray", ls=":")
    ax.set_xlabel("$q$")
    ax.set_ylabel("divergence [nats]")
    ax.set_yscale("log")
    plt.legend()
    return fig
