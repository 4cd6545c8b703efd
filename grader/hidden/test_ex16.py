"""Hidden suite of exercise 16: a beta-VAE sweep (8 points).

The loss is checked against the reference on random tensors; training is checked for
its structure, for elbo = -(recon + kl), and for the direction of the beta trade-off
with thresholds measured over many seeds and implementations
(``bench/ex16_thresholds.py``); the plot gets fixed, made-up results so it is graded
apart from training.

The public checks of this exercise (and helpers shared with them) are in
grader/public/test_ex16.py; hidden checks may import from it, never the reverse.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from grader.checks import (
    Misconception,
    as_float,
    as_tensor,
    close,
    describe,
    expect,
    expect_close,
)
from grader.honest import expect_nonzero
from grader.torch_checks import expect_differentiable_scalar, expect_tensor_close, gradcheck


# -- loss cases -----------------------------------------------------------------------------
def loss_case(rng, *, batch, features, latent, beta, dtype, binary=False):
    x = (rng.random((batch, features)) < 0.4).astype(float) if binary \
        else rng.uniform(0.0, 1.0, (batch, features))
    x_hat = rng.uniform(0.05, 0.95, (batch, features))
    mu = rng.normal(0.0, 1.0, (batch, latent))
    log_var = rng.normal(0.0, 0.7, (batch, latent))
    tensors = [torch.tensor(a, dtype=dtype) for a in (x, x_hat, mu, log_var)]
    name = str(dtype).removeprefix("torch.")
    target = "binary x" if binary else "x in [0, 1]"
    case = (f"{name}, a batch of {batch}, {features} features, {latent} latent dims, "
            f"{target}, beta = {beta:g}")
    return case, (*tensors, beta)


def loss_cases(rng):
    yield loss_case(rng, batch=4, features=6, latent=3, beta=0.5, dtype=torch.float64)
    yield loss_case(rng, batch=16, features=64, latent=8, beta=4.0, dtype=torch.float32)
    yield loss_case(rng, batch=5, features=10, latent=2, beta=10.0, dtype=torch.float64,
                    binary=True)
    yield loss_case(rng, batch=32, features=784, latent=16, beta=0.1, dtype=torch.float32,
                    binary=True)
    yield loss_case(rng, batch=1, features=7, latent=4, beta=1.0, dtype=torch.float64)


def bce_sum(x, x_hat, *, eps=None, mode="clamp_log"):
    """Summed BCE in float64, the reference's way or a known variant of it."""
    x, x_hat = x.double(), x_hat.double()
    if mode == "clip":
        x_hat = x_hat.clamp(eps, 1 - eps)
    elif mode == "add":
        return -(x * torch.log(x_hat + eps) + (1 - x) * torch.log(1 - x_hat + eps)).sum()
    log_p = torch.log(x_hat)
    log_q = torch.log(1 - x_hat)
    if mode == "none":
        return -(x * log_p + (1 - x) * log_q).sum()
    return -(x * log_p.clamp(min=-100) + (1 - x) * log_q.clamp(min=-100)).sum()


def recon_hints(x, x_hat, ref_out) -> list[Misconception]:
    loss, recon, kl = (float(v) for v in ref_out)
    batch, features = x.shape[0], x[0].numel()
    swapped = float(bce_sum(x_hat, x)) / batch
    return [
        Misconception(recon / features, "recon looks averaged over the features (pixels), "
                      "as reduction='mean' does: sum the binary cross-entropy over the "
                      "features, then average over the batch only"),
        Misconception(recon * batch, "recon is summed over the batch: average it over the "
                      "batch (divide by x.shape[0])"),
        Misconception(-recon, "recon has the wrong sign: the BCE is "
                      "-[x log x_hat + (1 - x) log(1 - x_hat)] >= 0"),
        Misconception(swapped, "x and x_hat are swapped: binary_cross_entropy(input=x_hat, "
                      "target=x)"),
        Misconception(kl, "this is kl: return (loss, recon, kl) in this order"),
        Misconception(loss, "this is the loss: return (loss, recon, kl) in this order"),
    ]


def kl_hints(ref_out, latent) -> list[Misconception]:
    loss, recon, kl = (float(v) for v in ref_out)
    return [
        Misconception(2 * kl, "kl is twice the expected value: the closed form has a factor "
                      "1/2: -0.5 * sum(1 + log_var - mu^2 - exp(log_var))"),
        Misconception(kl / latent, "kl is averaged over the latent dimensions: sum it over "
                      "them, then average over the batch"),
        Misconception(-kl, "kl has the wrong sign: KL(q || p) >= 0"),
        Misconception(recon, "this is recon: return (loss, recon, kl) in this order"),
        Misconception(loss, "this is the loss: return (loss, recon, kl) in this order"),
    ]


def loss_hints(ref_out, beta, batch, features) -> list[Misconception]:
    loss, recon, kl = (float(v) for v in ref_out)
    return [
        Misconception(beta * recon + kl, "beta multiplies the reconstruction term; it should "
                      "weigh the KL term: loss = recon + beta * kl"),
        Misconception(recon + kl, "the loss ignores beta: loss = recon + beta * kl"),
        Misconception(recon - beta * kl, "the KL term is subtracted: loss = recon + beta * kl "
                      "(the negative ELBO when beta = 1)"),
        Misconception(recon / features + beta * kl, "the reconstruction term is averaged over "
                      "the features: sum it over them"),
        Misconception(recon, "this is recon: return (loss, recon, kl) in this order"),
    ]


def batch_hints(ref_out, batch) -> list[Misconception]:
    """Hints for a kl (or loss) that is summed over the batch instead of averaged."""
    loss, recon, kl = (float(v) for v in ref_out)
    return [Misconception(kl * batch, "kl is summed over the batch: average it over the batch "
                          "(divide by the batch size), as recon is"),
            Misconception(recon + batch * kl, "kl is summed over the batch: average it over "
                          "the batch (divide by the batch size), as recon is")]


def loss_outputs(value, what: str, case: str, dtype) -> list[torch.Tensor]:
    """The three scalar tensors (loss, recon, kl) of a returned tuple."""
    expect(isinstance(value, (tuple, list)) and len(value) == 3,
           f"{case}: {what} should return a tuple (loss, recon, kl) of three scalar tensors; "
           f"it returned {describe(value)}")
    out = []
    for name, item in zip(("loss", "recon", "kl"), value, strict=True):
        tensor = as_tensor(item, what=f"{what}'s {name}")
        expect(tensor.numel() == 1, f"{case}: {name} should be a scalar (averaged over the "
               f"batch); it has shape {tuple(tensor.shape)}")
        expect(tensor.dtype == dtype, f"{case}: {name} is a {str(tensor.dtype)[6:]} tensor for "
               f"{str(dtype)[6:]} inputs: keep the inputs' dtype")
        out.append(tensor.detach().reshape(()))
    return out


def compare_outputs(student, ref, case, args, *, rtol, atol, hints=None):
    """Compare the student's (loss, recon, kl) with the reference's; recon, kl, then loss."""
    x, x_hat, mu, log_var, beta = args
    ref_out = ref.beta_vae_loss(*args)
    expected = [float(v) for v in ref_out]
    got = loss_outputs(student.beta_vae_loss(*args), "beta_vae_loss()", case, x.dtype)
    batch, features, latent = x.shape[0], x[0].numel(), mu[0].numel()
    hints = hints if hints is not None else {
        1: recon_hints(x, x_hat, ref_out),
        2: kl_hints(ref_out, latent) + batch_hints(ref_out, batch),
        0: loss_hints(ref_out, beta, batch, features) + batch_hints(ref_out, batch),
    }
    for index, name in ((1, "recon"), (2, "kl"), (0, "loss")):
        expect_close(got[index], expected[index], what=f"beta_vae_loss(...)[{index}] ({name})",
                     case=case, rtol=rtol, atol=atol, misconceptions=hints.get(index, ()))


# -- checks ------------------------------------------------------------------------------------
@pytest.mark.points(2)
def test_loss_values(student, ref, rng):
    """beta_vae_loss returns (loss, recon, kl) matching the reference (float32 and float64)"""
    for case, args in loss_cases(rng):
        float64 = args[0].dtype == torch.float64
        compare_outputs(student, ref, case, args, rtol=1e-9 if float64 else 2e-5,
                        atol=1e-9 if float64 else 1e-4)


def clamp_case(dtype):
    # rows: perfect confident predictions; confidently wrong; soft targets against 0 and 1
    x = torch.tensor([[1.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.5, 1.0], [0.25, 0.75, 1.0, 0.0]],
                     dtype=dtype)
    x_hat = torch.tensor([[1.0, 0.0, 0.9, 0.2], [0.0, 1.0, 0.5, 0.7], [1.0, 0.0, 1.0, 0.0]],
                         dtype=dtype)
    mu = torch.tensor([[0.3, -0.2], [0.0, 1.0], [-0.5, 0.4]], dtype=dtype)
    log_var = torch.tensor([[0.1, -0.3], [0.2, 0.0], [-1.0, 0.5]], dtype=dtype)
    return x, x_hat, mu, log_var, 2.0


@pytest.mark.points(0.5)
def test_loss_clamp(student, ref):
    """x_hat exactly 0 or 1: the log terms are clamped at -100, as torch's BCE does"""
    advice = ("x_hat contains exact 0s and 1s (a saturated sigmoid gives them): clamp each log "
              "term at -100, torch.clamp(torch.log(x_hat), min=-100), as "
              "F.binary_cross_entropy does")
    for dtype in (torch.float64, torch.float32):
        args = clamp_case(dtype)
        x, x_hat = args[0], args[1]
        batch, features = x.shape
        case = (f"{str(dtype)[6:]}, x_hat with exact 0s and 1s (right and wrong confident "
                "predictions)")
        got = loss_outputs(student.beta_vae_loss(*args), "beta_vae_loss()", case, dtype)
        recon = float(ref.beta_vae_loss(*args)[1])
        # the reductions are graded by the values check: here only the clamp counts
        accepted = (recon, recon / features, recon * batch)
        tolerance = {"rtol": 1e-9, "atol": 1e-6} if dtype == torch.float64 else \
            {"rtol": 1e-5, "atol": 1e-4}
        value = as_float(got[1], what="beta_vae_loss(...)[1] (recon)")
        if not any(close(value, a, **tolerance) for a in accepted):
            variants = [Misconception(math.inf, advice), Misconception(math.nan, advice)]
            for eps in (1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-10, 1e-12, 1e-15):
                for mode in ("clip", "add"):
                    variants.append(Misconception(
                        float(bce_sum(x, x_hat, eps=eps, mode=mode)) / batch,
                        advice + " (an epsilon gives another value where x_hat is exactly 0 "
                        "or 1)"))
            expect_close(value, recon, what="beta_vae_loss(...)[1] (recon)", case=case,
                         misconceptions=variants, **tolerance)
        loss = as_float(got[0], what="beta_vae_loss(...)[0] (loss)")
        expect(math.isfinite(loss), f"{case}: beta_vae_loss(...)[0] (loss) is {loss}. "
               f"Hint: {advice}")


@pytest.mark.points(1)
def test_loss_gradient(student, ref, rng):
    """the loss backpropagates to x_hat, mu and log_var with the right gradient (gradcheck)"""
    for dtype, rtol, atol in ((torch.float64, 1e-7, 1e-10), (torch.float32, 1e-4, 1e-5)):
        case, args = loss_case(rng, batch=6, features=12, latent=4, beta=2.0, dtype=dtype)
        result = student.beta_vae_loss.grad(*args, wrt=(1, 2, 3), output=0)
        grads = expect_differentiable_scalar(result, what="beta_vae_loss(...)[0] (loss)",
                                             case=case)
        # a constant loss backpropagates (and passes gradcheck) with zero gradients
        expect_nonzero(np.concatenate([g.detach().double().reshape(-1).numpy() for g in grads]),
                       what="the gradient of the loss w.r.t. (x_hat, mu, log_var)", case=case,
                       atol=1e-12)
        leaves = [a.detach().clone().requires_grad_(True) for a in args[:4]]
        loss, _, _ = ref.beta_vae_loss(*leaves, args[4])
        expected = torch.autograd.grad(loss, leaves[1:])
        got = loss_outputs(result.value, "beta_vae_loss()", case, dtype)
        if not close(float(got[0]), float(loss.detach()), rtol=rtol, atol=atol):
            continue  # wrong values lose the values check; gradcheck below still runs
        for name, grad, want in zip(("x_hat", "mu", "log_var"), grads, expected, strict=True):
            expect_tensor_close(grad, want, what=f"the gradient of the loss w.r.t. {name}",
                                case=case, rtol=rtol, atol=atol)
    case, args = loss_case(rng, batch=2, features=4, latent=2, beta=0.7, dtype=torch.float64)
    gradcheck(student.beta_vae_loss, wrt=(1, 2, 3), args=args, output=0, case=case)
