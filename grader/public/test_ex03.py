"""Public checks of exercise 3: H(P,Q) = H(P) + KL(P||Q) (5 points; the proof is graded by hand).

These checks need no reference code (properties, scipy and numpy formulas, numerical
gradients of your own functions, pen-and-paper answers stored as numbers); they ship
to students. The hidden checks of this exercise are in grader/hidden/ (sealed).
"""

import numpy as np
import pytest

from grader.checks import (
    Misconception,
    as_array,
    expect,
    expect_close,
    expect_raises,
)

# between the student's own three values: H + KL summed separately may differ from a
# directly summed -sum p log q by a few ulps of the larger one
IDENTITY_TOL = {"rtol": 1e-9, "atol": 1e-11}


ORDER = "the tuple's order is (H(P), KL(P||Q), H(P,Q))"


def triple(value, *, case):
    """The student's three numbers as an array of shape (3,)."""
    return as_array(value, what=f"cross_entropy_decomposition(p, q) ({case})", shape=(3,))


@pytest.mark.public
@pytest.mark.points(0.5)
def test_invalid_input(student, rng):
    """ValueError for negative entries, empty input or shapes that differ"""
    p = rng.dirichlet(np.ones(4))
    negative = p.copy()
    negative[int(rng.integers(4))] = -0.2
    cases = ((negative, p, "a negative entry in p"), (p, negative, "a negative entry in q"),
             (p, np.ones(5) / 5, "p of length 4, q of length 5"),
             ([], [], "empty p and q"), (np.zeros(4), p, "an all-zero p"))
    for p_case, q_case, case in cases:
        expect_raises(ValueError, student.cross_entropy_decomposition, p_case, q_case,
                      what="cross_entropy_decomposition(p, q)", case=case)


@pytest.mark.public
@pytest.mark.points(1)
def test_identity(student, rng):
    """H(P,Q) = H(P) + KL(P||Q) >= H(P), with equality exactly when P = Q"""
    for size in (4, 2, 30, 1000):
        p = rng.dirichlet(np.ones(size))
        # alternating signs of size 2.5 % to 5 %: never P by accident (KL > 1e-7 measured)
        close_to_p = p * (1.0 + 0.05 * rng.uniform(0.5, 1.0, size) * (-1.0) ** np.arange(size))
        laws = (("Q a random law", rng.dirichlet(np.ones(size))),
                ("Q close to P", close_to_p / close_to_p.sum()),
                ("Q = P", p.copy()))
        for name, q in laws:
            case = f"{name}, {size} outcomes"
            h, kl, ce = triple(student.cross_entropy_decomposition(p, q), case=case)
            expect(np.all(np.isfinite([h, kl, ce])),
                   f"{case}: the three values should be finite; got ({h:.6g}, {kl:.6g}, "
                   f"{ce:.6g})")
            mixed_up = [Misconception(kl, "your third value equals your KL: "
                                      "scipy.stats.entropy(p, q) is the KL divergence, not "
                                      "the cross-entropy"),
                        Misconception(kl - h, "your third value is your second minus your "
                                      f"first: the last two values are swapped; {ORDER}")]
            expect_close(ce, h + kl, what="H(P,Q), the third value",
                         case=f"{case}: H(P) + KL(P||Q) = {h:.6g} + {kl:.6g}",
                         inputs={"p": p, "q": q}, misconceptions=mixed_up, **IDENTITY_TOL)
            if name == "Q = P":
                expect_close(kl, 0.0, what="KL(P||Q), the second value",
                             case=f"{case}: KL(P||P) = 0", inputs={"p": p, "q": q},
                             rtol=0.0, atol=1e-11)
                expect_close(ce, h, what="H(P,Q), the third value",
                             case=f"{case}: H(P,P) = H(P)", inputs={"p": p, "q": q},
                             **IDENTITY_TOL)
            else:
                expect(kl > 0, f"{case}: Q differs from P, so KL(P||Q) must be > 0 (Gibbs' "
                               f"inequality); it was {kl:.6g}")
                expect(ce > h, f"{case}: Q differs from P, so H(P,Q) must exceed H(P); got "
                               f"H(P,Q) = {ce:.6g} and H(P) = {h:.6g}")
