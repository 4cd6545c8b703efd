"""Exercise 9, a correct solution written differently: plain Python loops over the entries."""

import math

import numpy as np

WRITTEN_ANSWER = """beta weighs the KL term; as beta grows the encoder matches the prior."""


def _pairs(mu, log_var):
    mu, log_var = np.asarray(mu, dtype=float), np.asarray(log_var, dtype=float)
    if mu.shape != log_var.shape or mu.size == 0 or mu.ndim not in (1, 2):
        raise ValueError("mu and log_var must be non-empty arrays of the same 1-D or 2-D shape")
    return mu, log_var


def gaussian_kl(mu, log_var):
    mu, log_var = _pairs(mu, log_var)
    total = 0.0
    for m, lv in zip(mu.ravel().tolist(), log_var.ravel().tolist(), strict=True):
        total += 0.5 * (m * m + math.exp(lv) - 1.0 - lv)
    return total


def gaussian_kl_grad(mu, log_var):
    mu, log_var = _pairs(mu, log_var)
    d_mu = np.array(mu)
    d_lv = np.empty_like(log_var)
    for index in np.ndindex(log_var.shape):
        d_lv[index] = (math.exp(log_var[index]) - 1.0) / 2.0
    return d_mu, d_lv


def beta_vae_objective(recon_loss, kl, beta):
    if beta < 0:
        raise ValueError("beta must be >= 0")
    return float(recon_loss + beta * kl)


def collapsed_posterior(latent_dim):
    if latent_dim < 1:
        raise ValueError("latent_dim must be >= 1")
    return np.zeros(latent_dim), np.log(np.ones(latent_dim))
