"""Exercise 7: Jensen's inequality and KL >= 0 (5 points + a written part).

Jensen's inequality for a concave function f says E[f(X)] <= f(E[X]). The logarithm is
(strictly) concave, so for positive values x

    log E[x] - E[log x] >= 0,

with equality exactly when x is constant (wherever it has positive probability). The proof
that KL(P||Q) >= 0 is one application of it, with X = Q(i) / P(i) where i is drawn from P:

    -KL(P||Q) = E_P[log Q/P]  <=  log E_P[Q/P]  =  log sum_{i: p_i > 0} q_i  <=  log 1 = 0.

The expectation is over P, so it only runs over the outcomes with ``p_i > 0`` (there
``q_i / p_i`` is defined); ``sum_{p_i > 0} q_i`` is the mass Q puts where P lives, at most
1.

What to write
-------------
- ``jensen_gap_log(x, weights=None)``: the gap ``log E[x] - E[log x]`` as a Python
  ``float`` (natural logarithm, a NumPy scalar is accepted). ``x`` is a 1-D array-like of
  positive numbers. Without ``weights`` every entry of ``x`` has the same probability
  ``1/n``; with ``weights`` (a 1-D array-like of non-negative numbers of the same length)
  ``E[x] = sum_i w_i x_i`` after normalising the weights to sum to 1, so ``[1, 1, 2]``
  means ``[0.25, 0.25, 0.5]``. An entry with weight 0 does not count. The gap is >= 0 and
  is 0 when x is constant (up to rounding, about 1e-15).
- ``neg_kl_via_jensen(p, q)``: the two sides of Jensen's step as a tuple of two floats
  ``(E_P[log(Q/P)], log E_P[Q/P])``, in this order, in nats:

  - the left side ``sum_{p_i > 0} p_i log(q_i / p_i)``, which is ``-KL(P||Q)``;
    ``-inf`` (``-math.inf``) when some ``q_i = 0 < p_i``;
  - the right side ``log sum_{p_i > 0} p_i (q_i / p_i) = log sum_{p_i > 0} q_i``: 0 when Q
    puts no mass where ``p_i = 0``, negative when it does.

  ``p`` and ``q`` are 1-D array-likes of non-negative weights of the same length, normalised
  to sum to 1 first (as ``scipy.stats.entropy`` does); outcomes with ``p_i = 0`` contribute
  nothing to either side.

Invalid input raises ``ValueError`` with a message that names the problem: an entry of
``x`` that is 0 or negative (its log is undefined), an empty ``x``, negative weights or
weights of another length than ``x``, negative entries in ``p`` or ``q``, ``p`` and ``q``
of different lengths, and an all-zero ``p``, ``q`` or ``weights``.

Written part (graded by the instructor, in ``WRITTEN_ANSWER`` below): prove that
KL(P||Q) >= 0 for any two distributions on the same finite set, using Jensen's inequality,
and that KL(P||Q) = 0 only when P = Q. Say which function is concave and in which
direction the inequality goes, what the random variable is and under which distribution
the expectation is taken, why the sums run over the outcomes with p_i > 0 only, why
log sum_{p_i > 0} q_i <= 0, and where the case of equality comes from.

Points (5, plus the written part):
- 0.5   the two sides are ordered as the proof needs: E_P[log Q/P] <= log E_P[Q/P] <= 0
- 0.5   invalid input raises ValueError
- 1     jensen_gap_log: log E[x] - E[log x] for equally weighted x
- 1     jensen_gap_log with weights: probabilities, zero weights, unnormalised weights
- 0.75  Jensen's gap is >= 0, with equality iff x is constant
- 1.25  neg_kl_via_jensen returns (-KL(P||Q), log of the mass Q puts where p > 0)
"""

import numpy as np  # noqa: F401  (you will need it)

WRITTEN_ANSWER = """(Write your answer here.)"""


def jensen_gap_log(x, weights=None):
    """Return log E[x] - E[log x] (>= 0) for positive x, weighted by optional probabilities.

    >>> round(float(jensen_gap_log([1.0, 4.0])), 6)    # log 2.5 - log 2
    0.223144
    """
    raise NotImplementedError


def neg_kl_via_jensen(p, q):
    """Return (E_P[log(Q/P)], log E_P[Q/P]): the two sides of Jensen's step for KL >= 0.

    >>> lhs, rhs = neg_kl_via_jensen([0.5, 0.5, 0.0], [0.25, 0.25, 0.5])
    >>> round(float(lhs), 6), round(float(rhs), 6)  # -log 2 and log 0.5
    (-0.693147, -0.693147)
    """
    raise NotImplementedError
