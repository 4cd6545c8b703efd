"""A correct InfoNCE written by hand: manual normalisation and a max-shifted log-softmax."""

import torch


def _check(z1, z2, temperature):
    if z1.dim() != 2 or z2.dim() != 2:
        raise ValueError("z1 and z2 must be 2-D (N, D)")
    if z1.shape != z2.shape:
        raise ValueError(f"shapes differ: {tuple(z1.shape)} and {tuple(z2.shape)}")
    if temperature <= 0:
        raise ValueError("temperature must be positive")


def _log_softmax_rows(x):
    shifted = x - x.max(dim=1, keepdim=True).values
    return shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))


def info_nce_loss(z1, z2, temperature=0.07):
    _check(z1, z2, temperature)
    a = z1 / torch.sqrt((z1 * z1).sum(dim=1, keepdim=True))
    b = z2 / torch.sqrt((z2 * z2).sum(dim=1, keepdim=True))
    logits = (a @ b.T) / temperature
    rows = -torch.diagonal(_log_softmax_rows(logits)).mean()
    cols = -torch.diagonal(_log_softmax_rows(logits.T)).mean()
    return (rows + cols) / 2
