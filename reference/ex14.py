"""Exercise 14 (reference): the symmetric InfoNCE loss of the chapter."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def info_nce_loss(z1: torch.Tensor, z2: torch.Tensor, temperature: float = 0.07) -> torch.Tensor:
    """Symmetric InfoNCE: L2-normalised rows, logits z1 @ z2.T / t, mean of both CEs.

    The cross-entropies are ``F.cross_entropy`` (logsumexp minus the positive logit, averaged
    over the N rows), so the loss stays exact for tiny probabilities; the result is a 0-d
    tensor in the inputs' dtype that keeps the autograd graph.
    """
    if z1.ndim != 2 or z2.ndim != 2 or z1.shape != z2.shape:
        raise ValueError(f"z1 and z2 must both have shape (N, D); got {tuple(z1.shape)} "
                         f"and {tuple(z2.shape)}")
    if not float(temperature) > 0:  # also rejects nan
        raise ValueError(f"temperature must be positive (got {temperature})")
    a = F.normalize(z1, dim=1)
    b = F.normalize(z2, dim=1)
    logits = a @ b.T / temperature
    labels = torch.arange(z1.shape[0], device=z1.device)
    return 0.5 * (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels))
