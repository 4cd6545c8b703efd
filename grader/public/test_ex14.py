"""Public checks of exercise 14: the symmetric InfoNCE loss (8 points).

These checks need no reference code (properties, scipy and numpy formulas, numerical
gradients of your own functions, pen-and-paper answers stored as numbers); they ship
to students. The hidden checks of this exercise are in grader/hidden/ (sealed).
"""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from grader.checks import (
    CheckFailure,
    Misconception,
    as_float,
    close,
    expect,
    expect_raises,
    fail,
    matching_hint,
)
from grader.hints import NO_VALIDATION, hint_on_failure
from grader.honest import expect_below, expect_nonzero
from grader.torch_checks import expect_differentiable_scalar, gradcheck

F32, F64 = torch.float32, torch.float64


# (N, D, temperature, noise of the second view); the friendliest case first: it is the one
# feedback shows. A noise of 0.01 gives nearly identical views (a loss near 0 at t = 0.07).
VALUE_CASES = ((16, 32, 0.07, 1.0), (8, 3, 0.5, 1.0), (64, 128, 1.0, 0.5), (2, 16, 0.2, 1.0),
               (33, 7, 0.07, 0.3), (128, 64, 0.1, 1.0), (5, 300, 0.05, 2.0),
               (32, 64, 0.07, 0.01))


# Values are compared with the float64 reference on the same inputs. Measured over 100
# seeds x these cases with four correct implementations (F.cross_entropy, a manual
# log-softmax, a loop with exp / sum, one concatenated cross-entropy): float64 within
# 3.1e-15 absolute (9.3e-13 relative on a loss of 8.7e-5); float32 within 1.23e-6 absolute
# (on a loss of 3.3; 4.2e-8 on a loss of 8.7e-5). Swapping the views or rescaling the rows
# moves a float32 loss by at most 4.8e-7 (3.0e-6 relative). Margins: 14x at least.
VALUE_TOL = {F64: {"rtol": 1e-9, "atol": 1e-12}, F32: {"rtol": 1e-5, "atol": 1e-6}}


# torch.autograd.gradcheck calls the function once per perturbed entry: keep them small
GRADCHECK_CASES = ((5, 4, 0.1, 1.0), (4, 3, 1.0, 0.5))


def dtype_name(dtype):
    return str(dtype).removeprefix("torch.")


def case_name(n, d, t, dtype, extra=""):
    return f"N={n}, D={d}, t={t:g}, {dtype_name(dtype)}{extra}"


def views(rng, n, d, noise, dtype):
    """Two views (N, D): rows of random norms, the second a noisy, rescaled copy of the first."""
    z1 = rng.standard_normal((n, d)) * rng.uniform(0.5, 3.0, size=(n, 1))
    z2 = z1 + noise * np.abs(z1).mean() * rng.standard_normal((n, d))
    z2 = z2 * rng.uniform(0.5, 3.0, size=(n, 1))
    return torch.from_numpy(z1).to(dtype), torch.from_numpy(z2).to(dtype)


# -- the known mistakes, computed in float64 in the trusted process ----------------------------
def _ce(logits):
    return F.cross_entropy(logits, torch.arange(logits.shape[0]))


def _symmetric(logits):
    return 0.5 * (_ce(logits) + _ce(logits.T))


def _cos(z1, z2):
    return F.normalize(z1, dim=1) @ F.normalize(z2, dim=1).T


ONE_DIRECTION = ("the symmetric loss is the mean of the cross-entropy over the rows of "
                 "logits (z1 picks its partner in z2) and the one over its columns, i.e. the "
                 "rows of logits.T (z2 picks its partner in z1)")


NO_L2 = ("the rows were not L2-normalised: divide each row of z1 and of z2 by its norm "
         "(F.normalize(z, dim=1)) before the dot products")


NOT_DIVIDED = "the logits were not divided by the temperature: logits = z1 @ z2.T / temperature"


MULTIPLIED = ("the logits were multiplied by the temperature; divide them by it: "
              "logits = z1 @ z2.T / temperature")


SUMMED = ("this is the sum over the N examples, not the mean: average over them (divide by "
          "N, as F.cross_entropy's default reduction='mean' does)")


DETACHED = ("the loss must stay a tensor attached to the autograd graph: return the tensor "
            "itself, not loss.item(), float(loss) or loss.detach()")


FLOAT32 = ("compute in the inputs' dtype (no .float() or float32 tensors made inside the "
           "function)")


MISTAKES = (
    (lambda z1, z2, t: _ce(_cos(z1, z2) / t), "this is the cross-entropy in one direction "
     "only (over the rows of logits): " + ONE_DIRECTION),
    (lambda z1, z2, t: _ce(_cos(z1, z2).T / t), "this is the cross-entropy in one direction "
     "only (over the columns of logits): " + ONE_DIRECTION),
    (lambda z1, z2, t: _symmetric(z1 @ z2.T / t), NO_L2),
    (lambda z1, z2, t: _symmetric(_cos(z1, z2)), NOT_DIVIDED),
    (lambda z1, z2, t: _symmetric(_cos(z1, z2) * t), MULTIPLIED),
    (lambda z1, z2, t: z1.shape[0] * _symmetric(_cos(z1, z2) / t), SUMMED),
    (lambda z1, z2, t: 2 * _symmetric(_cos(z1, z2) / t), "this is the sum of the two "
     "cross-entropies; the symmetric loss is their mean (divide by 2)"),
    (lambda z1, z2, t: 2 * z1.shape[0] * _symmetric(_cos(z1, z2) / t), "this is summed over "
     "the N examples and over the two directions; take the mean of the two cross-entropies, "
     "each averaged over the N examples"),
)


def value_hints(z1, z2, t, ref=None):
    """Misconceptions for the loss of (z1, z2, t): the value each known mistake gives."""
    a, b = z1.detach().to(F64), z2.detach().to(F64)
    hints = [Misconception(float(loss(a, b, t)), hint) for loss, hint in MISTAKES]
    if ref is not None and z1.dtype == F64:
        low = float(ref.info_nce_loss(a.to(F32), b.to(F32), t))
        hints.append(Misconception(low, "this is the float32 value: " + FLOAT32))
    return hints


def scalar(got, *, what, case):
    """A returned loss as a float: a tensor of shape () or (1,), as the gradient checks take
    them (a float too: the gradient checks say why not); any other shape fails here with a
    clearer message than as_float's "should return a float"."""
    if isinstance(got, torch.Tensor):
        if tuple(got.shape) not in ((), (1,)):
            fail(f"{case}: {what} should return a scalar (0-dimensional) tensor; it returned "
                 f"one of shape {tuple(got.shape)}")
        got = got.reshape(())
    return as_float(got, what=what)


def loss_of(student, z1, z2, t, *, case):
    """The student's loss as a finite float."""
    value = scalar(student.info_nce_loss(z1, z2, t), what=f"info_nce_loss(z1, z2, {t:g})",
                   case=case)
    expect(math.isfinite(value), f"{case}: info_nce_loss returned {value}; expected a "
                                 "finite loss")
    return value


# -- properties ---------------------------------------------------------------------------
def expect_same(got, expected, *, what, before, case, dtype, hint):
    """Fail unless two of the student's losses agree to the dtype's precision."""
    if close(got, expected, **VALUE_TOL[dtype]):
        return
    if dtype == F64 and close(got, expected, **VALUE_TOL[F32]):
        hint = "the difference is at float32 precision: " + FLOAT32
    fail(f"{case}: {what} returned {got:.10g}, but {before} returned {expected:.10g}"
         f"\nHint: {hint}")


def expect_some_gradient(grads, *, case):
    """A constant tensor (0 * z1.sum() + 1) backpropagates and passes gradcheck with zero
    gradients: those checks count only when the gradient is not all zeros (for random views
    it never is)."""
    flat = np.concatenate([g.detach().cpu().double().reshape(-1).numpy() for g in grads])
    expect_nonzero(flat, what="the gradient of info_nce_loss w.r.t. (z1, z2)", case=case,
                   atol=1e-12)


def expect_tells_pairs_apart(student, rng):
    """A constant is symmetric and scale-invariant: the properties count only for a loss
    that gives matched views a lower value than unrelated ones (every variant of InfoNCE
    does, by far: about 1.7 against log 32 = 3.47 for the right loss)."""
    n, d, t = 32, 64, 0.5
    z1 = torch.from_numpy(rng.standard_normal((n, d)))
    unrelated = torch.from_numpy(rng.standard_normal((n, d)))
    case = case_name(n, d, t, F64)
    matched_loss = loss_of(student, z1, z1.clone(), t, case=f"{case}, identical views")
    unrelated_loss = loss_of(student, z1, unrelated, t, case=f"{case}, unrelated views")
    expect_below(matched_loss, unrelated_loss, what=f"info_nce_loss(z1, z2, {t:g})",
                 lower_case=f"{case}, identical views (z2 = z1)",
                 higher_case="the same z1 with an unrelated random z2",
                 why="the loss rewards each row of z1 for matching its own row of z2")


@pytest.mark.public
@pytest.mark.points(0.5)
def test_symmetric(student, rng):
    """swapping the two views gives the same loss"""
    hint = ("swapping z1 and z2 turns logits into logits.T, which exchanges the row and the "
            "column cross-entropies, so their mean does not change; a loss in one direction "
            "only (the cross-entropy over the rows of logits) is not symmetric")
    for n, d, t, noise in VALUE_CASES[:4]:
        for dtype in (F64, F32):
            z1, z2 = views(rng, n, d, noise, dtype)
            case = case_name(n, d, t, dtype)
            forward = loss_of(student, z1, z2, t, case=case)
            swapped = loss_of(student, z2, z1, t, case=case)
            expect_same(swapped, forward, what=f"info_nce_loss(z2, z1, {t:g})",
                        before=f"info_nce_loss(z1, z2, {t:g})", case=case, dtype=dtype,
                        hint=hint)
    expect_tells_pairs_apart(student, rng)


@pytest.mark.public
@pytest.mark.points(0.5)
def test_row_rescaling(student, rng):
    """rescaling rows by positive factors leaves the loss unchanged"""
    hint = ("the loss must depend on the directions of the rows only: " + NO_L2)
    for n, d, t, noise in VALUE_CASES[:4]:
        for dtype in (F64, F32):
            z1, z2 = views(rng, n, d, noise, dtype)
            c1 = torch.from_numpy(np.exp(rng.uniform(-2.3, 2.3, size=(n, 1)))).to(dtype)
            c2 = torch.from_numpy(np.exp(rng.uniform(-2.3, 2.3, size=(n, 1)))).to(dtype)
            case = case_name(n, d, t, dtype)
            before = loss_of(student, z1, z2, t, case=case)
            after = loss_of(student, z1 * c1, z2 * c2, t, case=case)
            expect_same(after, before, what=f"info_nce_loss(z1 * c1, z2 * c2, {t:g})",
                        before=f"info_nce_loss(z1, z2, {t:g})",
                        case=f"{case}, each row multiplied by a factor between 0.1 and 10",
                        dtype=dtype, hint=hint)
    expect_tells_pairs_apart(student, rng)


# Random views at t = 1 (20,000 seeds each): the loss is log N * (1 + 7.0e-4 +- 9.9e-4) for
# N = 256, D = 128 (at most 0.52 % off) and log N * (1 + 2.0e-4 +- 8.0e-4) for N = 128,
# D = 512 (at most 0.32 % off): 1 % is 9.4 and 12 standard deviations away. Identical views
# at t = 0.07, N = 128, D = 128 (5,000 seeds, float64 and float32): 1.62e-4 to 1.91e-4
# (median 1.75e-4), 50 times below the threshold of 0.01.
RANDOM_CASES = ((256, 128, F64), (128, 512, F32))


IDENTICAL_CASES = ((128, 128, F64), (128, 128, F32))


@pytest.mark.public
@pytest.mark.points(1)
def test_random_and_identical_views(student, rng):
    """random views give about log N at t = 1.0, identical views about 0 at t = 0.07"""
    for n, d, dtype in RANDOM_CASES:
        z1 = torch.from_numpy(rng.standard_normal((n, d))).to(dtype)
        z2 = torch.from_numpy(rng.standard_normal((n, d))).to(dtype)
        case = case_name(n, d, 1.0, dtype, ", random unrelated views")
        got = loss_of(student, z1, z2, 1.0, case=case)
        log_n = math.log(n)
        if not abs(got - log_n) <= 0.01 * log_n:
            hint = matching_hint(got, value_hints(z1, z2, 1.0))
            fail(f"{case}: info_nce_loss returned {got:.6g}; expected about log N = "
                 f"{log_n:.6g} (within 1 %). At t = 1.0 with D >= 128 the loss of random "
                 f"views is log N + 1/(2 t^2 D) = {log_n + 1 / (2 * d):.4g} on average"
                 + (f"\nHint: {hint}" if hint else ""))
    for n, d, dtype in IDENTICAL_CASES:
        z1 = torch.from_numpy(rng.standard_normal((n, d))).to(dtype)
        case = case_name(n, d, 0.07, dtype, ", identical views (z2 = z1)")
        got = loss_of(student, z1, z1.clone(), 0.07, case=case)
        if not -1e-6 <= got < 0.01:
            hint = matching_hint(got, value_hints(z1, z1, 0.07))
            fail(f"{case}: info_nce_loss returned {got:.6g}; expected about 0 (below 0.01). "
                 "At t = 0.07 identical views give about 1.7e-4 for N = 128, D = 128 (only "
                 "at a small temperature is the loss of perfect views near 0)"
                 + (f"\nHint: {hint}" if hint else ""))


# -- gradients ----------------------------------------------------------------------------
def differentiable(student, z1, z2, t, *, case):
    """Call with z1, z2 requiring grad; fail unless the loss backpropagates to both.

    Return the gradients and the facts about the returned loss (its dtype...)."""
    result = student.info_nce_loss.grad(z1, z2, t, wrt=(0, 1))
    try:
        grads = expect_differentiable_scalar(result, what=f"info_nce_loss(z1, z2, {t:g})",
                                             case=case)
    except CheckFailure as failure:
        facts = result.facts
        if not facts.get("tensor") or not facts.get("grad_fn"):
            fail(f"{failure.feedback}\nHint: {DETACHED}")
        raise
    return grads, result.facts


@pytest.mark.public
@pytest.mark.points(1)
def test_differentiable(student, rng):
    """the loss is a differentiable scalar tensor"""
    for n, d, t, noise in VALUE_CASES[:2]:
        for dtype in (F32, F64):
            z1, z2 = views(rng, n, d, noise, dtype)
            grads, _ = differentiable(student, z1, z2, t, case=case_name(n, d, t, dtype))
            expect_some_gradient(grads, case=case_name(n, d, t, dtype))


@pytest.mark.public
@pytest.mark.points(1)
def test_gradcheck(student, rng):
    """the gradient passes torch.autograd.gradcheck (float64)"""
    for n, d, t, noise in GRADCHECK_CASES:
        z1, z2 = views(rng, n, d, noise, F64)
        case = case_name(n, d, t, F64)
        try:
            gradcheck(student.info_nce_loss, wrt=(0, 1), args=(z1, z2, t), case=case,
                      names=("z1", "z2"))
        except CheckFailure as failure:
            text = failure.feedback
            if "finite differences" in text:
                hint = ("Usual causes: part of the computation "
                        "is detached (.detach(), .item(), .data, torch.no_grad(), for example "
                        "on the row norms), or it runs in float32")
            else:
                hint = DETACHED
            fail(f"{text}\nHint: {hint}")
        grads, _ = differentiable(student, z1, z2, t, case=case)
        expect_some_gradient(grads, case=case)


# -- errors -------------------------------------------------------------------------------
@pytest.mark.public
@pytest.mark.points(0.5)
def test_invalid_input(student, rng):
    """ValueError for bad shapes or a temperature <= 0"""
    def tensor(*shape):
        return torch.from_numpy(rng.standard_normal(shape)).to(F32)

    cases = (
        ((tensor(4, 3), tensor(5, 3), 0.07), "z1 of shape (4, 3), z2 of shape (5, 3)"),
        ((tensor(4, 3), tensor(4, 5), 0.07), "z1 of shape (4, 3), z2 of shape (4, 5)"),
        ((tensor(4), tensor(4), 0.07), "1-D z1 and z2 of shape (4,)"),
        ((tensor(2, 4, 3), tensor(2, 4, 3), 0.07), "3-D z1 and z2 of shape (2, 4, 3)"),
        ((tensor(4, 3), tensor(4, 3), 0.0), "temperature = 0"),
        ((tensor(4, 3), tensor(4, 3), -0.5), "temperature = -0.5"),
    )
    with hint_on_failure(NO_VALIDATION + " (z1 and z2 of the same shape (N, D), "
                         "temperature > 0)"):
        for args, case in cases:
            expect_raises(ValueError, student.info_nce_loss, *args, what="info_nce_loss",
                          case=case)
