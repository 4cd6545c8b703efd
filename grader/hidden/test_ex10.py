"""Hidden suite of exercise 10: entropy, cross-entropy and KL from scratch (8 points)."""

import math
from functools import partial

import numpy as np
import pytest
import scipy.special

from grader import oracles
from grader.checks import (
    Cases,
    Misconception,
    as_float,
    expect,
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


def scipy_cross_entropy(p, q):
    # scipy's two-argument entropy is KL, so H(P,Q) = H(P) + KL(P||Q)
    return oracles.entropy(p) + oracles.entropy(p, q)


NORMALISE = "normalise the inputs to sum to 1 first (p / p.sum())"
ONLY_P_NORMALISED = ("p is normalised but q is not: normalise both inputs to sum to 1 "
                     "(q / q.sum() too)")
FIRST_HUNDRED = ("only the first 100 terms are summed: sum over every outcome")
EPSILON = ("q = 0 where p > 0 makes the value infinite; an epsilon added to q (or a clip) "
           "makes it finite and wrong: return inf (math.inf) where q = 0 < p")
NAN_ZEROS = "nan comes from 0 * log 0: treat those terms as 0"


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
    return float(np.sum(scipy.special.rel_entr(a, b)))


def _ce_formula(a, b):
    return float(-np.sum(scipy.special.xlogy(a, b)))


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


def ce_hints(ref, p, q, base=None):
    _, units = _units(base)
    other = None if base is not None else 2
    return [
        Misconception(ref.kl_divergence(p, q, base=base), "this is KL(P||Q); "
                      "scipy.stats.entropy(p, q) is KL too. Cross-entropy is H(P) + KL(P||Q) "
                      "= -sum p log q"),
        Misconception(ref.cross_entropy(q, p, base=base), "this is H(Q,P): the arguments are "
                      "swapped"),
        Misconception(ref.cross_entropy(p, q, base=other), units),
        *_mistakes(p, q, base, _ce_formula),
    ]


def entropy_hints(ref, p, base=None):
    _, units = _units(base)
    other = None if base is not None else 2
    return [
        Misconception(ref.entropy(p, base=other), units.replace("the value", "the entropy")),
        Misconception(-ref.entropy(p, base=base), "the sign is flipped: H = -sum p log p >= 0"),
        *_mistakes(p, p, base, lambda a, _: float(-np.sum(scipy.special.xlogy(a, a))),
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


@pytest.mark.points(1.5)
def test_entropy_values(student, ref, rng):
    """entropy matches the reference and scipy.stats.entropy"""
    cases = Cases()
    for case, p, _ in dirichlet_cases(rng):
        expected = ref.entropy(p)
        oracles_agree(expected, oracles.entropy(p), what=f"entropy, {case}")
        with cases.case():
            expect_close(student.entropy(p), expected, what="entropy(p)", case=case,
                         inputs={"p": p}, misconceptions=partial(entropy_hints, ref, p), **TOL)
    cases.finish()


@pytest.mark.points(1.5)
def test_cross_entropy_values(student, ref, rng):
    """cross_entropy matches the reference and H(P) + KL from scipy"""
    cases = Cases()
    for case, p, q in dirichlet_cases(rng):
        expected = ref.cross_entropy(p, q)
        oracles_agree(expected, scipy_cross_entropy(p, q), what=f"cross-entropy, {case}")
        with cases.case():
            expect_value(student.cross_entropy(p, q), expected, what="cross_entropy(p, q)",
                         case=case, inputs={"p": p, "q": q},
                         misconceptions=partial(ce_hints, ref, p, q), formula=_ce_formula)
    cases.finish()


@pytest.mark.points(1.5)
def test_kl_values(student, ref, rng):
    """kl_divergence matches the reference and scipy.stats.entropy(p, q)"""
    cases = Cases()
    for case, p, q in dirichlet_cases(rng):
        expected = ref.kl_divergence(p, q)
        oracles_agree(expected, oracles.entropy(p, q), what=f"KL, {case}")
        with cases.case():
            expect_value(student.kl_divergence(p, q), expected, what="kl_divergence(p, q)",
                         case=case, inputs={"p": p, "q": q},
                         misconceptions=partial(kl_hints, ref, p, q), formula=_kl_formula)
    cases.finish()


@pytest.mark.points(1)
def test_zeros(student, ref, rng):
    """zero probabilities: 0 log 0 = 0, and infinity where q = 0 < p"""
    p = rng.dirichlet(np.ones(6))
    p[[1, 4]] = 0.0
    q = rng.dirichlet(np.ones(6))
    hint = [Misconception(math.nan, NAN_ZEROS)]
    expect_close(student.entropy(p), ref.entropy(p), what="entropy(p)",
                 case="p with zero entries", inputs={"p": p},
                 misconceptions=[*hint, *entropy_hints(ref, p)], **TOL)
    expect_close(student.kl_divergence(p, q), ref.kl_divergence(p, q),
                 what="kl_divergence(p, q)", case="p = 0 where q > 0 (those terms are 0)",
                 inputs={"p": p, "q": q}, misconceptions=[*hint, *kl_hints(ref, p, q)], **TOL)
    expect_close(student.cross_entropy(p, q), ref.cross_entropy(p, q),
                 what="cross_entropy(p, q)", case="p = 0 where q > 0 (those terms are 0)",
                 inputs={"p": p, "q": q}, misconceptions=[*hint, *ce_hints(ref, p, q)], **TOL)
    q_zero = q.copy()
    q_zero[2] = 0.0
    inf_hint = [Misconception(math.nan, "q = 0 < p makes the divergence infinite: return "
                              "inf (float('inf')), not nan")]
    expect_value(student.kl_divergence(p, q_zero), math.inf, what="kl_divergence(p, q)",
                 case="q = 0 where p > 0", inputs={"p": p, "q": q_zero},
                 misconceptions=inf_hint)
    expect_value(student.cross_entropy(p, q_zero), math.inf, what="cross_entropy(p, q)",
                 case="q = 0 where p > 0", inputs={"p": p, "q": q_zero},
                 misconceptions=inf_hint)
    one_hot = np.zeros(5)
    one_hot[rng.integers(5)] = 1.0
    expect_close(student.entropy(one_hot), 0.0, what="entropy(p)", case="a certain outcome",
                 inputs={"p": one_hot}, misconceptions=hint, **TOL)


@pytest.mark.points(0.5)
def test_normalisation(student, ref, rng):
    """unnormalised weights are normalised first, as scipy.stats.entropy does"""
    p = rng.uniform(0.5, 5.0, size=7)
    q = rng.uniform(0.5, 5.0, size=7)
    case = "unnormalised weights"
    expect_close(student.entropy(p), oracles.entropy(p), what="entropy(p)", case=case,
                 inputs={"p": p}, misconceptions=partial(entropy_hints, ref, p), **TOL)
    expect_close(student.kl_divergence(p, q), oracles.entropy(p, q),
                 what="kl_divergence(p, q)", case=case, inputs={"p": p, "q": q},
                 misconceptions=partial(kl_hints, ref, p, q), **TOL)
    expect_close(student.cross_entropy(p, q), scipy_cross_entropy(p, q),
                 what="cross_entropy(p, q)", case=case, inputs={"p": p, "q": q},
                 misconceptions=partial(ce_hints, ref, p, q), **TOL)
    scaled = student.entropy(list(3.0 * p))
    expect_close(scaled, ref.entropy(p), what="entropy(p)",
                 case="a Python list of weights", inputs={"p": list(3.0 * p)}, **TOL)


@pytest.mark.points(0.5)
def test_base(student, ref, rng):
    """base=2 gives bits and base=10 gives hartleys"""
    p = rng.dirichlet(np.ones(8))
    q = rng.dirichlet(np.ones(8))
    for base in (2, 10):
        case = f"base={base}"
        expect_close(student.entropy(p, base=base), oracles.entropy(p, base=base),
                     what=f"entropy(p, base={base})", case=case, inputs={"p": p},
                     misconceptions=partial(entropy_hints, ref, p, base), **TOL)
        expect_close(student.kl_divergence(p, q, base=base),
                     oracles.entropy(p, q, base=base),
                     what=f"kl_divergence(p, q, base={base})", case=case,
                     inputs={"p": p, "q": q},
                     misconceptions=partial(kl_hints, ref, p, q, base), **TOL)
        expect_close(student.cross_entropy(p, q, base=base),
                     ref.cross_entropy(p, q, base=base),
                     what=f"cross_entropy(p, q, base={base})", case=case,
                     inputs={"p": p, "q": q},
                     misconceptions=partial(ce_hints, ref, p, q, base), **TOL)


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


@pytest.mark.points(0.5)
def test_decomposition(student, ref, rng):
    """H(P,Q) = H(P) + KL(P||Q) holds between your three functions"""
    for _ in range(5):
        size = int(rng.integers(2, 20))
        p, q = rng.dirichlet(np.ones(size)), rng.dirichlet(np.ones(size))
        h = expect_close(student.entropy(p), oracles.entropy(p), what="entropy(p)",
                         case="random p", inputs={"p": p},
                         misconceptions=partial(entropy_hints, ref, p),
                         **TOL)
        kl = expect_close(student.kl_divergence(p, q), oracles.entropy(p, q),
                          what="kl_divergence(p, q)", case="random p, q",
                          misconceptions=partial(kl_hints, ref, p, q), **TOL)
        ce = student.cross_entropy(p, q)
        expect_close(ce, h + kl, what="cross_entropy(p, q)",
                     case=f"H(P) + KL(P||Q) = {h:.6g} + {kl:.6g}", inputs={"p": p, "q": q},
                     misconceptions=partial(ce_hints, ref, p, q), rtol=1e-9, atol=1e-11)
        expect(kl >= 0, f"KL(P||Q) must be >= 0 (Gibbs' inequality); got {kl:.6g}")
