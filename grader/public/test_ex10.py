"""Public checks of exercise 10: entropy, cross-entropy and KL from scratch (8 points).

These checks need no reference code (properties, scipy and numpy formulas, numerical
gradients of your own functions, pen-and-paper answers stored as numbers); they ship
to students. The hidden checks of this exercise are in grader/hidden/ (sealed).
"""

import math
import types
from functools import partial

import numpy as np
import pytest

from grader import oracles
from grader.checks import (
    Cases,
    Misconception,
    as_float,
    expect_close,
    expect_raises,
    oracles_agree,
)
from grader.hints import NO_VALIDATION, hint_on_failure

SIZES = (2, 3, 5, 10, 50, 1000)


ALPHAS = (1.0, 10.0, 0.1)  # the friendliest case first: it is the one feedback shows


TOL = {"rtol": 1e-9, "atol": 1e-12}


def dirichlet_cases(rng):
    """Pairs of random distributions of many sizes and concentrations."""
    for size in SIZES:
        for alpha in ALPHAS:
            p = rng.dirichlet(np.full(size, alpha))
            q = rng.dirichlet(np.full(size, alpha))
            yield f"Dirichlet({alpha:g}) distributions of size {size}", p, q


NORMALISE = "normalise the inputs to sum to 1 first (p / p.sum())"


ONLY_P_NORMALISED = ("p is normalised but q is not: normalise both inputs to sum to 1 "
                     "(q / q.sum() too)")


FIRST_HUNDRED = ("only the first 100 terms are summed: sum over every outcome")


EPSILON = ("q = 0 where p > 0 makes the value infinite; an epsilon added to q (or a clip) "
           "makes it finite and wrong: return inf (math.inf) where q = 0 < p")


def _units(base) -> tuple[float, str]:
    """The divisor of a value in ``base``; the mistake of the other unit and its hint."""
    if base is None:
        return 1.0, "this is the value in bits; use the natural log unless base is given"
    return math.log(base), "this is in nats: divide by log(base)"


def _normalised(weights) -> np.ndarray:
    weights = np.asarray(weights, dtype=np.float64)
    return weights / weights.sum()


EPSILONS = (1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-12, 1e-15, 1e-16, 1e-20, 1e-30)


def _mistakes(p, q, base, formula, *, pair: bool = True) -> list[Misconception]:
    """Misconceptions every function shares: unnormalised input, an epsilon added to q or
    a clip of q at it (for the functions of p and q), the first 100 terms."""
    scale, _ = _units(base)
    p_raw, q_raw = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    p_n, q_n = _normalised(p_raw), _normalised(q_raw)
    found = []
    if max(abs(p_raw.sum() - 1), abs(q_raw.sum() - 1)) > 1e-6:  # else the same value
        found.append(Misconception(formula(p_raw, q_raw) / scale, NORMALISE))
    if pair and abs(q_raw.sum() - 1) > 1e-6:
        found.append(Misconception(formula(p_n, q_raw) / scale, ONLY_P_NORMALISED))
    if pair:  # only the variants a hint can tell apart from the right value
        truth = formula(p_n, q_n) / scale
        found += [Misconception(value, hint) for value, hint in _epsilon_variants(p, q, base,
                                                                                  formula)
                  if not np.isclose(value, truth, rtol=1e-5, atol=1e-9)]
    if p_n.size > 100:
        found.append(Misconception(formula(p_n[:100], q_n[:100]) / scale, FIRST_HUNDRED))
    return found


def _epsilon_variants(p, q, base, formula) -> list[tuple[float, str]]:
    """The values with an epsilon added to q, or q clipped at it, and their hints."""
    scale, _ = _units(base)
    p_n, q_n = _normalised(p), _normalised(q)
    found = []
    with np.errstate(divide="ignore"):
        for eps in EPSILONS:
            hint = (f"this is the value with {eps:g} added to q (or q clipped at {eps:g}): "
                    "an epsilon against log 0 changes every small q; use q as it is and "
                    "return inf where q = 0 < p")
            found += [(formula(p_n, q_n + eps) / scale, hint),
                      (formula(p_n, np.maximum(q_n, eps)) / scale, hint)]
    return found


def _kl_formula(a, b):
    return float(np.sum(oracles.special.rel_entr(a, b)))


def kl_hints(ref, p, q, base=None):
    _, units = _units(base)
    other = None if base is not None else 2
    return [
        Misconception(ref.kl_divergence(q, p, base=base), "this is KL(Q||P): the arguments "
                      "are the wrong way round (KL is not symmetric)"),
        Misconception(ref.kl_divergence(p, q, base=other), units),
        Misconception(ref.cross_entropy(p, q, base=base), "this is the cross-entropy H(P,Q), "
                      "not KL = H(P,Q) - H(P)"),
        *_mistakes(p, q, base, _kl_formula),
    ]


def entropy_hints(ref, p, base=None):
    _, units = _units(base)
    other = None if base is not None else 2
    return [
        Misconception(ref.entropy(p, base=other), units.replace("the value", "the entropy")),
        Misconception(-ref.entropy(p, base=base), "the sign is flipped: H = -sum p log p >= 0"),
        *_mistakes(p, p, base, lambda a, _: float(-np.sum(oracles.special.xlogy(a, a))),
                   pair=False),
    ]


def expect_value(got, expected, *, what, case, inputs, misconceptions, formula=None):
    """``expect_close`` that also names an epsilon in q: one that made an infinite value
    finite, or (``formula``: the function's) one whose value the student's matches to
    1e-11 although it is within the hints' usual 1e-6 of the right one."""
    value = as_float(got, what=what)

    def hints() -> list[Misconception]:  # computed only for a wrong value
        found = list(misconceptions() if callable(misconceptions) else misconceptions)
        if math.isinf(expected) and math.isfinite(value):
            found.append(Misconception(value, EPSILON))
        if formula is not None and math.isfinite(expected):
            for variant, hint in _epsilon_variants(inputs["p"], inputs["q"], None, formula):
                if np.isclose(value, variant, rtol=1e-11, atol=0.0):
                    found.insert(0, Misconception(value, hint))
                    break
        return found

    return expect_close(value, expected, what=what, case=case, inputs=inputs,
                        misconceptions=hints, **TOL)


def _scipy_ce(p, q, base=None):
    return oracles.entropy(p, base=base) + oracles.entropy(p, q, base=base)


#: a public stand-in for the reference, from scipy's formulas (no reference code)
SCIPY = types.SimpleNamespace(
    entropy=lambda p, base=None: float(oracles.entropy(p, base=base)),
    kl_divergence=lambda p, q, base=None: float(oracles.entropy(p, q, base=base)),
    cross_entropy=lambda p, q, base=None: float(_scipy_ce(p, q, base)))


@pytest.mark.public
@pytest.mark.points(1.5)
def test_entropy_values(student, rng):
    """entropy matches scipy.stats.entropy"""
    ref = SCIPY
    cases = Cases()
    for case, p, _ in dirichlet_cases(rng):
        expected = ref.entropy(p)
        oracles_agree(expected, oracles.entropy(p), what=f"entropy, {case}")
        with cases.case():
            expect_close(student.entropy(p), expected, what="entropy(p)", case=case,
                         inputs={"p": p}, misconceptions=partial(entropy_hints, ref, p), **TOL)
    cases.finish()


@pytest.mark.public
@pytest.mark.points(1.5)
def test_kl_values(student, rng):
    """kl_divergence matches scipy.stats.entropy(p, q)"""
    ref = SCIPY
    cases = Cases()
    for case, p, q in dirichlet_cases(rng):
        expected = ref.kl_divergence(p, q)
        oracles_agree(expected, oracles.entropy(p, q), what=f"KL, {case}")
        with cases.case():
            expect_value(student.kl_divergence(p, q), expected, what="kl_divergence(p, q)",
                         case=case, inputs={"p": p, "q": q},
                         misconceptions=partial(kl_hints, ref, p, q), formula=_kl_formula)
    cases.finish()


@pytest.mark.public
@pytest.mark.points(1)
def test_invalid_input(student, rng):
    """ValueError for negative entries, mismatched shapes, empty or all-zero input"""
    p = rng.dirichlet(np.ones(4))
    negative = p.copy()
    negative[1] = -0.2
    with hint_on_failure(NO_VALIDATION + " (negative entries, different lengths, empty or "
                         "all-zero input)"):
        expect_raises(ValueError, student.entropy, negative, what="entropy(p)",
                      case="a negative entry")
        expect_raises(ValueError, student.kl_divergence, p, negative,
                      what="kl_divergence(p, q)", case="a negative entry in q")
        expect_raises(ValueError, student.cross_entropy, negative, p,
                      what="cross_entropy(p, q)", case="a negative entry in p")
        expect_raises(ValueError, student.kl_divergence, p, np.ones(5) / 5,
                      what="kl_divergence(p, q)", case="p of length 4, q of length 5")
        expect_raises(ValueError, student.cross_entropy, p, np.ones(3) / 3,
                      what="cross_entropy(p, q)", case="p of length 4, q of length 3")
        expect_raises(ValueError, student.entropy, [], what="entropy(p)", case="an empty p")
        expect_raises(ValueError, student.entropy, np.zeros(3), what="entropy(p)",
                      case="all-zero p")
