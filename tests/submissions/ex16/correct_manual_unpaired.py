"""A correct solution written differently from the reference.

The loss by hand (clamped logs, KL summed over dims then averaged), one seed for the
whole sweep (the betas do not share their initial weights), separate mu / log_var
heads, 256 hidden units, batches of 32, evaluation at z = mu, pyplot with subplots.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402


def beta_vae_loss(x, x_hat, mu, log_var, beta):
    n = x.shape[0]
    log_p = torch.clamp(torch.log(x_hat), min=-100.0)
    log_q = torch.clamp(torch.log(1.0 - x_hat), min=-100.0)
    per_pixel = -(x * log_p + (1.0 - x) * log_q)
    recon = per_pixel.reshape(n, -1).sum(dim=1).mean()
    kl_rows = 0.5 * (mu ** 2 + torch.exp(log_var) - 1.0 - log_var).reshape(n, -1).sum(dim=1)
    kl = kl_rows.mean()
    return recon + beta * kl, recon, kl


class Encoder(nn.Module):
    def __init__(self, d, k):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d, 256), nn.ReLU())
        self.mu = nn.Linear(256, k)
        self.log_var = nn.Linear(256, k)

    def forward(self, x):
        h = self.body(x)
        return self.mu(h), self.log_var(h)


def train_beta_vae(X, betas=(0.1, 1.0, 4.0, 10.0), epochs=5, latent_dim=8, seed=0):
    torch.manual_seed(seed)
    data = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
    n, d = data.shape
    out = {}
    for beta in betas:
        enc = Encoder(d, latent_dim)
        dec = nn.Sequential(nn.Linear(latent_dim, 256), nn.ReLU(), nn.Linear(256, d))
        opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=1e-3)
        history = []
        for _ in range(epochs):
            recons, kls = [], []
            for idx in torch.randperm(n).split(32):
                xb = data[idx]
                mu, log_var = enc(xb)
                z = mu + torch.randn_like(mu) * torch.exp(0.5 * log_var)
                loss, recon, kl = beta_vae_loss(xb, torch.sigmoid(dec(z)), mu, log_var, beta)
                opt.zero_grad()
                loss.backward()
                opt.step()
                recons.append(recon.item())
                kls.append(kl.item())
            r, k = float(np.mean(recons)), float(np.mean(kls))
            history.append({"recon": r, "kl": k, "elbo": -(r + k)})
        with torch.no_grad():
            mu, log_var = enc(data)
            _, recon, kl = beta_vae_loss(data, torch.sigmoid(dec(mu)), mu, log_var, beta)
        out[beta] = {"recon": recon.item(), "kl": kl.item(),
                     "elbo": -(recon.item() + kl.item()), "history": history}
    return out


def plot_beta_sweep(results):
    betas = sorted(results)
    fig, axes = plt.subplots(3, 1, figsize=(5, 9), sharex=True)
    for ax, key, name in zip(axes, ["elbo", "kl", "recon"],
                             ["ELBO", "KL divergence", "reconstruction loss"], strict=True):
        ax.semilogx(betas, [results[b][key] for b in betas], "s-")
        ax.set_ylabel(name)
        ax.set_xlabel("beta")
    return fig
