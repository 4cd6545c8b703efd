"""Wrong: log of a plain softmax (exp / sum, no max shift): -inf in float32 at t = 0.01.

Right in float64 and at the usual temperatures; with float32 logits of +-100 exp overflows
and a positive pair's probability e^-200 underflows to 0.
"""

import torch


def info_nce_loss(z1, z2, temperature=0.07):
    if len(z1.shape) != 2 or tuple(z1.shape) != tuple(z2.shape):
        raise ValueError("z1 and z2 must have the same shape (N, D)")
    if not temperature > 0:
        raise ValueError("the temperature must be > 0")
    n = z1.shape[0]
    a = torch.stack([z1[i] / z1[i].norm() for i in range(n)])
    b = torch.stack([z2[i] / z2[i].norm() for i in range(n)])
    total = torch.zeros((), dtype=z1.dtype)
    for i in range(n):
        row = torch.mv(b, a[i]) / temperature  # z1[i] against every z2[j]
        col = torch.mv(a, b[i]) / temperature  # z2[i] against every z1[j]
        total = total - torch.log(torch.exp(row[i]) / torch.exp(row).sum())
        total = total - torch.log(torch.exp(col[i]) / torch.exp(col).sum())
    return total / (2 * n)
