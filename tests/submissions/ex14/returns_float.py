"""Wrong: right value, but returned as a Python float (loss.item())."""

import torch
import torch.nn.functional as F


def _validate(z1, z2, temperature):
    if z1.ndim != 2 or z2.ndim != 2 or z1.shape != z2.shape:
        raise ValueError("z1 and z2 must both have shape (N, D)")
    if temperature <= 0:
        raise ValueError("temperature must be positive")


def info_nce_loss(z1, z2, temperature=0.07):
    _validate(z1, z2, temperature)
    logits = F.normalize(z1, dim=1) @ F.normalize(z2, dim=1).T / temperature
    labels = torch.arange(z1.shape[0])
    return ((F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2).item()
