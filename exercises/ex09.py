"""Exercise 9: beta in the ELBO (6 points + a written part).

A VAE's encoder maps an input x to a diagonal Gaussian q(z|x) = N(mu, diag(sigma^2)) over
the latent code; it outputs ``mu`` and ``log_var = log sigma^2`` (the log of the
*variance*). The prior is p(z) = N(0, I). The regulariser of the ELBO is

    KL(q(z|x) || p(z)) = 1/2 * sum_d ( mu_d^2 + e^{log_var_d} - 1 - log_var_d ),

which is >= 0 and is 0 only at mu = 0, log_var = 0 (the prior itself). A beta-VAE
minimises

    loss = recon_loss + beta * KL          (beta = 1: the negative ELBO).

What to write
-------------
- ``gaussian_kl(mu, log_var)``: the KL above as a Python ``float`` (a NumPy scalar is
  accepted). ``mu`` and ``log_var`` are array-likes of the same shape: ``(D,)`` for one
  input, or ``(N, D)`` for a batch of N inputs, in which case the KL is summed over the
  dimensions *and* over the rows (not averaged).
- ``gaussian_kl_grad(mu, log_var)``: the gradient of ``gaussian_kl`` as a tuple of two NumPy
  arrays ``(dKL/dmu, dKL/dlog_var)``, each of the input's shape. Work it out by hand: it is
  the pull of the regulariser toward the prior. The grader also compares it with central
  differences of your ``gaussian_kl`` (and of its own), so the two functions must agree.
- ``beta_vae_objective(recon_loss, kl, beta)``: the loss a beta-VAE minimises, as a float,
  for a reconstruction loss, a KL value and a weight ``beta >= 0``.
- ``collapsed_posterior(latent_dim)``: the ``(mu, log_var)`` (a tuple of two NumPy arrays of
  shape ``(latent_dim,)``) that the encoder is driven to, for every input, as beta -> inf.

Invalid input raises ``ValueError`` with a message that names the problem: ``mu`` and
``log_var`` of different shapes, empty, or neither 1-D nor 2-D (in ``gaussian_kl`` and
``gaussian_kl_grad``); a negative ``beta``; a ``latent_dim`` below 1.

Written part (graded by the instructor, in ``WRITTEN_ANSWER`` below): explain what beta
does to the ELBO (which term it weighs, what beta = 1, beta > 1 and beta < 1 mean, and
whether the objective is then still a lower bound on log p(x)) and why a very large beta
makes the posterior collapse to the prior: use the gradient you computed, say what the code
z then tells the decoder about x, and which direction of KL the VAE uses.

Points (6, plus the written part):
- 1.75  gaussian_kl: 1/2 sum(mu^2 + e^log_var - 1 - log_var), over dimensions and rows
- 0.75  beta_vae_objective is recon_loss + beta * kl
- 0.5   collapsed_posterior(latent_dim) is the prior N(0, I)
- 0.5   invalid input raises ValueError
- 1.5   gaussian_kl_grad returns (dKL/dmu, dKL/dlog_var), of the input's shape
- 1     gaussian_kl_grad agrees with central differences of your gaussian_kl and the reference's
"""

import numpy as np  # noqa: F401  (you will need it)

WRITTEN_ANSWER = """(Write your answer here.)"""


def gaussian_kl(mu, log_var):
    """Return KL(N(mu, diag e^log_var) || N(0, I)), summed over dimensions (and rows).

    >>> round(float(gaussian_kl([1.0, 0.0], [0.0, 0.0])), 6)
    0.5
    """
    raise NotImplementedError


def gaussian_kl_grad(mu, log_var):
    """Return (dKL/dmu, dKL/dlog_var) of gaussian_kl, two arrays of the input's shape."""
    raise NotImplementedError


def beta_vae_objective(recon_loss, kl, beta):
    """Return the loss a beta-VAE minimises for these reconstruction loss, KL and beta."""
    raise NotImplementedError


def collapsed_posterior(latent_dim):
    """Return the (mu, log_var) the encoder is driven to as beta -> inf."""
    raise NotImplementedError
