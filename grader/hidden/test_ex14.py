"""Hidden suite of exercise 14: the symmetric InfoNCE loss (8 points).

The public checks of this exercise (and helpers shared with them) are in
grader/public/test_ex14.py; hidden checks may import from it, never the reverse.
"""

import contextlib
import math

import numpy as np
import pytest
import torch

from grader.checks import (
    Misconception,
    expect_close,
)
from grader.hints import hint_on_failure
from grader.public.test_ex14 import (  # noqa: F401  (shared helpers)
    F32,
    F64,
    FLOAT32,
    MISTAKES,
    VALUE_CASES,
    VALUE_TOL,
    _symmetric,
    case_name,
    differentiable,
    scalar,
    value_hints,
    views,
)

# Gradients, entry-wise with atol = scale * the largest entry of the reference's gradient.
# Measured (same implementations, 50 seeds): |error| / max|g| <= 3.6e-14 in float64 and
# <= 7.5e-6 in float32.
GRAD_TOL = {F64: {"rtol": 1e-7, "scale": 1e-9}, F32: {"rtol": 1e-3, "scale": 1e-4}}


GRAD_CASES = ((16, 32, 0.07, 1.0, F64), (8, 3, 0.5, 1.0, F64), (40, 64, 1.0, 0.3, F64),
              (16, 32, 0.07, 1.0, F32), (33, 7, 0.2, 0.3, F32))


DETACHED_NORM = ("the value is right but the gradient is not: the row norms were detached "
                 "(.detach(), .item() or torch.no_grad()), so the gradient misses how the "
                 "normalisation depends on z; keep the norms in the graph")


def _detached_norm_loss(z1, z2, t):
    a = z1 / z1.norm(dim=1, keepdim=True).detach()
    b = z2 / z2.norm(dim=1, keepdim=True).detach()
    return _symmetric(a @ b.T / t)


def _grads(loss, z1, z2, t):
    a = z1.detach().to(F64).requires_grad_(True)
    b = z2.detach().to(F64).requires_grad_(True)
    return [g.numpy() for g in torch.autograd.grad(loss(a, b, t), (a, b))]


# -- values -------------------------------------------------------------------------------
def check_values(student, ref, rng, dtype):
    for n, d, t, noise in VALUE_CASES:
        z1, z2 = views(rng, n, d, noise, dtype)
        expected = float(ref.info_nce_loss(z1.to(F64), z2.to(F64), t))
        what = f"info_nce_loss(z1, z2, temperature={t:g})"
        case = case_name(n, d, t, dtype)
        got = scalar(student.info_nce_loss(z1, z2, t), what=what, case=case)
        expect_close(got, expected, what=what, case=case,
                     misconceptions=value_hints(z1, z2, t, ref), **VALUE_TOL[dtype])


@pytest.mark.points(1.5)
def test_values_float64(student, ref, rng):
    """the loss matches the reference on random batches (float64)"""
    check_values(student, ref, rng, F64)


# A small temperature in float32 (CLIP lets t fall to 0.01): logits reach +-1/t = +-100. The
# first positive pair is anti-aligned and z2[1] lies along z1[0], so p_00 = e^-200 or less:
# 0 in float32 (the smallest float32 is e^-103.3), as is exp(100) inf. Measured (300 seeds,
# F.cross_entropy, manual log-softmax, concatenated, float32-only): |error| / tolerance <=
# 0.029; a plain log(exp(l_ii) / sum exp(l_ij)) returned inf or nan on every seed.
SMALL_T = (12, 16, 0.01)


UNDERFLOW = ("an inf or nan came back: in float32 a softmax probability underflows to 0 "
             "below e^-103 (here p = e^-200 for the anti-aligned pair), so log(softmax) is "
             "-inf, and exp(l) overflows beyond l = 88. Compute the cross-entropy from the "
             "logits stably: F.cross_entropy(logits, labels), or log_softmax / torch.logsumexp "
             "(which subtract each row's max), never log of a softmax")


def small_temperature_views(rng, n, d, dtype):
    """Random views whose first positive pair is anti-aligned, with a z2 row along z1[0]."""
    z1, z2 = (z.numpy().copy() for z in views(rng, n, d, 1.0, F64))
    z2[0] = -z1[0] * rng.uniform(0.5, 3.0)
    z2[1] = z1[0] * rng.uniform(0.5, 3.0)
    return torch.from_numpy(z1).to(dtype), torch.from_numpy(z2).to(dtype)


@pytest.mark.points(1)
def test_values_float32(student, ref, rng):
    """the loss matches the reference on random batches (float32)"""
    check_values(student, ref, rng, F32)
    n, d, t = SMALL_T
    z1, z2 = small_temperature_views(rng, n, d, F32)
    expected = float(ref.info_nce_loss(z1.to(F64), z2.to(F64), t))
    what = f"info_nce_loss(z1, z2, temperature={t:g})"
    case = case_name(n, d, t, F32, ", logits up to +-100, the first positive pair anti-aligned")
    got = scalar(student.info_nce_loss(z1, z2, t), what=what, case=case)
    with hint_on_failure(UNDERFLOW) if not math.isfinite(got) else contextlib.nullcontext():
        expect_close(got, expected, what=what, case=case,
                     misconceptions=value_hints(z1, z2, t), **VALUE_TOL[F32])


@pytest.mark.points(1)
def test_gradient(student, ref, rng):
    """the gradient matches the reference's gradient"""
    for n, d, t, noise, dtype in GRAD_CASES:
        z1, z2 = views(rng, n, d, noise, dtype)
        case = case_name(n, d, t, dtype)
        grads, facts = differentiable(student, z1, z2, t, case=case)
        expected = _grads(ref.info_nce_loss, z1, z2, t)
        mistakes = [(_grads(loss, z1, z2, t), hint) for loss, hint in MISTAKES]
        mistakes.append((_grads(_detached_norm_loss, z1, z2, t), DETACHED_NORM))
        tol = GRAD_TOL[dtype]
        for index, (got, want) in enumerate(zip(grads, expected, strict=True)):
            hints = [Misconception(g[index], hint) for g, hint in mistakes]
            if dtype == F64 and facts.get("dtype") == "float32":
                hints.insert(0, Misconception(got, "the loss is float32 for float64 inputs: "
                                                   + FLOAT32))
            expect_close(got, want, what=f"the gradient with respect to z{index + 1}",
                         case=case, rtol=tol["rtol"],
                         atol=tol["scale"] * float(np.abs(want).max()), misconceptions=hints)
