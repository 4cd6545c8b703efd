"""Exercise 11: binary entropy and cross-entropy curves (6 points).

A coin that lands heads with probability ``p`` has the binary entropy

    H(p, 1 - p) = -p log p - (1 - p) log(1 - p),

and a model that predicts heads with probability ``q`` pays the binary cross-entropy

    H((p, 1 - p), (q, 1 - q)) = -p log q - (1 - p) log(1 - q).

Implement both, find the ``q`` that minimises the cross-entropy, and plot the entropy curve.

Conventions:

- Units: **bits** by default (``base=2.0``, i.e. ``log2``); ``base=math.e`` gives nats,
  ``base=10`` hartleys.
- Vectorised: ``p`` and ``q`` may be Python floats, lists or NumPy arrays of any shape; the
  result is an ``np.ndarray`` of the same shape. A scalar input gives a 0-d array
  (``np.asarray(value)``; a Python float is accepted too).
- ``0 * log 0 = 0``: the entropy is exactly 0 at ``p = 0`` and ``p = 1`` (not ``nan``).
  Careful: in floating point ``0 * np.log(0)`` is ``nan``; use ``np.where`` or
  ``scipy.special.xlogy``.
- The cross-entropy is ``+inf`` (``np.inf``) where ``q`` is 0 or 1 and ``p`` differs from
  it, and 0 where ``q = p`` is 0 or 1. Do not clip ``q`` with an epsilon: the exact value
  is infinite.
- Raise ``ValueError`` (with a message that names the problem) when ``p`` or ``q`` has an
  entry outside [0, 1], when ``p`` and ``q`` are two arrays of different shapes (a scalar
  against an array is fine: it is broadcast), and when ``q_grid`` is empty.

Points (6), one line per check:

- 1    binary_entropy matches scipy on grids of p in (0, 1), in bits
- 0.5  ValueError for p or q outside [0, 1], arrays of different shapes and an empty grid
- 0.5  base= changes the unit and a scalar gives a 0-d result
- 1    binary_cross_entropy matches the reference on grids, scalar against array included
- 1    the ends p, q in {0, 1}: entropy 0, cross-entropy 0 where q = p and +inf where p differs
- 0.5  cross_entropy_argmin returns the q of the grid minimising the cross-entropy (q = p)
- 1    plot_binary_entropy draws H(p, 1-p) in bits for p in [0.01, 0.99]
- 0.5  plot_binary_entropy labels both axes
"""

import numpy as np  # noqa: F401  (you will need it)


def binary_entropy(p, base=2.0):
    """Return H(p, 1 - p) elementwise, in bits unless ``base`` says otherwise.

    >>> float(binary_entropy(0.5))
    1.0
    >>> binary_entropy([0.0, 1.0]).tolist()
    [0.0, 0.0]
    """
    raise NotImplementedError


def binary_cross_entropy(p, q, base=2.0):
    """Return H((p, 1 - p), (q, 1 - q)) = -p log q - (1 - p) log(1 - q) elementwise.

    It is smallest, and equal to the entropy H(p, 1 - p), at ``q = p``.

    >>> float(binary_cross_entropy(0.5, 0.5))
    1.0
    >>> binary_cross_entropy(0.3, [0.0, 0.3, 1.0])[[0, 2]].tolist()
    [inf, inf]
    """
    raise NotImplementedError


def cross_entropy_argmin(p, q_grid):
    """Return, as a float, the value of ``q_grid`` that minimises the cross-entropy.

    ``p`` is one probability and ``q_grid`` a 1-D array-like of candidate values of q.
    Return the grid's q (not its index, not the minimal cross-entropy); on a tie, the first
    one. The answer is the grid point at (or next to) ``p``: the cross-entropy
    H(P, Q) = H(P) + KL(P||Q) is smallest when Q = P.
    """
    raise NotImplementedError


def plot_binary_entropy():
    """Plot H(p, 1 - p) in bits against p for p in [0.01, 0.99]; return the Figure.

    - Draw one line (``ax.plot``, not ``scatter``) with at least 50 points spanning
      [0.01, 0.99], e.g. ``np.linspace(0.01, 0.99, 99)``, with ``p`` on the x-axis.
    - Label both axes (``ax.set_xlabel``, ``ax.set_ylabel``; say the unit: bits).
    - Return the ``matplotlib.figure.Figure`` (``fig, ax = plt.subplots()`` ... ``return fig``),
      not ``None``, not the Axes. Do not call ``plt.show()``.
    """
    raise NotImplementedError
