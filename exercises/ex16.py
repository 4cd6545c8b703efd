"""Exercise 16: a beta-VAE sweep (8 points).

Train a small variational autoencoder with the beta-weighted loss for several values of
beta and watch the trade-off: a larger beta pulls the encoder's q(z|x) toward the prior
N(0, I) (the KL term falls, down to posterior collapse) and the reconstructions get
worse (the reconstruction loss rises).

1. ``beta_vae_loss(x, x_hat, mu, log_var, beta) -> (loss, recon, kl)``

   - ``x``: a batch of inputs in [0, 1], shape (batch, features); ``x_hat``: the
     decoder's output, of the same shape, holding probabilities (the decoder ends in a
     sigmoid); ``mu``, ``log_var``: the encoder's mean and log-variance of q(z|x), shape
     (batch, latent_dim); ``beta``: a float.
   - ``recon``: the binary cross-entropy -[x log x_hat + (1 - x) log(1 - x_hat)] summed
     over the features, averaged over the batch. Clamp each log term at -100, as
     ``torch.nn.functional.binary_cross_entropy`` does, so that an ``x_hat`` of exactly 0
     or 1 gives a finite loss (``F.binary_cross_entropy(x_hat, x, reduction="sum")``
     divided by the batch size is exactly right).
   - ``kl``: KL(N(mu, e^log_var) || N(0, I)) in closed form,
     -1/2 * sum(1 + log_var - mu^2 - e^log_var), summed over the latent dimensions,
     averaged over the batch.
   - ``loss = recon + beta * kl``.
   - Return three scalar (0-dimensional) tensors, in this order, with the inputs' dtype
     (float32 and float64 must both work), keeping the autograd graph: ``loss.backward()``
     must reach ``x_hat``, ``mu`` and ``log_var`` (no ``.item()``, ``.detach()`` or
     ``torch.tensor(...)`` on intermediate results).

2. ``train_beta_vae(X, betas=(0.1, 1.0, 4.0, 10.0), epochs=5, latent_dim=8, seed=0)
   -> dict[float, dict]``

   - ``X``: a float32 NumPy array of shape (n, features) with values in [0, 1] (the
     grader passes the 8x8 digits, 64 features, or MNIST, 784).
   - For each beta, train a fresh VAE from scratch with your ``beta_vae_loss`` for
     ``epochs`` passes over ``X`` (shuffled mini-batches; we suggest batches of 64 and
     Adam with lr = 1e-3), with the reparameterisation trick z = mu + e^(log_var / 2) * eps.
   - The architecture is yours, as long as the decoder ends in a sigmoid. We suggest a
     small MLP: encoder features -> 128 (ReLU) -> 2 * latent_dim (mu and log_var), decoder
     latent_dim -> 128 (ReLU) -> features (sigmoid).
   - Seeding: call ``torch.manual_seed(seed)`` (and seed any other generator you use) so
     that the same seed gives the same numbers. Re-seeding before each beta gives every
     beta the same initial weights and batches, which makes the betas easier to compare.
   - Return ``{beta: {"recon": ..., "kl": ..., "elbo": ..., "history": [...]}}`` with the
     betas themselves as keys (floats). ``recon`` and ``kl`` are per-example values (as
     ``beta_vae_loss`` returns them: summed over features / latent dimensions, averaged
     over the examples) from a full pass over ``X`` after training (under
     ``torch.no_grad()``; a sampled z or z = mu are both fine), and
     ``elbo = -(recon + kl)``: the true ELBO, whatever beta the model was trained with
     (beta only reweights the training loss, not the bound). ``history`` holds one dict
     per epoch with the same three keys, the averages over that epoch's mini-batches.
     All values are Python floats (``tensor.item()``).
   - Keep it small: the grader trains with ``epochs=5`` on about 1,300 digits (64
     features) on one CPU thread and stops a call after 60 s; the suggested model takes
     a few seconds for the four betas.

3. ``plot_beta_sweep(results) -> matplotlib.figure.Figure``

   - ``results`` is what ``train_beta_vae`` returns. Draw three panels (axes) against
     beta: the ELBO, the KL term and the reconstruction loss, one per panel, each a line
     (``ax.plot``, markers welcome; not ``ax.scatter``) whose x coordinates are the betas
     themselves (a log-scale x axis is fine) and whose y values are
     ``results[beta]["elbo" | "kl" | "recon"]``. Label both axes of every panel.
   - Return the figure; do not call ``plt.show()``.

The grader trains your sweep once (``betas=(0.1, 1.0, 4.0, 10.0)``, ``epochs=5``,
``latent_dim=8``) and checks the results' structure, elbo = -(recon + kl), that KL at
beta = 10 is far below KL at beta = 0.1 (at most a tenth; it never rises by more than
0.1 nats from one beta to the next) and that the reconstruction loss does not fall from
beta = 0.1 to beta = 10 (by more than 1 nat: after only five epochs it may stay level).

Points (8), one line per check:

- 1    plot_beta_sweep draws ELBO, KL and reconstruction against beta in three labelled panels
- 1    train_beta_vae returns per-example recon, kl, elbo per beta and a history per epoch
- 1    elbo = -(recon + kl) for every beta and every epoch (the true ELBO, not the beta loss)
- 1    KL falls as beta grows from 0.1 to 10
- 0.5  the reconstruction loss does not fall as beta grows from 0.1 to 10
- 2    beta_vae_loss returns (loss, recon, kl) matching the reference (float32 and float64)
- 0.5  x_hat exactly 0 or 1: the log terms are clamped at -100, as torch's BCE does
- 1    the loss backpropagates to x_hat, mu and log_var with the right gradient (gradcheck)
"""

import numpy as np  # noqa: F401  (you will need them)
import torch  # noqa: F401
import torch.nn.functional as F  # noqa: F401, N812
from torch import nn  # noqa: F401


def beta_vae_loss(x, x_hat, mu, log_var, beta):
    """Return ``(loss, recon, kl)``: recon + beta * kl, the BCE and the KL, batch-averaged."""
    raise NotImplementedError


def train_beta_vae(X, betas=(0.1, 1.0, 4.0, 10.0), epochs=5, latent_dim=8, seed=0):
    """Train one VAE per beta on ``X``; return ``{beta: {recon, kl, elbo, history}}``."""
    raise NotImplementedError


def plot_beta_sweep(results):
    """Return a Figure with three panels against beta: ELBO, KL and reconstruction loss."""
    raise NotImplementedError
