"""Hidden suite of exercise 8: independence and mutual information (6 points).

The public checks of this exercise (and helpers shared with them) are in
grader/public/test_ex08.py; hidden checks may import from it, never the reverse.
"""

import math

import numpy as np
import pytest

from grader.checks import (
    Misconception,
    describe,
    expect_close,
    fail,
    kind,
    oracles_agree,
)
from grader.public.test_ex08 import (  # noqa: F401  (shared helpers)
    NORMALISE,
    SHAPES,
    TOL,
    mi_by_entropies,
    mi_hints,
    product_table,
    random_joint,
)

CHAPTER = np.array([[0.4, 0.05], [0.05, 0.5]])


def product_hints(joint):
    joint = np.asarray(joint, dtype=np.float64)
    normalised = joint / joint.sum()
    hints = []
    if not math.isclose(joint.sum(), 1.0):
        hints.append(Misconception(np.outer(joint.sum(axis=1), joint.sum(axis=0)), NORMALISE))
    if joint.shape[0] == joint.shape[1]:
        hints.append(Misconception(np.outer(normalised.sum(axis=0), normalised.sum(axis=1)),
                                   "the marginals are swapped: rows are X, so P(X = i) is "
                                   "the sum of row i (axis=1) and P(Y = j) of column j "
                                   "(axis=0)"))
    return hints


@pytest.mark.points(1)
def test_product_of_marginals(student, ref, rng):
    """product_of_marginals: P(X) P(Y) as a table of the joint's shape"""
    cases = [("the chapter's joint [[0.4, 0.05], [0.05, 0.5]]", CHAPTER)]
    cases += [(f"a random joint of shape {shape}", random_joint(rng, shape))
              for shape in SHAPES]
    cases.append(("a table of counts (normalise it first)",
                  rng.integers(1, 20, size=(3, 3)).astype(float)))
    cases.append(("a joint given as a list of lists", random_joint(rng, (2, 3)).tolist()))
    for case, joint in cases:
        expected = ref.product_of_marginals(joint)
        normalised = np.asarray(joint) / np.sum(joint)
        oracles_agree(expected, np.outer(normalised.sum(1), normalised.sum(0)),
                      what=f"P(X) P(Y), {case}")
        expect_close(student.product_of_marginals(joint), expected,
                     what="product_of_marginals(joint)", case=case, inputs={"joint": joint},
                     misconceptions=product_hints(joint), **TOL)


def check_mi(student, ref, joint, case, base=None):
    expected = ref.mutual_information(joint) if base is None else ref.mutual_information(
        joint, base=base)
    scale = 1.0 if base is None else math.log(base)
    oracles_agree(expected, mi_by_entropies(joint) / scale, what=f"I(X;Y), {case}",
                  rtol=1e-9, atol=1e-13)
    if base is None:
        got, what, hints = student.mutual_information(joint), "mutual_information(joint)", \
            mi_hints(ref, joint)
    else:
        got = student.mutual_information(joint, base=base)
        what = f"mutual_information(joint, base={base:g})"
        nats = ref.mutual_information(joint)
        hints = [Misconception(nats, f"this is in nats: divide by log({base:g}) for "
                               f"base={base:g}"),
                 Misconception(nats / base, "divide by log(base), not by base")]
        # the mistakes of the nats checks, in this base (the reverse KL, the joint entropy...)
        hints += [Misconception(m.value / scale, m.hint) for m in mi_hints(ref, joint)]
    expect_close(got, expected, what=what, case=case, inputs={"joint": joint},
                 misconceptions=hints, **TOL)


@pytest.mark.points(1.5)
def test_mutual_information_values(student, ref, rng):
    """mutual_information matches KL(P_XY || P_X P_Y) on the chapter's table and random tables"""
    oracles_agree(ref.mutual_information(CHAPTER), 0.36361451704214315,
                  what="I(X;Y) of the chapter's table")
    check_mi(student, ref, CHAPTER, "the chapter's joint [[0.4, 0.05], [0.05, 0.5]] "
             "(I = 0.3636 nats; the printed 0.5004 is wrong)")
    for shape in SHAPES:
        for alpha in (1.0, 0.3):
            check_mi(student, ref, random_joint(rng, shape, alpha),
                     f"a random joint of shape {shape} (Dirichlet({alpha:g}) cells)")


@pytest.mark.points(1)
def test_mutual_information_options(student, ref, rng):
    """mutual_information: base, zero cells and unnormalised counts"""
    check_mi(student, ref, CHAPTER, "the chapter's joint, in bits (I = 0.5246 bits)", base=2)
    joint = random_joint(rng, (3, 4))
    check_mi(student, ref, joint, "a random joint of shape (3, 4), base 10", base=10)
    with_zeros = random_joint(rng, (4, 5))
    with_zeros[rng.random(with_zeros.shape) < 0.35] = 0.0
    with_zeros[0, 0] = 0.1
    with_zeros /= with_zeros.sum()
    check_mi(student, ref, with_zeros, "a joint with zero cells (0 log 0 = 0)")
    empty_row = random_joint(rng, (3, 3))
    empty_row[1, :] = 0.0
    empty_row /= empty_row.sum()
    check_mi(student, ref, empty_row, "a joint with an all-zero row (P(X = 1) = 0)")
    counts = rng.integers(0, 30, size=(3, 4)).astype(float)
    counts[0, 0] += 1.0
    check_mi(student, ref, counts, "a table of counts (normalise it first)")
    check_mi(student, ref, counts.astype(int).tolist(), "a table of int counts as a list")


def as_bool(value, what):
    if not isinstance(value, (bool, np.bool_)):
        fail(f"{what} should return True or False; it returned {kind(value)} "
             f"({describe(value)})")
    return bool(value)


def near_independent(rng, target):
    """A 3x3 joint with mutual information close to ``target`` nats (all cells > 0)."""
    product = np.outer(rng.dirichlet(np.full(3, 5.0)), rng.dirichlet(np.full(3, 5.0)))
    a = rng.standard_normal(3)
    b = rng.standard_normal(3)
    direction = np.outer(a - a.mean(), b - b.mean())  # keeps both marginals
    chi2 = float(np.sum(direction ** 2 / product))
    delta = math.sqrt(2.0 * target / chi2)  # I ~ chi^2 / 2 for a small perturbation
    return product + delta * direction


@pytest.mark.points(1)
def test_is_independent(student, ref, rng):
    """is_independent: True for product tables, False for dependent ones, and it uses tol"""
    cases = [("the chapter's joint (I = 0.3636 nats)", CHAPTER, {}, False),
             ("[[0.2, 0.2], [0.3, 0.3]], a product table", np.array([[0.2, 0.2],
                                                                    [0.3, 0.3]]), {}, True)]
    for shape in SHAPES:
        cases.append((f"a product table of shape {shape}", product_table(rng, shape), {},
                      True))
        joint = random_joint(rng, shape)
        while shape[0] > 1 and ref.mutual_information(joint) < 1e-6:  # clearly dependent
            joint = random_joint(rng, shape)
        dependent = "independent: one row" if shape[0] == 1 else "dependent"
        cases.append((f"a random joint of shape {shape} ({dependent})", joint, {},
                      shape[0] == 1))
    counts = np.outer(rng.integers(1, 10, 3), rng.integers(1, 10, 4)).astype(float)
    cases.append(("a product table of counts (unnormalised)", counts, {}, True))
    one_cell = np.zeros((3, 3))
    one_cell[int(rng.integers(3)), int(rng.integers(3))] = 1.0
    cases.append(("all the mass in one cell (both variables are constant)", one_cell, {},
                  True))
    joint = near_independent(rng, 1e-6)
    mi = ref.mutual_information(joint)
    cases += [(f"a nearly independent joint (I = {mi:.3g} nats), default tol = 1e-10",
               joint, {}, False),
              (f"the same joint (I = {mi:.3g} nats) with tol = {10 * mi:.3g}", joint,
               {"tol": 10 * mi}, True),
              (f"the same joint (I = {mi:.3g} nats) with tol = {mi / 10:.3g}", joint,
               {"tol": mi / 10}, False)]
    for case, joint, kwargs, expected in cases:
        oracles_agree(float(ref.is_independent(joint, **kwargs)), float(expected),
                      what=f"independence, {case}")
        got = as_bool(student.is_independent(joint, **kwargs), "is_independent(joint)")
        if got != expected:
            hint = ""
            if "tol" in kwargs:
                hint = ("\nHint: use tol: the joint is independent (for this test) when "
                        "its mutual information in nats is at most tol")
            elif not expected:
                hint = ("\nHint: X and Y are dependent here (I(X;Y) > 0): compare the "
                        "mutual information with tol")
            fail(f"{case}: is_independent returned {got}, expected {expected} for joint = "
                 f"{describe(np.asarray(joint))}{hint}")
