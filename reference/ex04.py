"""Exercise 4 (reference): softmax, cross-entropy loss and its gradient, numerically stable.

The loss is computed as ``logsumexp(z) - z_y`` (never ``-log(p + eps)``, which is biased
when ``p_y`` is tiny), with each row's max subtracted before exponentiating. Everything
is computed in float64, whatever the dtype of the logits.
"""

from __future__ import annotations

import numpy as np

WRITTEN_ANSWER = """\
Let p = softmax(z), p_j = exp(z_j) / S with S = sum_i exp(z_i), and let y be the one-hot
label (y_j = 1 for the true class, 0 otherwise, so sum_j y_j = 1). The loss is
L = -sum_j y_j log p_j, and log p_j = z_j - log S, so L = -sum_j y_j z_j + log S
(using sum_j y_j = 1 in front of log S). Differentiating with respect to z_k:
d(-sum_j y_j z_j)/dz_k = -y_k and d(log S)/dz_k = exp(z_k) / S = p_k. Hence
dL/dz_k = p_k - y_k, i.e. dL/dz = p - y.
(Equivalently, with the softmax Jacobian dp_j/dz_k = p_j (delta_jk - p_k):
dL/dz_k = -sum_j (y_j / p_j) p_j (delta_jk - p_k) = -y_k + p_k sum_j y_j = p_k - y_k.)
For a batch the loss is (1/N) sum_n L_n and row n of z appears only in L_n, so row n of
the gradient is (p_n - y_n) / N. Each row sums to sum_k p_k - sum_k y_k = 1 - 1 = 0:
adding a constant to every logit of a row changes neither p nor the loss."""


def _logits(z) -> np.ndarray:
    """Validate logits of shape (C,) or (N, C) and return them as float64."""
    array = np.asarray(z)
    if array.dtype.kind not in "biuf" or array.dtype.kind == "b":
        raise ValueError(f"the logits z must be real numbers (got dtype {array.dtype})")
    if array.ndim not in (1, 2):
        raise ValueError(f"the logits z must be 1-D (C,) or 2-D (N, C); got shape "
                         f"{array.shape}")
    if array.size == 0:
        raise ValueError(f"the logits z are empty (shape {array.shape})")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError("the logits z have a nan or infinite entry")
    return array


def _labels(y, logits: np.ndarray) -> np.ndarray:
    """Validate integer labels against the logits: an int for (C,), shape (N,) for (N, C)."""
    labels = np.asarray(y)
    if labels.dtype.kind not in "iu":
        raise ValueError(f"the labels y must be integers (got dtype {labels.dtype})")
    classes = logits.shape[-1]
    if logits.ndim == 1 and labels.ndim != 0:
        raise ValueError(f"for 1-D logits the label y must be a single int; got an array of "
                         f"shape {labels.shape}")
    if logits.ndim == 2:
        if labels.ndim != 1:
            raise ValueError(f"for 2-D logits of shape {logits.shape} the labels y must be 1-D "
                             f"of shape ({logits.shape[0]},); got shape {labels.shape}")
        if labels.shape[0] != logits.shape[0]:
            raise ValueError(f"{logits.shape[0]} rows of logits but {labels.shape[0]} labels")
    if np.any(labels < 0) or np.any(labels >= classes):
        raise ValueError(f"a label is out of range: labels must be in 0..{classes - 1}")
    return labels.astype(np.int64)


def _shifted(logits: np.ndarray) -> np.ndarray:
    """Each row minus its max: the largest entry of every row becomes 0."""
    return logits - logits.max(axis=-1, keepdims=True)


def softmax(z) -> np.ndarray:
    """exp(z) / sum(exp(z)) along the last axis (row-wise), without overflow."""
    logits = _logits(z)
    e = np.exp(_shifted(logits))
    return e / e.sum(axis=-1, keepdims=True)


def _row_losses(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """logsumexp(z) - z_y per row, as log(sum(exp(z - m))) - (z_y - m)."""
    shifted = np.atleast_2d(_shifted(logits))
    rows = np.arange(shifted.shape[0])
    log_norm = np.log(np.exp(shifted).sum(axis=1))
    return log_norm - shifted[rows, np.atleast_1d(labels)]


def cross_entropy_loss(z, y) -> float:
    """-log softmax(z)[y]; the mean over rows for (N, C) logits and (N,) labels."""
    logits = _logits(z)
    labels = _labels(y, logits)
    return float(np.mean(_row_losses(logits, labels)))


def cross_entropy_grad(z, y) -> np.ndarray:
    """dL/dz = softmax(z) - onehot(y), divided by N for the mean over N rows."""
    logits = _logits(z)
    labels = _labels(y, logits)
    grad = softmax(logits)
    if logits.ndim == 1:
        grad[labels] -= 1.0
        return grad
    grad[np.arange(logits.shape[0]), labels] -= 1.0
    return grad / logits.shape[0]
