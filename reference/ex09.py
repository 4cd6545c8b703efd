"""Exercise 9 (reference): the Gaussian KL of a VAE, its gradient, and beta in the ELBO."""

from __future__ import annotations

import math
import numbers

import numpy as np

WRITTEN_ANSWER = """\
The beta-VAE maximises E_q[log p(x|z)] - beta KL(q(z|x) || p(z)), i.e. minimises
recon + beta * KL. beta = 1 is the ELBO, a lower bound on log p(x); beta > 1 weighs the
regulariser more (ELBO - (beta - 1) KL: a looser bound, more compressed codes, blurrier
reconstructions); beta < 1 weighs it less (better reconstructions, not guaranteed a bound).
The KL term pulls each posterior toward the prior: its gradient is (mu, (e^log_var - 1)/2),
zero only at mu = 0, log_var = 0. As beta -> infinity the KL term dominates the reconstruction
term, so the minimiser drives KL(q(z|x) || p(z)) to 0: q(z|x) = N(0, I) for every x. The code
then carries no information about x (I(x; z) <= E KL = 0), the decoder ignores z and outputs
the average image: posterior collapse. KL(q||p) is the reverse (mode-seeking) direction, zero
only when q equals the prior exactly."""


def _array(values, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim not in (1, 2):
        raise ValueError(f"{name} must be 1-D (D,) or 2-D (N, D) (got shape {array.shape})")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape})")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} has a non-finite entry")
    return array


def _pair(mu, log_var) -> tuple[np.ndarray, np.ndarray]:
    mu_arr, lv_arr = _array(mu, "mu"), _array(log_var, "log_var")
    if mu_arr.shape != lv_arr.shape:
        raise ValueError(f"mu and log_var have different shapes {mu_arr.shape} and "
                         f"{lv_arr.shape}")
    return mu_arr, lv_arr


def gaussian_kl(mu, log_var) -> float:
    """KL(N(mu, diag e^log_var) || N(0, I)) = 1/2 sum(mu^2 + e^lv - 1 - lv), over all entries.

    ``expm1(lv) - lv`` keeps the terms exact for small log-variances, where ``e^lv - 1 - lv``
    would cancel.
    """
    mu_arr, lv_arr = _pair(mu, log_var)
    terms = mu_arr**2 + (np.expm1(lv_arr) - lv_arr)
    return max(0.5 * float(np.sum(terms)), 0.0)


def gaussian_kl_grad(mu, log_var) -> tuple[np.ndarray, np.ndarray]:
    """Gradient of gaussian_kl: (dKL/dmu, dKL/dlog_var) = (mu, (e^log_var - 1) / 2)."""
    mu_arr, lv_arr = _pair(mu, log_var)
    return mu_arr.copy(), 0.5 * np.expm1(lv_arr)


def _real(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number (got {value!r})")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite (got {number!r})")
    return number


def beta_vae_objective(recon_loss, kl, beta) -> float:
    """The loss a beta-VAE minimises: recon_loss + beta * kl (beta = 1: the negative ELBO)."""
    recon, divergence, weight = _real(recon_loss, "recon_loss"), _real(kl, "kl"), _real(
        beta, "beta")
    if weight < 0:
        raise ValueError(f"beta must be >= 0 (got {weight!r})")
    return recon + weight * divergence


def collapsed_posterior(latent_dim) -> tuple[np.ndarray, np.ndarray]:
    """The (mu, log_var) the encoder is driven to as beta -> inf: the prior N(0, I)."""
    if isinstance(latent_dim, bool) or not isinstance(latent_dim, numbers.Integral):
        raise ValueError(f"latent_dim must be a positive int (got {latent_dim!r})")
    if latent_dim < 1:
        raise ValueError(f"latent_dim must be at least 1 (got {latent_dim})")
    return np.zeros(int(latent_dim)), np.zeros(int(latent_dim))
