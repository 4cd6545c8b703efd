"""Exercise 14: the symmetric InfoNCE loss (8 points).

Contrastive learning (SimCLR, CLIP) trains an encoder so that two views of the same example
get similar embeddings and views of different examples do not. Implement the loss of the
chapter with PyTorch.

Inputs:

- ``z1`` and ``z2``: two tensors of the same shape ``(N, D)``, float32 or float64.
  Row ``i`` of ``z1`` and row ``i`` of ``z2`` are the two views of example ``i`` (a
  positive pair); every other row of the other view is a negative.
- ``temperature``: a positive float ``t`` (default 0.07).

Computation:

1. L2-normalise every row of ``z1`` and of ``z2`` (each row divided by its Euclidean
   norm), so the dot products are cosine similarities in [-1, 1].
2. ``logits = z1 @ z2.T / t`` with the normalised rows: an ``(N, N)`` matrix whose
   diagonal holds the positive pairs.
3. Cross-entropy with labels ``arange(N)`` (natural log, averaged over the N examples) in
   both directions: over the rows of ``logits`` (each ``z1`` row picks its partner among
   the rows of ``z2``) and over its columns, i.e. the rows of ``logits.T`` (each ``z2``
   row picks its partner among the rows of ``z1``).
4. "Symmetric" means the loss is the mean of these two cross-entropies, so swapping the
   views (``info_nce_loss(z2, z1)``) gives the same loss.

Output: a scalar (0-dimensional) ``torch.Tensor`` in the inputs' dtype that keeps the
autograd graph, so that ``loss.backward()`` gives gradients for both ``z1`` and ``z2``.
Do not return ``loss.item()`` or a float, and do not ``.detach()`` anything on the way.

Things that hold for a correct loss (the grader checks them):

- Rescaling any row by a positive factor does not change the loss.
- Random, unrelated views give about ``log N``, but only when ``t**2 * D`` is large (the
  loss is about ``log N + 1 / (2 t**2 D)``): the grader checks "within 1 % of log N" at
  ``t = 1.0`` with ``D >= 128``. At ``t = 0.07`` random views give noticeably more.
- Identical views give a loss near 0 only at a small temperature: about 1.7e-4 for
  N = 128, D = 128 at ``t = 0.07`` (the grader checks < 0.01 there), but
  ``log(1 + 127 / e) = 3.87`` at ``t = 1.0``.
- Small temperatures work in float32 too: at ``t = 0.01`` (CLIP's smallest) the logits
  reach +-100, where ``exp`` overflows and a softmax probability underflows to 0 in float32,
  so take the cross-entropy from the logits (``F.cross_entropy``, a log-softmax), never the
  log of a softmax.

Errors: raise ``ValueError`` with a message that names the problem when ``z1`` or ``z2``
is not 2-D, when their shapes differ, or when ``temperature <= 0``.

Points (8), one line per check:

- 0.5  swapping the two views gives the same loss
- 0.5  rescaling rows by positive factors leaves the loss unchanged
- 1    random views give about log N at t = 1.0, identical views about 0 at t = 0.07
- 1    the loss is a differentiable scalar tensor
- 1    the gradient passes torch.autograd.gradcheck (float64)
- 0.5  ValueError for bad shapes or a temperature <= 0
- 1.5  the loss matches the reference on random batches (float64)
- 1    the loss matches the reference on random batches (float32)
- 1    the gradient matches the reference's gradient
"""

import torch  # noqa: F401  (you will need it)
import torch.nn.functional as F  # noqa: F401  (F.normalize, F.cross_entropy may help)


def info_nce_loss(z1, z2, temperature=0.07):
    """Return the symmetric InfoNCE loss of two views ``z1``, ``z2`` of shape (N, D).

    Rows are L2-normalised, ``logits = z1 @ z2.T / temperature`` and the loss is the mean
    of the cross-entropies over the rows and over the columns of ``logits``, with labels
    ``arange(N)``: a 0-d tensor that can be back-propagated.
    """
    raise NotImplementedError
