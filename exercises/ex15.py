"""Exercise 15: training an MLP: cross-entropy, entropy, perplexity (8 points).

Train a small classifier with PyTorch and watch the chapter's quantities while it learns.

``train_mlp(X_train, y_train, X_val, y_val, epochs=10, hidden=128, lr=1e-3, batch_size=64,
seed=0)`` trains a 2-layer MLP, ``Linear(D, hidden) -> ReLU -> Linear(hidden, 10)``, with
the cross-entropy loss (``torch.nn.functional.cross_entropy`` on the logits) and the Adam
optimiser at learning rate ``lr``, for ``epochs`` epochs of shuffled mini-batches of
``batch_size`` examples (the last mini-batch of an epoch may be smaller).

Inputs (NumPy arrays, as the grader passes them):

- ``X_train``: shape ``(N, D)``, ``float32`` pixels in [0, 1] (``D = 64`` for the 8x8
  digits of scikit-learn, ``784`` for MNIST); ``y_train``: shape ``(N,)``, ``int64``
  labels in 0..9. ``X_val``, ``y_val``: the same for the validation set.
- There are always 10 classes.
- ``seed`` must make the run reproducible: call ``torch.manual_seed(seed)`` before
  building the model (it fixes the initial weights) and shuffle with a generator seeded by
  ``seed`` (``torch.Generator().manual_seed(seed)`` or ``np.random.default_rng(seed)``),
  not with the global ``np.random`` or ``random``. The same seed must give the same
  numbers, and a different seed different ones.

Return a list with one dict per epoch, in order, the epochs numbered from 1:

- ``epoch``: the epoch's number (an ``int``: 1, 2, ..., ``epochs``);
- ``train_ce``: the mean of the epoch's mini-batch losses (the average of the losses you
  back-propagated during the epoch; not the last batch's loss, not a pass after the epoch);
- ``val_ce``: the mean cross-entropy on the validation set, in nats;
- ``mean_entropy``: the mean over validation examples of the entropy of the model's
  predicted distribution, ``H = -sum_k p_k log p_k`` in nats (between 0 and log 10);
- ``perplexity``: ``exp(val_ce)``;
- ``val_accuracy``: the fraction (0 to 1, not a percentage) of validation examples whose
  most probable class is the label.

The four validation metrics come from a full pass over the validation set after the
epoch's training, in evaluation mode and without gradients (``model.eval()``,
``torch.no_grad()``). Return plain Python floats (``loss.item()``, ``float(...)``); NumPy
scalars are accepted too.

The grader trains on scikit-learn's 8x8 digits (1344 training images, 21 full mini-batches
of 64, and 450 validation images) with the default arguments, or on a 9,984 / 2,000 subset
of MNIST when it is given MNIST's files. A correct solution reaches a validation accuracy of
0.92 to 0.96 on the digits after 10 epochs; the grader asks for 0.88. Training takes about
a second on the digits: each call has a time limit (see ``grade list``).

Points (8), one line per check:

- 1    one log per epoch, numbered from 1, with the six metrics as numbers
- 1    perplexity = exp(val_ce) at every epoch
- 1    mean entropy in nats, between 0 and log 10
- 1    training lowers the loss: the last train_ce is well below the first
- 1    train_ce is the mean over the epoch's mini-batches
- 1.5  validation accuracy after training reaches the threshold
- 1    the same seed gives the same numbers
- 0.5  a different seed gives different numbers
"""

import numpy as np  # noqa: F401  (you will need them)
import torch  # noqa: F401


def train_mlp(X_train, y_train, X_val, y_val, epochs=10, hidden=128, lr=1e-3, batch_size=64,
              seed=0):
    """Train Linear-ReLU-Linear with Adam on the cross-entropy; return one log per epoch.

    Each log is ``{"epoch", "train_ce", "val_ce", "mean_entropy", "perplexity",
    "val_accuracy"}`` (see the module's docstring).
    """
    raise NotImplementedError
