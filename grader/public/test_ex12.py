"""Public checks of exercise 12: the asymmetry of KL (6 points).

These checks need no reference code (properties, scipy and numpy formulas, numerical
gradients of your own functions, pen-and-paper answers stored as numbers); they ship
to students. The hidden checks of this exercise are in grader/hidden/ (sealed).
"""

import numpy as np
import pytest

from grader.checks import (
    as_array,
    describe,
    expect,
    expect_raises,
    fail,
    kind,
)
from grader.codec import Opaque

DEFAULT_P = (0.8, 0.2)


# -- helpers -----------------------------------------------------------------------------
def pair(p1):
    return (float(p1), float(1.0 - p1))


def show(p) -> str:
    return f"({p[0]:.6g}, {p[1]:.6g})"


def random_p1(rng):
    """p1 away from 0.5 (so the two crossings are apart) and from the ends."""
    p1 = rng.uniform(0.05, 0.45)
    return float(p1 if rng.integers(2) else 1.0 - p1)


def unpack(result, size, *, what):
    """The student's (q_grid, forward, reverse) as three float arrays of ``size`` entries."""
    if isinstance(result, Opaque) or not isinstance(result, (tuple, list)) or len(result) != 3:
        fail(f"{what} should return a tuple (q_grid, forward, reverse) of three arrays; it "
             f"returned {kind(result)} ({describe(result)})")
    names = ("q_grid", "forward KL(P||Q)", "reverse KL(Q||P)")
    return tuple(as_array(part, what=f"{what}[{i}] ({name})", shape=(size,))
                 for i, (part, name) in enumerate(zip(result, names, strict=True)))


@pytest.mark.public
@pytest.mark.points(0.5)
def test_crossings(student, rng):
    """forward and reverse KL cross at q = p1 and q = 1 - p1 (0.8 and 0.2 for P = (0.8, 0.2))"""
    for p1 in (0.8, random_p1(rng)):
        p = pair(p1)
        low, high = sorted((p[0], p[1]))
        # the two crossings, then one point in each of the three stretches between them
        grid = np.array([low, high, low / 2, (low + high) / 2, (high + 1) / 2])
        q, forward, reverse = unpack(student.kl_curves(p, q_grid=grid), grid.size,
                                     what="kl_curves(p, q_grid)")
        for i, where in ((0, "q = p2 (Q is P mirrored)"), (1, "q = p1 (Q = P)")):
            expect(np.isclose(forward[i], reverse[i], rtol=1e-9, atol=1e-12),
                   f"P = {show(p)}: the curves should meet at {where}, q = {grid[i]:.6g}: there "
                   f"KL(P||Q) and KL(Q||P) are equal; yours are {forward[i]:.6g} and "
                   f"{reverse[i]:.6g}")
        gap = forward[2:] - reverse[2:]
        expect(bool(np.all(np.isfinite(gap))) and gap[0] * gap[1] < 0 and gap[1] * gap[2] < 0,
               f"P = {show(p)}: the curves should cross at q = {low:.6g} and q = {high:.6g} and "
               f"nowhere else, so KL(P||Q) - KL(Q||P) changes sign at each; yours is "
               f"{gap[0]:.6g}, {gap[1]:.6g} and {gap[2]:.6g} at q = {grid[2]:.4g}, "
               f"{grid[3]:.4g} and {grid[4]:.4g}")


@pytest.mark.public
@pytest.mark.points(0.5)
def test_invalid_input(student):
    """ValueError for p or q outside [0, 1]"""
    expect_raises(ValueError, student.kl_curves, (1.2, -0.2), what="kl_curves(p)",
                  case="p = (1.2, -0.2)")
    expect_raises(ValueError, student.kl_curves, (0.5, 0.3, 0.2), what="kl_curves(p)",
                  case="p = (0.5, 0.3, 0.2) (not a pair)")
    expect_raises(ValueError, student.kl_curves, DEFAULT_P, np.array([0.2, 1.5, 0.7]),
                  what="kl_curves(p, q_grid)", case="a grid value q = 1.5")
    expect_raises(ValueError, student.kl_curves, DEFAULT_P, [-0.1, 0.5],
                  what="kl_curves(p, q_grid)", case="a grid value q = -0.1")
