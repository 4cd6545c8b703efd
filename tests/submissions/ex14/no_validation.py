"""Wrong: the loss is right, but nothing is validated (no ValueError)."""

import torch
import torch.nn.functional as F


def info_nce_loss(z1, z2, temperature=0.07):
    logits = F.normalize(z1, dim=1) @ F.normalize(z2, dim=1).T / temperature
    labels = torch.arange(z1.shape[0])
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2
