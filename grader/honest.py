"""Keep property checks honest: a property earns its points only from a working function.

A property (symmetry, an invariance, KL(p, p) = 0, H(P,Q) >= H(P), perplexity = exp(val_ce))
is usually satisfied by a degenerate function too: a constant is symmetric and invariant
under everything, zeros sum to zero, a log of constant numbers is as reproducible as a real
training run. Each property check therefore includes one requirement that a constant, the
identity or a sign flip cannot meet. The helpers here state the generic ones (the values
vary, an ordering holds, an array is not all zeros, a figure draws a curve) with feedback in
the student's terms; ``docs/writing-suites.md`` says which exercise uses what.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from grader.checks import describe, fail

#: what every failure of these helpers adds: why the property is not credited
NOT_CREDITED = ("the property is only credited to a function that computes something: a "
                "constant satisfies it without doing the exercise")


def expect_varies(values: Sequence[float], *, what: str, over: str, rtol: float = 1e-9,
                  atol: float = 1e-12) -> None:
    """Fail unless the student's ``values`` on inputs whose true values differ are not all equal.

    ``over`` names the inputs ("8 random batches of different sizes and temperatures").
    Use it with cases whose correct values differ by far more than the tolerance.
    """
    array = np.asarray(values, dtype=np.float64)
    if array.size < 2:
        raise ValueError("expect_varies needs at least two values")
    if np.all(np.isclose(array, array.flat[0], rtol=rtol, atol=atol, equal_nan=True)):
        fail(f"{what} is {describe(array.flat[0])} on each of {over}; its correct values "
             f"differ there. The check needs a value that depends on the input: "
             f"{NOT_CREDITED}")


def expect_below(lower: float, higher: float, *, what: str, lower_case: str, higher_case: str,
                 why: str) -> None:
    """Fail unless the student's value on one input is below its value on another.

    The two inputs are chosen so that every reasonable variant of the function orders them
    (``why`` says why, in the student's terms) and a constant cannot: it gives both the same.
    """
    if not lower < higher:
        fail(f"{what} returned {describe(lower)} for {lower_case} and {describe(higher)} for "
             f"{higher_case}; the first should be lower: {why}. This check needs it before "
             f"the property counts: {NOT_CREDITED}")


def expect_draws_a_curve(axes: Any, *, who: str) -> None:
    """Fail unless the axes (``grader.figures.AxesFacts``) hold a line whose y values vary.

    For presentation checks (axis labels) read from a figure whose curve other checks grade:
    an empty labelled figure, or a flat line, is not a plot of the function.
    """
    for line in axes.lines:
        y = np.asarray(line.y, dtype=np.float64).reshape(-1)
        y = y[np.isfinite(y)]
        if y.size >= 2 and np.ptp(y) > 0:
            return
    fail(f"{who}: the figure draws no curve (no line whose values change), so there is "
         "nothing for the axis labels to describe; plot the curve first (ax.plot(x, y))")


def expect_nonzero(value: np.ndarray, *, what: str, case: str, atol: float) -> None:
    """Fail when every entry of the student's array is within ``atol`` of 0.

    For properties that all zeros satisfy (a gradient whose rows sum to 0, a gradient that
    matches the slope of a constant loss) on a case whose correct value is far from 0.
    """
    array = np.asarray(value, dtype=np.float64)
    if array.size and np.all(np.abs(array) <= atol):
        fail(f"{case}: {what} returned {describe(array)}, all zeros, where the correct value "
             f"is not zero. {NOT_CREDITED[0].upper()}{NOT_CREDITED[1:]}")


__all__ = ["NOT_CREDITED", "expect_below", "expect_draws_a_curve", "expect_nonzero",
           "expect_varies"]
