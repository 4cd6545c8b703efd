"""A correct solution with other training choices.

F.binary_cross_entropy for recon, a deeper tanh MLP, batches of 128 at lr 2e-3,
NumPy shuffling, epoch history weighted by batch size, a fresh model per beta with
its own seed (seed + index), evaluation with a sampled z, panels side by side.
"""

import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure
from torch import nn


def beta_vae_loss(x, x_hat, mu, log_var, beta):
    batch = x.size(0)
    recon = F.binary_cross_entropy(x_hat, x, reduction="none").sum() / batch
    kl = (-0.5 * (1 + log_var - mu * mu - log_var.exp())).sum() / batch
    loss = recon + beta * kl
    return loss, recon, kl


def make_model(d, k):
    encoder = nn.Sequential(nn.Linear(d, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(),
                            nn.Linear(64, 2 * k))
    decoder = nn.Sequential(nn.Linear(k, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(),
                            nn.Linear(64, d), nn.Sigmoid())
    return encoder, decoder


def run(encoder, decoder, xb, k):
    stats = encoder(xb)
    mu, log_var = stats[:, :k], stats[:, k:]
    z = mu + torch.randn_like(mu) * (0.5 * log_var).exp()
    return decoder(z), mu, log_var


def train_beta_vae(X, betas=(0.1, 1.0, 4.0, 10.0), epochs=5, latent_dim=8, seed=0):
    X = np.asarray(X, dtype=np.float32)
    data = torch.tensor(X)
    results = {}
    for i, beta in enumerate(betas):
        torch.manual_seed(seed * 1000 + i)
        rng = np.random.default_rng(seed * 1000 + i)
        encoder, decoder = make_model(X.shape[1], latent_dim)
        params = list(encoder.parameters()) + list(decoder.parameters())
        optimiser = torch.optim.Adam(params, lr=2e-3)
        history = []
        for _ in range(epochs):
            order = rng.permutation(len(X))
            sums = np.zeros(2)
            for start in range(0, len(X), 128):
                xb = data[order[start:start + 128]]
                x_hat, mu, log_var = run(encoder, decoder, xb, latent_dim)
                loss, recon, kl = beta_vae_loss(xb, x_hat, mu, log_var, beta)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                sums += len(xb) * np.array([recon.item(), kl.item()])
            recon_e, kl_e = sums / len(X)
            history.append({"recon": float(recon_e), "kl": float(kl_e),
                            "elbo": float(-(recon_e + kl_e))})
        with torch.no_grad():
            x_hat, mu, log_var = run(encoder, decoder, data, latent_dim)
            _, recon, kl = beta_vae_loss(data, x_hat, mu, log_var, beta)
        results[beta] = {"recon": float(recon), "kl": float(kl),
                         "elbo": -float(recon + kl), "history": history}
    return results


def plot_beta_sweep(results):
    betas = np.array(sorted(results))
    fig = Figure(figsize=(11, 3))
    for i, (key, title) in enumerate([("elbo", "ELBO"), ("kl", "KL"),
                                      ("recon", "Reconstruction")]):
        ax = fig.add_subplot(1, 3, i + 1)
        ax.plot(betas, [results[b][key] for b in betas], "o-", label=title)
        ax.set_xscale("log")
        ax.set_xlabel("β")
        ax.set_ylabel(f"{title} (nats)")
        ax.legend()
    return fig
