"""Exercise 9 whose KL misses the 1/2 (its gradient is right, so the two disagree)."""

import numpy as np

WRITTEN_ANSWER = """(Write your answer here.)"""


def _pairs(mu, log_var):
    mu, log_var = np.asarray(mu, dtype=float), np.asarray(log_var, dtype=float)
    if mu.shape != log_var.shape or mu.size == 0 or mu.ndim not in (1, 2):
        raise ValueError("mu and log_var must be non-empty arrays of the same 1-D or 2-D shape")
    return mu, log_var


def gaussian_kl(mu, log_var):
    mu, log_var = _pairs(mu, log_var)
    return float(np.sum(mu**2 + np.exp(log_var) - 1.0 - log_var))


def gaussian_kl_grad(mu, log_var):
    mu, log_var = _pairs(mu, log_var)
    return mu, 0.5 * (np.exp(log_var) - 1.0)


def beta_vae_objective(recon_loss, kl, beta):
    if beta < 0:
        raise ValueError("beta must be >= 0")
    return recon_loss + beta * kl


def collapsed_posterior(latent_dim):
    if latent_dim < 1:
        raise ValueError("latent_dim must be >= 1")
    return np.zeros(latent_dim), np.zeros(latent_dim)
