"""Exercise 3: the cross-entropy decomposes, H(P,Q) = H(P) + KL(P||Q) (5 points + proof).

For two laws ``P`` and ``Q`` on the same outcomes:

- the entropy ``H(P) = -sum_i p_i log p_i``;
- the KL divergence ``KL(P || Q) = sum_i p_i log(p_i / q_i)``, weighted by ``P``
  (``KL(Q || P)`` is a different number: KL is not symmetric);
- the cross-entropy ``H(P, Q) = -sum_i p_i log q_i``, the loss of a classifier that
  predicts ``Q`` when the truth is ``P``.

They are tied by ``H(P, Q) = H(P) + KL(P || Q) >= H(P)``, with equality exactly when
``Q = P``: a model can lower the cross-entropy only down to the entropy of the data.
Careful: ``scipy.stats.entropy(p, q)`` is the KL divergence, not the cross-entropy.

What to write
-------------
``cross_entropy_decomposition(p, q)`` returns the tuple
``(H(P), KL(P || Q), H(P, Q))`` of three Python ``float``s, in **nats** (natural log),
in that order.

- ``p`` and ``q`` are 1-D array-likes (list, tuple or NumPy array) of non-negative
  weights of the same length. Each is normalised to sum to 1 first, as
  ``scipy.stats.entropy`` does: ``[3, 1, 0, 4]`` means ``[3/8, 1/8, 0, 4/8]``.
- ``0 * log 0 = 0``: outcomes with ``p = 0`` contribute nothing (no ``nan``), whatever
  ``q`` is there.
- Where ``q = 0 < p``, ``KL(P || Q)`` and ``H(P, Q)`` are ``+inf`` (``math.inf``), not
  ``nan``; ``H(P)`` stays finite.
- Raise ``ValueError`` with a message that names the problem for a negative entry,
  ``p`` and ``q`` of different lengths, an empty input and an all-zero input.

Written part (graded by the instructor): in ``WRITTEN_ANSWER`` below, prove that
``H(P, Q) = H(P) + KL(P || Q)``, that ``KL(P || Q) >= 0`` (so ``H(P, Q) >= H(P)``), and
that equality holds if and only if ``P = Q``. Plain text is fine;
if you type LaTeX with backslashes, make the string a raw string (prefix ``r``).

Points (5; the written part is graded by hand):
- 0.5   ValueError for negative entries, empty input or shapes that differ
- 1     H(P,Q) = H(P) + KL(P||Q) >= H(P), with equality exactly when P = Q
- 0.75  H(P), the first value, in nats
- 1     KL(P||Q), the second value, in nats
- 0.75  H(P,Q), the third value, in nats
- 0.5   zero probabilities: 0 log 0 = 0, and KL = H(P,Q) = inf where q = 0 < p
- 0.5   unnormalised weights are normalised first
"""

import numpy as np  # noqa: F401  (you will need it)

WRITTEN_ANSWER = """(Write your answer here.)"""


def cross_entropy_decomposition(p, q):
    """Return (H(P), KL(P||Q), H(P,Q)) in nats for weights p and q (normalised first).

    >>> [round(float(v), 4) for v in cross_entropy_decomposition([0.5, 0.5], [0.5, 0.5])]
    [0.6931, 0.0, 0.6931]
    """
    raise NotImplementedError
