"""Exercise 5: a worked example of entropy, cross-entropy and KL (4 points).

Take the two laws on three outcomes

    P = [0.5, 0.3, 0.2]    (the true law)
    Q = [0.6, 0.3, 0.1]    (a model of it)

and work out, in **nats** (natural logarithm):

- ``H_P``: the entropy ``H(P) = -sum_i p_i ln p_i``;
- ``H_PQ``: the cross-entropy ``H(P, Q) = -sum_i p_i ln q_i``;
- ``KL_PQ``: the KL divergence ``KL(P || Q) = sum_i p_i ln(p_i / q_i)`` (weighted by
  ``P``: the direction matters, ``KL(Q || P)`` is a different number).

Check on paper that ``H(P, Q) = H(P) + KL(P || Q)``. Careful: ``scipy.stats.entropy(p, q)``
is the KL divergence, not the cross-entropy.

What to write
-------------
``answers()`` returns a dict with exactly these three keys, ``"H_P"``, ``"H_PQ"`` and
``"KL_PQ"``, each a Python ``float``. You may type in numbers worked out by hand or
compute them in the function (NumPy is fine). They are checked to a relative error of
1e-3 (plus 2e-4 absolute, for the small KL): working to four decimal places is enough.

Points (4):
- 1     H_P: the entropy of P in nats
- 0.5   the answers agree with each other: H_PQ = H_P + KL_PQ
- 1.5   KL_PQ: KL(P||Q) in nats
- 1     H_PQ: the cross-entropy H(P,Q) in nats
"""

import numpy as np  # noqa: F401  (you may use it)


def answers():
    """Return {"H_P": ..., "H_PQ": ..., "KL_PQ": ...} in nats for P and Q above."""
    raise NotImplementedError
