"""Exercise 12: the asymmetry of KL (6 points).

Fix a binary distribution P = (p1, p2), by default (0.8, 0.2), and move Q = (q, 1 - q)
along a grid of q. Compute both directions of the Kullback-Leibler divergence,

    forward  KL(P||Q) = p1 log(p1 / q) + p2 log(p2 / (1 - q)),
    reverse  KL(Q||P) = q log(q / p1) + (1 - q) log((1 - q) / p2),

and plot them together. Both are 0 at Q = P (q = p1) and they cross again at q = p2 (Q is
P mirrored). Near q = 0 or q = 1 the forward KL blows up (Q gives almost no mass to an
outcome P finds likely) while the reverse KL stays bounded by max(log 1/p1, log 1/p2).

Conventions:

- Units: **nats** (natural log), as everywhere in this chapter unless a base is given.
- ``p`` is a pair ``(p1, p2)`` of probabilities in [0, 1] with p1 + p2 = 1 (a tuple, list or
  array); p1 is the probability of the outcome that Q gives probability q.
- ``q_grid`` is a 1-D array-like of values in [0, 1]; ``None`` means the default grid
  ``np.linspace(0.01, 0.99, 99)``. The ends are allowed.
- ``0 * log 0 = 0`` (the reverse KL is finite at q = 0 and q = 1: no ``nan``); a term
  ``p_i log(p_i / 0)`` with p_i > 0 is ``+inf`` (``np.inf``), so the forward KL is ``+inf``
  at q = 0 and q = 1. Use ``np.where`` or ``scipy.special.xlogy`` / ``rel_entr``.
- Raise ``ValueError`` (with a message that names the problem) when ``p`` is not a pair of
  probabilities in [0, 1] summing to 1, or when a value of ``q_grid`` is outside [0, 1].

Points (6), one line per check:

- 0.5  forward and reverse KL cross at q = p1 and q = 1 - p1 (0.8 and 0.2 for P = (0.8, 0.2))
- 0.5  ValueError for p or q outside [0, 1]
- 1    kl_curves() gives the default grid, KL(P||Q) and KL(Q||P) in nats for P = (0.8, 0.2)
- 1    kl_curves matches the reference for other P and other grids of q
- 1    the reverse KL(Q||P) stays finite as q -> 0 or 1 while the forward KL(P||Q) diverges
- 1    plot_kl_asymmetry draws KL(P||Q) and KL(Q||P) against q on one axes, in nats
- 0.5  the legend names each curve: forward KL(P||Q) and reverse KL(Q||P)
- 0.5  plot_kl_asymmetry labels both axes
"""

import numpy as np  # noqa: F401  (you will need it)


def kl_curves(p=(0.8, 0.2), q_grid=None):
    """Return ``(q_grid, forward, reverse)``: three 1-D ``np.ndarray`` of the same length.

    ``forward[i] = KL(P||Q_i)`` and ``reverse[i] = KL(Q_i||P)`` in nats, for
    ``Q_i = (q_grid[i], 1 - q_grid[i])``; ``q_grid`` is returned as an array (the default
    grid when it is None).

    >>> q, forward, reverse = kl_curves()
    >>> q.shape, float(forward[79]) < 1e-12   # q = 0.8: Q = P
    ((99,), True)
    """
    raise NotImplementedError


def plot_kl_asymmetry(p=(0.8, 0.2)):
    """Plot KL(P||Q) and KL(Q||P) against q on one axes; return the Figure.

    - Use the curves of ``kl_curves(p)`` (the default grid: q from 0.01 to 0.99, at least
      50 points), both drawn with ``ax.plot`` on the same axes, q on the x-axis, in nats.
    - Add a legend that names each curve so a reader can tell them apart, e.g.
      ``label="forward KL(P||Q)"`` and ``label="reverse KL(Q||P)"`` then ``ax.legend()``
      (the names must say which direction: "KL(P||Q)", "D_KL(P‖Q)", "forward"/"reverse"...).
    - Label both axes (``ax.set_xlabel``, ``ax.set_ylabel``; say the unit: nats).
    - Return the ``matplotlib.figure.Figure`` (``fig, ax = plt.subplots()`` ... ``return fig``),
      not ``None``, not the Axes. Do not call ``plt.show()``.
    """
    raise NotImplementedError
