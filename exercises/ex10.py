"""Exercise 10: entropy, cross-entropy and KL divergence from scratch (8 points).

Implement the three quantities with NumPy only (no ``scipy.stats`` inside). The grader
compares them with its reference and with ``scipy.stats.entropy`` on random
distributions of many sizes.

Conventions (the same as ``scipy.stats.entropy``):

- ``p`` and ``q`` are 1-D array-likes (list, tuple or NumPy array) of non-negative
  weights. They are normalised to sum to 1 first, so ``[1, 1, 2]`` means
  ``[0.25, 0.25, 0.5]``.
- Natural logarithm (nats) by default; ``base=2`` gives bits, ``base=10`` hartleys.
- ``0 * log 0 = 0``: outcomes with ``p = 0`` contribute nothing.
- Where ``q = 0 < p`` the cross-entropy and the KL divergence are ``+inf``
  (``math.inf``), not ``nan``.
- Return a Python ``float`` (a NumPy scalar is accepted).
- Raise ``ValueError`` with a message that names the problem for a negative entry, for
  ``p`` and ``q`` of different shapes, for an empty input and for an all-zero input.

Points (8):
- 1.5  entropy matches scipy.stats.entropy
- 1.5  kl_divergence matches scipy.stats.entropy(p, q)
- 1    ValueError for negative entries, mismatched shapes, empty or all-zero input
- 1.5  cross_entropy matches the reference and H(P) + KL from scipy
- 1    zero probabilities: 0 log 0 = 0, and infinity where q = 0 < p
- 0.5  unnormalised weights are normalised first, as scipy.stats.entropy does
- 0.5  base=2 gives bits and base=10 gives hartleys
- 0.5  H(P,Q) = H(P) + KL(P||Q) holds between your three functions
"""

import numpy as np  # noqa: F401  (you will need it)


def entropy(p, base=None):
    """Return the entropy H(P) = -sum_i p_i log p_i.

    >>> round(float(entropy([0.5, 0.5], base=2)), 6)
    1.0
    """
    raise NotImplementedError


def cross_entropy(p, q, base=None):
    """Return the cross-entropy H(P, Q) = -sum_i p_i log q_i (= H(P) + KL(P||Q)).

    Careful: ``scipy.stats.entropy(p, q)`` is the KL divergence, not the cross-entropy.
    """
    raise NotImplementedError


def kl_divergence(p, q, base=None):
    """Return the Kullback-Leibler divergence KL(P||Q) = sum_i p_i log(p_i / q_i).

    It is >= 0, is 0 exactly when P = Q, and is not symmetric: KL(P||Q) != KL(Q||P).
    """
    raise NotImplementedError
