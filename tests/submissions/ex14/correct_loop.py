"""A correct InfoNCE with a loop over examples and a hand-written log-softmax (max shift)."""

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
        for line in (row, col):  # -log softmax(line)[i], shifted by the max: no overflow
            top = line.max()
            total = total - (line[i] - top - torch.log(torch.exp(line - top).sum()))
    return total / (2 * n)
