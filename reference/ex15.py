"""Exercise 15 (reference): train a 2-layer MLP and log cross-entropy, entropy, perplexity."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

NUM_CLASSES = 10


def _inputs(X, y, name: str) -> tuple[torch.Tensor, torch.Tensor]:
    features = torch.as_tensor(np.asarray(X, dtype=np.float32))
    labels = torch.as_tensor(np.asarray(y, dtype=np.int64))
    if features.ndim != 2 or labels.ndim != 1 or len(features) != len(labels):
        raise ValueError(f"X_{name} must have shape (N, D) and y_{name} shape (N,); got "
                         f"{tuple(features.shape)} and {tuple(labels.shape)}")
    if len(labels) == 0:
        raise ValueError(f"the {name} set is empty")
    return features, labels


def train_mlp(X_train, y_train, X_val, y_val, epochs=10, hidden=128, lr=1e-3, batch_size=64,
              seed=0) -> list[dict]:
    """Train Linear-ReLU-Linear with Adam on the cross-entropy; one log per epoch."""
    X_tr, y_tr = _inputs(X_train, y_train, "train")
    X_va, y_va = _inputs(X_val, y_val, "val")
    torch.manual_seed(seed)
    shuffler = torch.Generator().manual_seed(seed)
    model = nn.Sequential(nn.Linear(X_tr.shape[1], hidden), nn.ReLU(),
                          nn.Linear(hidden, NUM_CLASSES))
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    for epoch in range(1, epochs + 1):
        model.train()
        losses = []
        order = torch.randperm(len(X_tr), generator=shuffler)
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            loss = F.cross_entropy(model(X_tr[batch]), y_tr[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            logits = model(X_va)
            log_probs = F.log_softmax(logits, dim=1)
            val_ce = F.nll_loss(log_probs, y_va).item()
            entropy = -(log_probs.exp() * log_probs).sum(dim=1).mean().item()
            accuracy = (logits.argmax(dim=1) == y_va).double().mean().item()
        history.append({"epoch": epoch, "train_ce": float(np.mean(losses)), "val_ce": val_ce,
                        "mean_entropy": entropy, "perplexity": math.exp(val_ce),
                        "val_accuracy": accuracy})
    return history
