"""Golden submission of exercise 4 (wrong).

Mistake: the batch loss is the sum of the rows' losses, not their mean.
"""

import numpy as np

WRITTEN_ANSWER = """With p = softmax(z), log p_j = z_j - log sum_i exp(z_i), so
d log p_j / d z_k = delta_jk - p_k and dL/dz_k = -sum_j y_j (delta_jk - p_k) = p_k - y_k,
because the one-hot y sums to 1. A batch mean divides each row by N; each row sums to
sum p - sum y = 1 - 1 = 0."""


def _check(z, y=None):
    z = np.asarray(z, dtype=float)
    if z.ndim not in (1, 2) or z.size == 0:
        raise ValueError(f"logits must be a non-empty 1-D or 2-D array, got shape {z.shape}")
    if y is None:
        return z, None
    y = np.asarray(y)
    if y.ndim != z.ndim - 1 or (z.ndim == 2 and y.shape[0] != z.shape[0]):
        raise ValueError(f"labels of shape {y.shape} do not fit logits of shape {z.shape}")
    if np.any(y < 0) or np.any(y >= z.shape[-1]):
        raise ValueError("a label is out of range")
    return z, y


def softmax(z):
    z, _ = _check(z)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def cross_entropy_loss(z, y):
    z, y = _check(z, y)
    shifted = z - z.max(axis=-1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    if z.ndim == 1:
        return float(-log_p[y])
    return float(-np.sum(log_p[np.arange(len(y)), y]))  # MISTAKE: sum, not mean


def cross_entropy_grad(z, y):
    z, y = _check(z, y)
    grad = softmax(z)
    if z.ndim == 1:
        grad[y] -= 1.0
        return grad
    grad[np.arange(len(y)), y] -= 1.0
    return grad / len(y)
