"""A correct InfoNCE: both directions in one cross-entropy over 2N rows (mean of the means)."""

import torch
import torch.nn.functional as F


def info_nce_loss(z1, z2, temperature=0.07):
    if z1.ndim != 2:
        raise ValueError("z1 must be 2-D")
    if z2.shape != z1.shape:
        raise ValueError("z1 and z2 must have the same shape")
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    z1 = F.normalize(z1, p=2, dim=-1)
    z2 = F.normalize(z2, p=2, dim=-1)
    logits = torch.einsum("id,jd->ij", z1, z2) / temperature
    labels = torch.arange(z1.shape[0])
    return F.cross_entropy(torch.cat([logits, logits.T]), torch.cat([labels, labels]))
