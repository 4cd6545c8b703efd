"""Exercise 2: the maximum of entropy (5 points, plus a written proof).

Among all laws on ``N`` outcomes, the uniform law ``u = (1/N, ..., 1/N)`` has the largest
entropy: ``H(p) <= log N`` for every ``p``, with equality exactly when ``p = u``. The
gap ``log N - H(p)`` measures how far ``p`` is from "knowing nothing"; it is the KL
divergence ``KL(p || u) = sum_i p_i log(p_i / (1/N))``, which is >= 0.

What to write
-------------
- ``uniform_entropy(n, base=math.e)``: the entropy of the uniform law on ``n`` outcomes,
  as a Python ``float`` (a NumPy scalar is accepted). **Nats by default** (natural log,
  ``base=math.e``); ``base=2`` gives bits, ``base=10`` hartleys. ``n`` is a whole number
  of outcomes (a Python ``int``, possibly huge such as ``2**40``); ``n = 1`` (a single,
  certain outcome) gives 0. Raise ``ValueError`` with a message that names the problem
  for ``n < 1`` (a law needs at least one outcome); a ``base`` that is not positive or
  is 1 is invalid too.
- ``entropy_gap_to_uniform(p)``: ``log N - H(p)`` in nats, for the law ``p`` on ``N``
  outcomes, as a ``float``. It is >= 0, and 0 only for the uniform law.

  - ``p`` is a 1-D array-like (list, tuple or NumPy array) of non-negative weights. It is
    normalised to sum to 1 first, as ``scipy.stats.entropy`` does: ``[3, 1, 0, 4]``
    means ``[3/8, 1/8, 0, 4/8]``.
  - ``N = len(p)`` counts every outcome, including those of probability 0:
    ``[0.5, 0.5, 0, 0]`` is a law on 4 outcomes, its gap is ``log 4 - log 2 = log 2``.
  - ``0 * log 0 = 0``: zero probabilities contribute nothing to ``H(p)`` (no ``nan``).
    A certain outcome (one entry 1, the others 0) has ``H = 0`` and gap ``log N``.
  - Raise ``ValueError`` with a message that names the problem for a negative entry, an
    empty ``p`` and an all-zero ``p``.

Written part (graded by the instructor): in ``WRITTEN_ANSWER`` below, prove that
``H(p) <= log N`` for every law on ``N`` outcomes, with equality if and only if ``p`` is
uniform, and show that the gap ``log N - H(p)`` equals ``KL(p || u)``. Plain text is
fine; if you type LaTeX with backslashes, make the string a raw string (prefix ``r``).

Points (5; the written part is graded by hand):
- 0.5   ValueError for n < 1 and for negative, empty or all-zero p
- 1     the uniform law has the maximum entropy: gap >= 0, = KL(p||uniform), 0 only for it
- 1     uniform_entropy(n) is log n nats
- 0.5   uniform_entropy(n, base) for base 2 and 10
- 1     entropy_gap_to_uniform(p) is log N - H(p) in nats
- 0.5   entropy_gap_to_uniform with zero probabilities and a certain outcome
- 0.5   entropy_gap_to_uniform normalises unnormalised weights first
"""

import math

import numpy as np  # noqa: F401  (you will need it)

WRITTEN_ANSWER = """(Write your answer here.)"""


def uniform_entropy(n, base=math.e):
    """Return the entropy of the uniform law on n outcomes (nats by default).

    >>> round(float(uniform_entropy(8, base=2)), 6)
    3.0
    """
    raise NotImplementedError


def entropy_gap_to_uniform(p):
    """Return log N - H(p) in nats for the law p (weights, normalised first) on N = len(p)."""
    raise NotImplementedError
