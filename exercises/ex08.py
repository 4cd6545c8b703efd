"""Exercise 8: independence and mutual information (6 points + a written part).

Two discrete random variables X and Y are described by their *joint* table
``joint[i, j] = P(X = i, Y = j)``: rows are the values of X, columns the values of Y. Their
marginals are ``P(X = i) = sum_j joint[i, j]`` (row sums) and ``P(Y = j) = sum_i joint[i, j]``
(column sums). X and Y are independent when ``joint[i, j] = P(X = i) P(Y = j)`` for every
cell, and the *mutual information* measures how far they are from it:

    I(X;Y) = KL(P_XY || P_X P_Y) = sum_{i,j} p(i, j) log( p(i, j) / (p(i) p(j)) )
           = H(X) + H(Y) - H(X, Y).

Example: for the joint ``[[0.4, 0.05], [0.05, 0.5]]`` the marginals are (0.45, 0.55) for
both X and Y and I(X;Y) = 0.3636 nats (0.5246 bits). (Some printings of the chapter give
0.5004: that is wrong.)

What to write
-------------
- ``product_of_marginals(joint)``: the table ``P(X = i) P(Y = j)`` as a NumPy array of the
  joint's shape (the outer product of the row sums and the column sums). It sums to 1.
- ``mutual_information(joint, base=math.e)``: I(X;Y) as a Python ``float`` (a NumPy scalar
  is accepted), in nats by default, in bits with ``base=2``. Cells with ``p(i, j) = 0``
  contribute nothing (``0 log 0 = 0``), so the result is always finite and >= 0.
- ``is_independent(joint, tol=1e-10)``: ``True`` when the mutual information (in nats) is
  at most ``tol``, else ``False`` (a ``bool``; a NumPy bool is accepted). Compare the
  mutual information with ``tol``, not the two tables entry by entry.

Conventions: ``joint`` is a 2-D array-like (a list of lists or a NumPy array) of
non-negative weights, normalised to sum to 1 first, so a table of counts such as
``[[8, 1], [1, 10]]`` is a valid joint. A table with a single row or column is valid (one
of the variables is constant, so I = 0).

Invalid input raises ``ValueError`` with a message that names the problem: a negative
entry, a ``joint`` that is not 2-D, an empty table, and an all-zero table.

Written part (graded by the instructor, in ``WRITTEN_ANSWER`` below): prove that
I(X;Y) = 0 if and only if X and Y are independent. Show both directions; say which
property of the KL divergence you use (and why it holds) and what happens to the cells
with p(i, j) = 0.

Points (6, plus the written part):
- 1     I(X;Y) >= 0, = 0 for product tables, = H(X) when Y determines X
- 0.5   invalid input raises ValueError
- 1     product_of_marginals: P(X) P(Y) as a table of the joint's shape
- 1.5   mutual_information matches KL(P_XY || P_X P_Y) on the chapter's table and random tables
- 1     mutual_information: base, zero cells and unnormalised counts
- 1     is_independent: True for product tables, False for dependent ones, and it uses tol
"""

import math

import numpy as np  # noqa: F401  (you will need it)

WRITTEN_ANSWER = """(Write your answer here.)"""


def product_of_marginals(joint):
    """Return the table P(X = i) P(Y = j), of the joint's shape.

    >>> product_of_marginals([[0.4, 0.05], [0.05, 0.5]]).round(4).tolist()
    [[0.2025, 0.2475], [0.2475, 0.3025]]
    """
    raise NotImplementedError


def mutual_information(joint, base=math.e):
    """Return I(X;Y) = KL(P_XY || P_X P_Y) (nats unless ``base`` is given).

    >>> round(float(mutual_information([[0.4, 0.05], [0.05, 0.5]])), 4)
    0.3636
    """
    raise NotImplementedError


def is_independent(joint, tol=1e-10):
    """Return True iff the mutual information of the joint (nats) is at most ``tol``.

    >>> bool(is_independent([[0.2, 0.2], [0.3, 0.3]]))
    True
    >>> bool(is_independent([[0.4, 0.05], [0.05, 0.5]]))
    False
    """
    raise NotImplementedError
