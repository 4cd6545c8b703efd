"""Hidden suite of exercise 1: the surprisal of a die roll (4 points).

The public checks of this exercise (and helpers shared with them) are in
grader/public/test_ex01.py; hidden checks may import from it, never the reverse.

Tiny probabilities show their result after the due date only (feedback ``after_due``): the
point is to reason about the range of p (no epsilon in the log), not to tune a submission
against this check.
"""

import math

import pytest

from grader.checks import expect_close
from grader.public.test_ex01 import (  # noqa: F401  (shared helpers)
    TOL,
    epsilon_hints,
    surprisal_hints,
)


@pytest.mark.points(0.5)
def test_surprisal_bases(student, ref, rng):
    """surprisal(p, base) for base e, 10 and 6"""
    for base, name, unit in ((math.e, "math.e", "nats"), (10.0, "10", "hartleys"),
                             (6.0, "6", "die rolls")):
        for p in (0.25, *rng.uniform(0.001, 1.0, size=4)):
            p = float(p)
            expect_close(student.surprisal(p, base=base), ref.surprisal(p, base=base),
                         what=f"surprisal(p, base={name})", case=f"base {name} ({unit})",
                         inputs={"p": p}, misconceptions=surprisal_hints(p, base), **TOL)
    expect_close(student.surprisal(1.0, base=math.e), 0.0, what="surprisal(1.0, base=e)",
                 case="a certain outcome in nats", **TOL)


@pytest.mark.points(0.5)
@pytest.mark.feedback("after_due")
def test_surprisal_tiny(student, ref, rng):
    """surprisal of tiny probabilities (down to 1e-300) is exact"""
    exponents = (-20.0, -15.0, -50.0, -300.0, *rng.uniform(-300.0, -13.0, size=4))
    for exponent in exponents:
        p = float(10.0 ** exponent)
        expect_close(student.surprisal(p), ref.surprisal(p), what="surprisal(p)",
                     case=f"a tiny probability p = {p:.3g}", inputs={"p": p},
                     misconceptions=epsilon_hints(p) + surprisal_hints(p), **TOL)
