"""Public checks of exercise 8: independence and mutual information (6 points).

These checks need no reference code (properties, scipy and numpy formulas, numerical
gradients of your own functions, pen-and-paper answers stored as numbers); they ship
to students. The hidden checks of this exercise are in grader/hidden/ (sealed).
"""

import math
import types

import numpy as np
import pytest

from grader import oracles
from grader.checks import (
    Misconception,
    as_float,
    expect,
    expect_close,
    expect_raises,
)

TOL = {"rtol": 1e-9, "atol": 1e-12}


ZERO = {"rtol": 0.0, "atol": 1e-12}


SLACK = 1e-12


LN2 = math.log(2.0)


SHAPES = ((2, 2), (3, 4), (5, 2), (4, 4), (1, 3), (10, 7))


NORMALISE = ("normalise the joint to sum to 1 first (joint / joint.sum()): a table of "
             "counts is a valid joint")


def entropy(p):
    return float(oracles.entropy(np.ravel(p)))


def mi_by_entropies(joint):
    """Second oracle: I = H(X) + H(Y) - H(X,Y) from scipy's entropies."""
    joint = np.asarray(joint, dtype=np.float64)
    joint = joint / joint.sum()
    return entropy(joint.sum(axis=1)) + entropy(joint.sum(axis=0)) - entropy(joint)


def _marginals_product(joint):
    joint = np.asarray(joint, dtype=np.float64)
    joint = joint / joint.sum()
    return np.outer(joint.sum(axis=1), joint.sum(axis=0))


#: a public stand-in for the reference, from scipy's entropies (no reference code)
SCIPY = types.SimpleNamespace(mutual_information=mi_by_entropies,
                              product_of_marginals=_marginals_product)


def random_joint(rng, shape, alpha=1.0):
    return rng.dirichlet(np.full(shape[0] * shape[1], alpha)).reshape(shape)


def product_table(rng, shape):
    return np.outer(rng.dirichlet(np.ones(shape[0])), rng.dirichlet(np.ones(shape[1])))


def raw_kl(a, b):
    """sum a log(a / b) over a > 0, with the arrays as given."""
    mask = a > 0
    with np.errstate(divide="ignore"):
        return float(np.sum(a[mask] * np.log(a[mask] / b[mask])))


def mi_hints(ref, joint):
    joint = np.asarray(joint, dtype=np.float64)
    p = joint / joint.sum()
    mi = ref.mutual_information(p)
    product = ref.product_of_marginals(p)
    hints = [
        Misconception(mi / LN2, "this is the mutual information in bits; the default is "
                      "nats (natural logarithm)"),
        Misconception(-mi, "the sign is flipped: I(X;Y) = sum p(x,y) log(p(x,y) / "
                      "(p(x) p(y))) >= 0"),
        Misconception(entropy(p), "this is the joint entropy H(X,Y); I(X;Y) = H(X) + H(Y) "
                      "- H(X,Y)"),
        Misconception(entropy(p.sum(axis=1)) + entropy(p.sum(axis=0)),
                      "this is H(X) + H(Y); subtract the joint entropy H(X,Y)"),
        Misconception(math.nan, "nan comes from 0 * log 0: cells with p(x,y) = 0 contribute "
                      "nothing"),
    ]
    if np.all(p > 0):
        hints.append(Misconception(raw_kl(product, p), "this is KL(P_X P_Y || P_XY), the "
                                   "reverse direction: I(X;Y) = KL(P_XY || P_X P_Y), "
                                   "weighted by the joint"))
    else:
        hints.append(Misconception(math.inf, "cells with p(x,y) = 0 contribute 0 (0 log 0 = 0) "
                                   "to KL(P_XY || P_X P_Y), which is always finite; an "
                                   "infinite value comes from the reverse direction "
                                   "KL(P_X P_Y || P_XY) or from a log 0 that was not "
                                   "skipped"))
    if not math.isclose(joint.sum(), 1.0):
        hints.append(Misconception(raw_kl(joint, np.outer(joint.sum(axis=1),
                                                          joint.sum(axis=0))), NORMALISE))
    if p.shape[0] == p.shape[1]:
        hints.append(Misconception(raw_kl(p, np.outer(p.sum(axis=0), p.sum(axis=1))),
                                   "the marginals are swapped: rows are X (sum over axis=1), "
                                   "columns are Y (sum over axis=0)"))
    return hints


@pytest.mark.public
@pytest.mark.points(1)
def test_mutual_information_properties(student, rng):
    """I(X;Y) >= 0, = 0 for product tables, = H(X) when Y determines X"""
    ref = SCIPY
    for shape in SHAPES:
        joint = random_joint(rng, shape, 0.5)
        mi = as_float(student.mutual_information(joint), what="mutual_information(joint)")
        expect(mi >= -SLACK, f"a random joint of shape {shape}: mutual_information returned "
               f"{mi:.6g}, but I(X;Y) = KL(P_XY || P_X P_Y) >= 0 for every joint")
        product = product_table(rng, shape)
        expect_close(student.mutual_information(product), 0.0, what="mutual_information(joint)",
                     case=f"a product table P(X) P(Y) of shape {shape}: X and Y are "
                     "independent, so I(X;Y) = 0", inputs={"joint": product},
                     misconceptions=mi_hints(ref, product), **ZERO)
    # Y determines X: each column has one non-zero cell, H(X|Y) = 0 and I(X;Y) = H(X)
    for n_x, n_y in ((3, 3), (3, 6)):
        g = np.concatenate([np.arange(n_x), rng.integers(0, n_x, n_y - n_x)])
        p_y = rng.dirichlet(np.ones(n_y))
        joint = np.zeros((n_x, n_y))
        joint[g, np.arange(n_y)] = p_y
        joint = joint[:, rng.permutation(n_y)]
        expected = entropy(joint.sum(axis=1))
        how = "a one-to-one copy of X" if n_x == n_y else "a finer variable than X"
        expect_close(student.mutual_information(joint), expected,
                     what="mutual_information(joint)",
                     case=f"Y determines X (Y is {how}): I(X;Y) = H(X) - H(X|Y) = H(X)",
                     inputs={"joint": joint}, misconceptions=mi_hints(ref, joint), **TOL)
    # X determines Y: each row has one non-zero cell, I(X;Y) = H(Y), not H(X)
    f = np.concatenate([np.arange(3), rng.integers(0, 3, 2)])
    joint = np.zeros((5, 3))
    joint[np.arange(5), f] = rng.dirichlet(np.ones(5))
    expect_close(student.mutual_information(joint), entropy(joint.sum(axis=0)),
                 what="mutual_information(joint)",
                 case="Y = f(X) for a many-to-one f: I(X;Y) = H(Y) - H(Y|X) = H(Y)",
                 inputs={"joint": joint}, misconceptions=[
                     Misconception(entropy(joint.sum(axis=1)), "this is H(X); when Y is a "
                                   "function of X, H(Y|X) = 0 and I(X;Y) = H(Y), which is "
                                   "smaller than H(X) for a many-to-one f"),
                     *mi_hints(ref, joint)], **TOL)


@pytest.mark.public
@pytest.mark.points(0.5)
def test_invalid_input(student):
    """invalid input raises ValueError"""
    bad = ((np.array([[0.5, -0.1], [0.3, 0.3]]), "a negative entry"),
           (np.array([0.5, 0.5]), "a 1-D joint (a joint is a 2-D table)"),
           (np.full((2, 2, 2), 0.125), "a 3-D joint (a joint is a 2-D table)"),
           (np.zeros((0, 3)), "an empty table"),
           (np.zeros((2, 3)), "an all-zero table"))
    for joint, why in bad:
        expect_raises(ValueError, student.mutual_information, joint,
                      what="mutual_information(joint)", case=why)
    for joint, why in (bad[0], bad[1], bad[4]):
        expect_raises(ValueError, student.product_of_marginals, joint,
                      what="product_of_marginals(joint)", case=why)
    expect_raises(ValueError, student.is_independent, bad[0][0], what="is_independent(joint)",
                  case=bad[0][1])
