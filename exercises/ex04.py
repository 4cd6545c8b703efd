"""Exercise 4: the gradient of the cross-entropy loss (8 points, plus a written part).

A classifier turns its logits ``z`` (one real number per class) into probabilities with
the softmax, ``p_k = exp(z_k) / sum_j exp(z_j)``, and is trained with the cross-entropy
loss of the true class ``y``: ``L = -log p_y``. Its gradient with respect to the logits is
remarkably simple: ``dL/dz = p - onehot(y)``. Implement the three functions with NumPy.

Shapes
------
- One example: ``z`` has shape ``(C,)`` (C classes) and ``y`` is a single ``int`` (a
  Python int or a NumPy integer) in ``0..C-1``.
- A batch: ``z`` has shape ``(N, C)`` (one row per example) and ``y`` is an integer
  array-like (list or NumPy array) of shape ``(N,)``. Everything is row-wise: each row of
  ``z`` is one example.
- ``z`` may be a list, a list of lists or a NumPy array, of float64 or float32 (or
  integers). For float32 input you may compute and return float32 or float64: results
  are compared in float64 with tolerances that allow float32 rounding (about 1e-5
  relative, more for logits near +-1000).

What to write
-------------
- ``softmax(z)``: an ``np.ndarray`` of the shape of ``z``; every row sums to 1.
- ``cross_entropy_loss(z, y)``: a Python ``float`` (a NumPy scalar is accepted), in nats
  (natural logarithm): ``-log softmax(z)[y]`` for one example; for a batch, the **mean**
  over the N rows (not the sum).
- ``cross_entropy_grad(z, y)``: an ``np.ndarray`` of the shape of ``z``, the analytic
  gradient of ``cross_entropy_loss`` with respect to ``z``: ``softmax(z) - onehot(y)``;
  for a batch, each row is divided by N (the loss is a mean). Each row sums to 0.

Numerical stability (graded)
----------------------------
- Logits may be as large as +-1000. ``exp(1000)`` overflows (inf) and ``exp(-1000)`` is 0,
  so subtract each row's max before exponentiating (``z - z.max(axis=-1, keepdims=True)``);
  the softmax does not change. Results must be finite and correct.
- Compute the loss as ``logsumexp(z) - z_y`` (with the max subtracted inside the
  logsumexp), not as ``-log(softmax(z)[y])`` (inf when ``p_y`` underflows to 0) and not
  as ``-log(p_y + 1e-12)``: adding an epsilon biases the loss when ``p_y`` is tiny (it
  caps the loss near -log(1e-12) = 27.6 and flattens its slope to ~0 instead of about
  -1). The loss must be exact (to ~1e-9 relative) even when ``z_y`` is 40 or more below
  the max (``p_y < 1e-17``).
- ``scipy.special.logsumexp`` is allowed; so are loops.

Errors
------
Raise ``ValueError`` with a message that names the problem when:

- ``z`` is not 1-D or 2-D (a single number, a 3-D array), or is empty;
- a label is out of range: ``y < 0`` or ``y >= C`` (a label of -1 must not silently pick
  the last class);
- the labels have the wrong shape: an array for 1-D logits, or anything but shape
  ``(N,)`` for 2-D logits (a single int, shape ``(N, 1)``, or a length other than N).

(Non-integer labels and nan/inf logits may also raise ValueError; they are not graded.)

Written part (graded by the instructor)
---------------------------------------
In ``WRITTEN_ANSWER`` below, derive ``dL/dz = p - y`` (y the one-hot label) in prose and
formulas: write the loss in terms of the logits, differentiate (the softmax's Jacobian,
or the log-sum-exp), and say where ``sum_j y_j = 1`` is used. Then say in a sentence why
the gradient is divided by N for the batch mean and why each row sums to zero.

Points (8):
- 0.5   cross_entropy_grad matches central differences of your cross_entropy_loss
- 0.5   ValueError for a label out of range, logits or labels of the wrong ndim, mismatched N
- 1     softmax: 1-D and 2-D logits (row-wise), float64 and float32
- 1.5   cross_entropy_loss: 1-D and 2-D logits (the mean over rows), float64 and float32
- 1.5   cross_entropy_grad: p - onehot(y), divided by N for 2-D logits, float64 and float32
- 0.5   cross_entropy_grad matches central differences of the reference loss
- 0.5   the rows of cross_entropy_grad sum to zero
- 1     extreme logits (|z| ~ 1000): finite, correct softmax, loss and gradient
- 1     tiny p_y (below 1e-12): loss = logsumexp(z) - z_y exactly, gradient p_y - 1 ~ -1
"""

import numpy as np  # noqa: F401  (you will need it)

WRITTEN_ANSWER = """(Write your answer here.)"""


def softmax(z):
    """Return exp(z) / sum(exp(z)) along the last axis (each row of a 2-D z sums to 1).

    >>> softmax([0.0, 0.0]).tolist()
    [0.5, 0.5]
    """
    raise NotImplementedError


def cross_entropy_loss(z, y):
    """Return -log softmax(z)[y] in nats; for (N, C) logits, the mean over the N rows.

    >>> round(float(cross_entropy_loss([1.0, 3.0, 2.0, 0.5], 1)), 3)
    0.461
    """
    raise NotImplementedError


def cross_entropy_grad(z, y):
    """Return dL/dz = softmax(z) - onehot(y); for (N, C) logits, divided by N.

    >>> [round(float(g), 3) for g in cross_entropy_grad([0.0, 0.0], 0)]
    [-0.5, 0.5]
    """
    raise NotImplementedError
