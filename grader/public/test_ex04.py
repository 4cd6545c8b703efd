"""Public checks of exercise 4: softmax, cross-entropy loss and its gradient (8 points).

These checks need no reference code (properties, scipy and numpy formulas, numerical
gradients of your own functions, pen-and-paper answers stored as numbers); they ship
to students. The hidden checks of this exercise are in grader/hidden/ (sealed).
"""

import numpy as np
import pytest

from grader.checks import (
    Misconception,
    central_differences,
    expect_close,
    expect_raises,
    finite,
)
from grader.hints import NO_VALIDATION, hint_on_failure
from grader.honest import expect_nonzero

F64, F32 = np.float64, np.float32


DTYPE_NAME = {F64: "float64", F32: "float32"}


#: central differences (EXERCISES.md, "Tolerances that hold")
H64, NUM_TOL64 = 1e-5, {"rtol": 1e-5, "atol": 1e-7}


H32, NUM_TOL32 = 1e-2, {"rtol": 1e-3, "atol": 1e-3}


AXIS_HINT = ("softmax over the wrong axis: this normalises each column (axis=0), but each "
             "row of z is one example; normalise along the last axis, "
             "axis=-1 with keepdims=True, so that every row sums to 1")


WHOLE_HINT = ("this normalises over the whole array: for 2-D logits each row is one "
              "example and must sum to 1 on its own (axis=-1, keepdims=True)")


COLMAX_HINT = ("you subtracted each column's max (axis=0); subtract each row's max, "
               "z.max(axis=-1, keepdims=True)")


KEEPDIMS_HINT = ("the row maxima (or sums) were broadcast along the wrong axis: "
                 "z.max(axis=1) has shape (N,) and lines up with the columns; use "
                 "keepdims=True so it has shape (N, 1)")


GRAD_SIGN_HINT = ("the sign is flipped: dL/dz = p - onehot(y) (softmax minus the one-hot "
                  "label), not onehot(y) - p")


NOT_BY_N_HINT = ("this is not divided by N: the batch loss is the mean over the N rows, so "
                 "its gradient is (softmax(z) - onehot(y)) / N")


# -- trusted helpers (float64) --------------------------------------------------------------
def f64(z):
    return np.asarray(z, dtype=F64)


def _softmax(a, axis=-1):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def onehot(z, y):
    a = f64(z)
    out = np.zeros_like(a)
    if a.ndim == 1:
        out[int(y)] = 1.0
    else:
        out[np.arange(a.shape[0]), np.asarray(y)] = 1.0
    return out


def softmax_variants(z):
    """Softmaxes that known mistakes produce (2-D logits only)."""
    a = f64(z)
    if a.ndim != 2:
        return []
    variants = [(_softmax(a, axis=0), AXIS_HINT),
                (np.exp(a - a.max()) / np.exp(a - a.max()).sum(), WHOLE_HINT),
                (_softmax(a - a.max(axis=0, keepdims=True)), COLMAX_HINT)]
    if a.shape[0] == a.shape[1]:
        e = np.exp(a - a.max(axis=1)[None, :])
        variants += [(e / e.sum(axis=1, keepdims=True), KEEPDIMS_HINT),
                     (e / e.sum(axis=1)[None, :], KEEPDIMS_HINT)]
    return variants


def finite_only(hints):
    """Keep the misconceptions with finite values: an inf must not match a wrong hint."""
    return [m for m in hints if finite(m.value)]


def softmax_grad_hints(z, y):
    """(p - onehot(y)) / N for the softmaxes of known mistakes (a wrong axis, ...)."""
    with np.errstate(all="ignore"):
        n = f64(z).shape[0]
        return finite_only([Misconception((p - onehot(z, y)) / n, hint)
                            for p, hint in softmax_variants(z)])


def random_labels(rng, n, c):
    return rng.integers(c, size=n).astype(np.int64)


def gradient_cases(rng):
    """(case, z, y, h, tolerance) for central differences."""
    for dtype, h, tol in ((F64, H64, NUM_TOL64), (F32, H32, NUM_TOL32)):
        name = DTYPE_NAME[dtype]
        z = rng.normal(0.0, 1.5, size=5).astype(dtype)
        yield f"1-D logits (C = 5), {name}, h = {h:g}", z, int(rng.integers(5)), h, tol
        z = rng.normal(0.0, 1.5, size=(4, 3)).astype(dtype)
        yield (f"2-D logits of shape (4, 3), {name}, h = {h:g}", z, random_labels(rng, 4, 3),
               h, tol)


def student_loss_at(student, y):
    def evaluate(points):
        return student.cross_entropy_loss.map([((point, y), {}) for point in points])

    return evaluate


@pytest.mark.public
@pytest.mark.points(0.5)
def test_numerical_gradient_own_loss(student, rng):
    """cross_entropy_grad matches central differences of your cross_entropy_loss"""
    for case, z, y, h, tol in gradient_cases(rng):
        numerical = central_differences(student_loss_at(student, y), z, h=h,
                                        what="cross_entropy_loss(z, y)")
        n = 1 if z.ndim == 1 else z.shape[0]
        hints = [Misconception(-numerical, GRAD_SIGN_HINT + " (or your loss has the wrong "
                               "sign)")]
        if n > 1:
            hints += [Misconception(n * numerical, NOT_BY_N_HINT),
                      Misconception(numerical / n, "your loss is the sum over the rows but "
                                    "your gradient is that of their mean: the loss should be "
                                    "the mean (then your gradient is right)"),
                      *softmax_grad_hints(z, y)]
        grad = expect_close(student.cross_entropy_grad(z, y), numerical,
                            what="cross_entropy_grad(z, y)",
                            case=f"{case}: compared with central differences of your "
                                 "cross_entropy_loss (the two functions disagree)",
                            inputs={"z": z, "y": y}, misconceptions=hints, **tol)
        # a constant loss and a zero gradient agree: the gradient of the loss is p - onehot(y)
        expect_nonzero(grad, what="cross_entropy_grad(z, y)", case=case, atol=1e-9)


@pytest.mark.public
@pytest.mark.points(0.5)
@hint_on_failure(NO_VALIDATION + " (a label is an int in 0..C-1, the logits are 1-D or 2-D, "
                 "and 2-D logits take one label per row)")
def test_invalid_input(student, rng):
    """ValueError for a label out of range, logits or labels of the wrong ndim, mismatched N"""
    c = 4
    z1 = rng.normal(size=c)
    z2 = rng.normal(size=(3, c))
    y2 = random_labels(rng, 3, c)
    for name in ("cross_entropy_loss", "cross_entropy_grad"):
        function = getattr(student, name)
        what = f"{name}(z, y)"
        expect_raises(ValueError, function, z1, c, what=what,
                      case=f"1-D logits with C = {c} and label y = {c} (labels are 0..{c - 1})")
        expect_raises(ValueError, function, z1, -1, what=what,
                      case="1-D logits and label y = -1 (a negative label must not count "
                           "from the end)")
        expect_raises(ValueError, function, z1, np.array([1]), what=what,
                      case="1-D logits and an array of labels [1] (one example has one int "
                           "label)")
        bad = y2.copy()
        bad[1] = c
        expect_raises(ValueError, function, z2, bad, what=what,
                      case=f"2-D logits of shape (3, {c}) and labels {bad.tolist()}")
        bad[1] = -1
        expect_raises(ValueError, function, z2, bad, what=what,
                      case=f"2-D logits of shape (3, {c}) and labels {bad.tolist()}")
        expect_raises(ValueError, function, z2, y2[:2], what=what,
                      case=f"2-D logits with 3 rows and 2 labels {y2[:2].tolist()}")
        expect_raises(ValueError, function, z2, np.append(y2, 0), what=what,
                      case="2-D logits with 3 rows and 4 labels")
        expect_raises(ValueError, function, z2, y2.reshape(3, 1), what=what,
                      case="2-D logits of shape (3, 4) and 2-D labels of shape (3, 1)")
        expect_raises(ValueError, function, z2, int(y2[0]), what=what,
                      case="2-D logits of shape (3, 4) and a single int label")
        expect_raises(ValueError, function, rng.normal(size=(2, 3, c)), np.zeros(2, dtype=int),
                      what=what, case="3-D logits of shape (2, 3, 4)")
    expect_raises(ValueError, student.softmax, rng.normal(size=(2, 3, c)), what="softmax(z)",
                  case="3-D logits of shape (2, 3, 4)")
    expect_raises(ValueError, student.softmax, 1.5, what="softmax(z)",
                  case="a single number (0-D logits)")
    expect_raises(ValueError, student.softmax, np.zeros(0), what="softmax(z)",
                  case="empty logits (C = 0)")
