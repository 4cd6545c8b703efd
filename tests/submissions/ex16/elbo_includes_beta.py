"""Golden wrong submission of exercise 16 (elbo_includes_beta).

Mistake: the reported elbo is -(recon + beta * kl), the negative training loss.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

HIDDEN = 128
BATCH_SIZE = 64
LEARNING_RATE = 1e-3
DEFAULT_BETAS = (0.1, 1.0, 4.0, 10.0)


def beta_vae_loss(x: torch.Tensor, x_hat: torch.Tensor, mu: torch.Tensor,
                  log_var: torch.Tensor, beta: float
                  ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Return ``(loss, recon, kl)``, each averaged over the batch (the first dimension).

    recon: binary cross-entropy summed over the features (torch clamps its log terms at
    -100); kl: KL(N(mu, e^log_var) || N(0, I)) in closed form, summed over the latent
    dimensions; loss = recon + beta * kl.
    """
    if x.shape != x_hat.shape:
        raise ValueError(f"x and x_hat have different shapes {tuple(x.shape)} and "
                         f"{tuple(x_hat.shape)}")
    if mu.shape != log_var.shape:
        raise ValueError(f"mu and log_var have different shapes {tuple(mu.shape)} and "
                         f"{tuple(log_var.shape)}")
    batch = x.shape[0]
    recon = F.binary_cross_entropy(x_hat, x.to(x_hat.dtype), reduction="sum") / batch
    kl = -0.5 * torch.sum(1.0 + log_var - mu.pow(2) - log_var.exp()) / batch
    return recon + beta * kl, recon, kl


class VAE(nn.Module):
    """A small MLP VAE: features -> hidden -> (mu, log_var); z -> hidden -> sigmoid."""

    def __init__(self, n_features: int, latent_dim: int, hidden: int = HIDDEN) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.encoder = nn.Sequential(nn.Linear(n_features, hidden), nn.ReLU(),
                                     nn.Linear(hidden, 2 * latent_dim))
        self.decoder = nn.Sequential(nn.Linear(latent_dim, hidden), nn.ReLU(),
                                     nn.Linear(hidden, n_features), nn.Sigmoid())

    def forward(self, x: torch.Tensor, generator: torch.Generator | None = None
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Return ``(x_hat, mu, log_var)`` for a reparameterised sample z."""
        mu, log_var = self.encoder(x).chunk(2, dim=1)
        eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype)
        z = mu + torch.exp(0.5 * log_var) * eps
        return self.decoder(z), mu, log_var


def _summary(recon: float, kl: float, beta: float) -> dict[str, float]:
    return {"recon": recon, "kl": kl, "elbo": -(recon + beta * kl)}


def train_beta_vae(X, betas=DEFAULT_BETAS, epochs: int = 5, latent_dim: int = 8,
                   seed: int = 0) -> dict[float, dict]:
    """Train one VAE per beta on X; return per-example recon, kl, elbo and the history.

    Every beta starts from the same initial weights and sees the same batches (the
    generators are re-seeded with ``seed``), so the betas differ only by beta.
    """
    data = torch.as_tensor(np.asarray(X, dtype=np.float32))
    if data.ndim != 2 or data.shape[0] == 0:
        raise ValueError(f"X must be a non-empty array of shape (n, features); got "
                         f"{tuple(data.shape)}")
    n, n_features = data.shape
    results: dict[float, dict] = {}
    for beta in betas:
        torch.manual_seed(seed)
        model = VAE(n_features, latent_dim)
        optimiser = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
        generator = torch.Generator().manual_seed(seed)
        history = []
        for _ in range(epochs):
            model.train()
            totals = [0.0, 0.0]
            for index in torch.randperm(n, generator=generator).split(BATCH_SIZE):
                batch = data[index]
                x_hat, mu, log_var = model(batch, generator)
                loss, recon, kl = beta_vae_loss(batch, x_hat, mu, log_var, beta)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                totals[0] += recon.item() * len(index)
                totals[1] += kl.item() * len(index)
            history.append(_summary(totals[0] / n, totals[1] / n, beta))
        model.eval()
        with torch.no_grad():
            x_hat, mu, log_var = model(data, generator)
            _, recon, kl = beta_vae_loss(data, x_hat, mu, log_var, beta)
        results[float(beta)] = {**_summary(recon.item(), kl.item(), beta), "history": history}
    return results


def plot_beta_sweep(results: dict[float, dict]):
    """Three panels against beta (log scale): ELBO, KL and reconstruction loss."""
    from matplotlib.figure import Figure

    betas = sorted(results)
    figure = Figure(figsize=(12, 3.8))
    panels = figure.subplots(1, 3)
    figure.subplots_adjust(left=0.07, right=0.98, bottom=0.15, top=0.85, wspace=0.35)
    panels_spec = (("elbo", "ELBO", "ELBO (nats per example)"),
                   ("kl", "KL term", "KL(q(z|x) || p(z)) (nats per example)"),
                   ("recon", "reconstruction", "binary cross-entropy (nats per example)"))
    for axes, (key, title, label) in zip(panels, panels_spec, strict=True):
        axes.plot(betas, [results[b][key] for b in betas], marker="o")
        axes.set_xscale("log")
        axes.set_xlabel("beta")
        axes.set_ylabel(label)
        axes.set_title(title)
        axes.grid(True, alpha=0.3)
    figure.suptitle("beta-VAE sweep")
    return figure
