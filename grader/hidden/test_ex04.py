"""Hidden suite of exercise 4: softmax, cross-entropy loss and its gradient (8 points).

The public checks of this exercise (and helpers shared with them) are in
grader/public/test_ex04.py; hidden checks may import from it, never the reverse.
"""

import math

import numpy as np
import pytest

from grader import oracles
from grader.checks import (
    CheckFailure,
    Misconception,
    as_array,
    central_differences,
    describe,
    expect_close,
    fail,
    finite,
    oracles_agree,
)
from grader.honest import expect_nonzero
from grader.public.test_ex04 import (  # noqa: F401  (shared helpers)
    DTYPE_NAME,
    F32,
    F64,
    GRAD_SIGN_HINT,
    H64,
    NOT_BY_N_HINT,
    NUM_TOL64,
    f64,
    finite_only,
    gradient_cases,
    onehot,
    random_labels,
    softmax_grad_hints,
    softmax_variants,
    student_loss_at,
)

#: Tolerances were measured over seeds 0..199 with four correct implementations (scipy's
#: logsumexp keeping float32, math-module loops, NumPy in the input's dtype with
#: softmax = exp(z - logsumexp), float32 log-softmax): the worst error / tolerance was
#: 0.036 (float32 central differences), 0.035 (float32 gradient), 0.026 (float32 loss),
#: 0.019 (float32 softmax), 0.009 (float64 loss at |z| ~ 1000, relative error 1.5e-11),
#: 4e-4 (float64 central differences, 7e-11 absolute), 3e-7 (tiny p_y loss).
#: float64: every correct way of computing these agrees with the reference to ~1e-15
#: relative (1.5e-11 for losses ~2000 at |z| ~ 1000).
TOL64 = {"rtol": 1e-9, "atol": 1e-12}


#: float32, computed in float32 end to end. exp(z - logsumexp(z)) and m + log(sum) round
#: at the scale of the logits (a float32 near 1000 is only known to 6e-5), so the
#: tolerances grow with max|z|: relative FLOAT32_SCALE * max(1, max|z|), at least 1e-5.
EPS32 = float(np.finfo(np.float32).eps)


FLOAT32_SCALE = 16 * EPS32


TOL32_FLOOR = {"rtol": 1e-5, "atol": 1e-6}


#: rows of the gradient sum to 0 (absolute; the gradient's entries are at most 1)
ROW_SUM_ATOL = {F64: 1e-12, F32: 1e-5}


#: the epsilons students add inside the log (or clip p at)
EPSILONS = (1e-7, 1e-8, 1e-9, 1e-10, 1e-12, 1e-15, 1e-16, 1e-20)


OVERFLOW_HINT = ("an inf or nan came back: exp overflowed (exp(z) is inf beyond z = 709 in "
                 "float64, 88 in float32) or underflowed to 0/0. Subtract each row's max "
                 "first, z - z.max(axis=-1, keepdims=True): softmax does not change, and the "
                 "largest exponent becomes exp(0) = 1")


LOG_OF_P_HINT = ("; and compute the loss as logsumexp(z) - z_y (with the max subtracted): "
                 "-log(softmax(z)[y]) is inf when p_y underflows to 0")


EPS_HINT = ("this is -log(p_y + eps) (or -log of p clipped at eps): adding eps inside the "
            "log biases the loss when p_y is tiny (it caps the loss near -log(eps) and makes "
            "its gradient ~0 instead of p - onehot). Compute the loss as "
            "logsumexp(z) - z_y, which is exact for any p_y")


SUMMED_HINT = ("this is the sum of the rows' losses; for a batch the loss is their mean "
               "(divide by N)")


BY_C_HINT = ("this is divided by N * C (a mean over every entry of the one-hot matrix); "
             "the batch loss is the mean over the N rows only")


BITS_HINT = "this is in bits: use the natural logarithm (nats)"


LOSS_SIGN_HINT = "the sign is flipped: the loss is -log p_y, which is >= 0"


NO_ONEHOT_HINT = "this is softmax(z): subtract the one-hot label, p - onehot(y)"


def label_probabilities(p, y):
    p = np.atleast_2d(p)
    return p[np.arange(p.shape[0]), np.atleast_1d(np.asarray(y))]


def softmax_hints(z):
    with np.errstate(all="ignore"):
        return finite_only([Misconception(value, hint) for value, hint in softmax_variants(z)])


def loss_hints(ref, z, y):
    with np.errstate(all="ignore"):
        return finite_only(_loss_hints(ref, z, y))


def _loss_hints(ref, z, y):
    a = f64(z)
    loss = ref.cross_entropy_loss(a, y)
    p_y = label_probabilities(ref.softmax(a), y)
    hints = []
    if a.ndim == 2:
        n = a.shape[0]
        hints.append(Misconception(n * loss, SUMMED_HINT))
        hints.append(Misconception(loss / a.shape[1], BY_C_HINT))
        hints += [Misconception(float(np.mean(-np.log(label_probabilities(p, y)))), hint)
                  for p, hint in softmax_variants(a)]
    hints += [Misconception(-loss, LOSS_SIGN_HINT), Misconception(loss / math.log(2), BITS_HINT)]
    for eps in EPSILONS:
        hints.append(Misconception(float(np.mean(-np.log(p_y + eps))), EPS_HINT))
        hints.append(Misconception(float(np.mean(-np.log(np.maximum(p_y, eps)))), EPS_HINT))
    return hints


def grad_hints(ref, z, y):
    with np.errstate(all="ignore"):
        return finite_only(_grad_hints(ref, z, y))


def _grad_hints(ref, z, y):
    a = f64(z)
    grad = ref.cross_entropy_grad(a, y)
    hints = [Misconception(-grad, GRAD_SIGN_HINT)]
    if a.ndim == 2:
        n = a.shape[0]
        hints += [Misconception(n * grad, NOT_BY_N_HINT),
                  Misconception(grad / a.shape[1], BY_C_HINT),
                  Misconception(ref.softmax(a) / n, NO_ONEHOT_HINT),
                  Misconception(-n * grad, GRAD_SIGN_HINT + "; and " + NOT_BY_N_HINT)]
        hints += [Misconception((p - onehot(a, y)) / n, hint) for p, hint in softmax_variants(a)]
    hints.append(Misconception(ref.softmax(a), NO_ONEHOT_HINT))
    return hints


def eps_loss_gradients(ref, z, y):
    """Gradients of the mean of -log(p_y + eps) and of -log(max(p_y, eps))."""
    a = f64(z)
    p = ref.softmax(a)
    p_y = label_probabilities(p, y)
    base = np.atleast_2d(p - onehot(a, y)) / p_y.size
    out = []
    for eps in EPSILONS:
        for factor in (p_y / (p_y + eps), (p_y >= eps).astype(F64)):
            out.append((base * factor[:, None]).reshape(a.shape))
    return out


def tolerance(z, dtype):
    """Tolerances for softmax, loss and gradient values of logits z of this dtype."""
    if dtype == F64:
        return TOL64
    scale = max(1.0, float(np.max(np.abs(f64(z)))))
    return {"rtol": max(TOL32_FLOOR["rtol"], FLOAT32_SCALE * scale),
            "atol": max(TOL32_FLOOR["atol"], FLOAT32_SCALE * scale)}


def expect_finite_close(got, expected, *, what, case, inputs, misconceptions, tol,
                        extra_hint=""):
    """expect_close, with the overflow hint when a non-finite value comes back."""
    try:
        return expect_close(got, expected, what=what, case=case, inputs=inputs,
                            misconceptions=misconceptions, **tol)
    except CheckFailure as failure:
        if "\nHint:" in failure.feedback or finite(got) or not finite(expected):
            raise
        fail(failure.feedback + "\nHint: " + OVERFLOW_HINT + extra_hint)


def oracle_check(ref, z, y):
    """The reference agrees with scipy.special (a second, independent oracle)."""
    a = f64(z)
    oracles_agree(ref.softmax(a), oracles.special.softmax(a, axis=-1), what="softmax")
    log_p = oracles.special.log_softmax(a, axis=-1)
    expected = float(np.mean(-label_probabilities(log_p, y)))
    oracles_agree(ref.cross_entropy_loss(a, y), expected, what="the cross-entropy loss")


# -- cases -----------------------------------------------------------------------------------
CHAPTER_LOGITS = [1.0, 3.0, 2.0, 0.5]  # the table of section 4.4


def value_cases(rng):
    """(case, z, y, dtype): the friendliest first, then random logits in both dtypes."""
    yield "the chapter's logits [1, 3, 2, 0.5] (a Python list), label 1", CHAPTER_LOGITS, 1, F64
    yield ("the chapter's logits as 4 rows (a list of lists), labels [0, 1, 2, 3]",
           [CHAPTER_LOGITS] * 4, [0, 1, 2, 3], F64)
    for dtype in (F64, F32):
        name = DTYPE_NAME[dtype]
        for c in (2, 5, 10):
            z = rng.normal(0.0, 2.0, size=c).astype(dtype)
            yield f"1-D logits (C = {c}), {name}", z, int(rng.integers(c)), dtype
        for n, c in ((3, 4), (5, 5), (16, 10)):
            z = rng.normal(0.0, 2.0, size=(n, c)).astype(dtype)
            yield f"2-D logits of shape ({n}, {c}), {name}", z, random_labels(rng, n, c), dtype


def extreme_cases(rng):
    """Logits of size ~1000, where exp overflows (or underflows to 0/0) without the shift."""
    for dtype in (F64, F32):
        name = DTYPE_NAME[dtype]
        c = 6
        z = (1000.0 + rng.normal(0.0, 3.0, size=c)).astype(dtype)
        yield f"1-D logits near +1000, {name}", z, int(rng.integers(c)), dtype
        z = (-1000.0 + rng.normal(0.0, 3.0, size=c)).astype(dtype)
        yield f"1-D logits near -1000, {name}", z, int(rng.integers(c)), dtype
        offsets = np.array([[1000.0], [-1000.0], [0.0], [500.0]])
        z = (offsets + rng.normal(0.0, 3.0, size=(4, c))).astype(dtype)
        yield (f"2-D logits whose rows are near +1000, -1000, 0 and +500, {name}", z,
               random_labels(rng, 4, c), dtype)
        z = rng.uniform(-1000.0, 1000.0, size=(5, c))
        y = random_labels(rng, 5, c)
        top = (y[0] + 1 + int(rng.integers(c - 1))) % c
        z[0, top] = rng.uniform(900.0, 1000.0)  # row 0: p_y = exp(-1800) or less, 0 in
        z[0, y[0]] = rng.uniform(-1000.0, -900.0)  # floating point; the loss is ~1900
        z = z.astype(dtype)
        yield f"2-D logits spread over [-1000, 1000], {name}", z, y, dtype


def tiny_cases(rng):
    """Logits whose label is 40-60 below the max: p_y < 1e-17, far below any eps."""
    c = 5
    z = rng.normal(0.0, 1.0, size=c)
    y = int(rng.integers(c))
    gap = float(rng.uniform(40.0, 60.0))
    z[y] = np.delete(z, y).max() - gap
    yield f"1-D logits with z_y {gap:.1f} below the max (float64)", z, y
    n = 4
    z = rng.normal(0.0, 1.0, size=(n, c))
    y = random_labels(rng, n, c)
    for row in (0, 2):
        z[row, y[row]] = np.delete(z[row], y[row]).max() - rng.uniform(40.0, 60.0)
    yield "2-D logits of shape (4, 5), rows 0 and 2 with z_y 40-60 below the max (float64)", z, y


def reference_loss_at(ref, y):
    def evaluate(points):
        return [ref.cross_entropy_loss(point, y) for point in points]

    return evaluate


# -- checks ------------------------------------------------------------------------------------
@pytest.mark.points(1)
def test_softmax_values(student, ref, rng):
    """softmax: 1-D and 2-D logits (row-wise), float64 and float32"""
    for case, z, y, dtype in value_cases(rng):
        oracle_check(ref, z, y)
        expect_finite_close(student.softmax(z), ref.softmax(z), what="softmax(z)", case=case,
                            inputs={"z": z}, misconceptions=softmax_hints(z),
                            tol=tolerance(z, dtype))


@pytest.mark.points(1.5)
def test_loss_values(student, ref, rng):
    """cross_entropy_loss: 1-D and 2-D logits (the mean over rows), float64 and float32"""
    for case, z, y, dtype in value_cases(rng):
        expect_finite_close(student.cross_entropy_loss(z, y), ref.cross_entropy_loss(z, y),
                            what="cross_entropy_loss(z, y)", case=case,
                            inputs={"z": z, "y": y}, misconceptions=loss_hints(ref, z, y),
                            tol=tolerance(z, dtype), extra_hint=LOG_OF_P_HINT)


@pytest.mark.points(1.5)
def test_grad_values(student, ref, rng):
    """cross_entropy_grad: p - onehot(y), divided by N for 2-D logits, float64 and float32"""
    for case, z, y, dtype in value_cases(rng):
        expect_finite_close(student.cross_entropy_grad(z, y), ref.cross_entropy_grad(z, y),
                            what="cross_entropy_grad(z, y)", case=case,
                            inputs={"z": z, "y": y}, misconceptions=grad_hints(ref, z, y),
                            tol=tolerance(z, dtype))


@pytest.mark.points(0.5)
def test_numerical_gradient_reference_loss(student, ref, rng):
    """cross_entropy_grad matches central differences of the reference loss"""
    for case, z, y, h, tol in gradient_cases(rng):
        numerical = central_differences(reference_loss_at(ref, y), z, h=h,
                                        what="the reference loss")
        n = 1 if z.ndim == 1 else z.shape[0]
        hints = [Misconception(-numerical, GRAD_SIGN_HINT)]
        if n > 1:
            hints.append(Misconception(n * numerical, NOT_BY_N_HINT))
            hints += softmax_grad_hints(z, y)
        expect_close(student.cross_entropy_grad(z, y), numerical,
                     what="cross_entropy_grad(z, y)",
                     case=f"{case}: compared with central differences of the reference loss",
                     inputs={"z": z, "y": y}, misconceptions=hints, **tol)


@pytest.mark.points(0.5)
def test_gradient_rows_sum_to_zero(student, ref, rng):
    """the rows of cross_entropy_grad sum to zero"""
    cases = [("1-D logits (C = 7), float64", rng.normal(0.0, 2.0, size=7), int(rng.integers(7)),
              F64)]
    for dtype in (F64, F32):
        z = rng.normal(0.0, 2.0, size=(6, 4)).astype(dtype)
        cases.append((f"2-D logits of shape (6, 4), {DTYPE_NAME[dtype]}", z,
                      random_labels(rng, 6, 4), dtype))
    for case, z, y, dtype in cases:
        grad = as_array(student.cross_entropy_grad(z, y), what="cross_entropy_grad(z, y)",
                        shape=np.shape(z))
        # zeros sum to zero: the property counts for a gradient that is not all zeros
        expect_nonzero(grad, what="cross_entropy_grad(z, y)", case=case, atol=1e-9)
        hints = [Misconception(np.sum(m.value, axis=-1), m.hint) for m in grad_hints(ref, z, y)]
        expect_close(np.sum(grad, axis=-1), np.zeros(np.shape(z)[:-1]) if grad.ndim == 2
                     else 0.0, what="the sum of each row of cross_entropy_grad(z, y)",
                     case=case, inputs={"z": z, "y": y}, misconceptions=hints,
                     rtol=0.0, atol=ROW_SUM_ATOL[dtype])


@pytest.mark.points(1)
def test_extreme_logits(student, ref, rng):
    """extreme logits (|z| ~ 1000): finite, correct softmax, loss and gradient"""
    for case, z, y, dtype in extreme_cases(rng):
        expect_finite_close(student.softmax(z), ref.softmax(z), what="softmax(z)", case=case,
                            inputs={"z": z}, misconceptions=softmax_hints(z),
                            tol=tolerance(z, dtype))
        expect_finite_close(student.cross_entropy_loss(z, y), ref.cross_entropy_loss(z, y),
                            what="cross_entropy_loss(z, y)", case=case,
                            inputs={"z": z, "y": y}, misconceptions=loss_hints(ref, z, y),
                            tol=tolerance(z, dtype), extra_hint=LOG_OF_P_HINT)
        expect_finite_close(student.cross_entropy_grad(z, y), ref.cross_entropy_grad(z, y),
                            what="cross_entropy_grad(z, y)", case=case,
                            inputs={"z": z, "y": y}, misconceptions=grad_hints(ref, z, y),
                            tol=tolerance(z, dtype))


@pytest.mark.points(1)
def test_tiny_label_probability(student, ref, rng):
    """tiny p_y (below 1e-12): loss = logsumexp(z) - z_y exactly, gradient p_y - 1 ~ -1"""
    for case, z, y in tiny_cases(rng):
        p_y = label_probabilities(ref.softmax(z), y)
        case = f"{case}, p_y = {describe(p_y)}"
        expected = ref.cross_entropy_loss(z, y)
        lse = oracles.special.logsumexp(z, axis=-1)
        oracles_agree(expected, float(np.mean(lse - label_probabilities(z, y))),
                      what="logsumexp(z) - z_y")
        expect_finite_close(student.cross_entropy_loss(z, y), expected,
                            what="cross_entropy_loss(z, y)",
                            case=f"{case} (expected logsumexp(z) - z_y)",
                            inputs={"z": z, "y": y}, misconceptions=loss_hints(ref, z, y),
                            tol=TOL64, extra_hint=LOG_OF_P_HINT)
        expected_grad = ref.cross_entropy_grad(z, y)
        expect_finite_close(student.cross_entropy_grad(z, y), expected_grad,
                            what="cross_entropy_grad(z, y)", case=case,
                            inputs={"z": z, "y": y}, misconceptions=grad_hints(ref, z, y),
                            tol=TOL64)
        numerical = central_differences(student_loss_at(student, y), z, h=H64,
                                        what="cross_entropy_loss(z, y)")
        expect_close(numerical, expected_grad,
                     what="the slope of your cross_entropy_loss (central differences, "
                          f"h = {H64:g})",
                     case=f"{case}: the loss must keep its slope p - onehot(y), about -1 "
                          "at the label",
                     inputs={"z": z, "y": y},
                     misconceptions=[Misconception(g, EPS_HINT)
                                     for g in eps_loss_gradients(ref, z, y)], **NUM_TOL64)
