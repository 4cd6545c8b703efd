"""Hidden suite of exercise 10: entropy, cross-entropy and KL from scratch (8 points).

The public checks of this exercise (and helpers shared with them) are in
grader/public/test_ex10.py; hidden checks may import from it, never the reverse.
"""

import math
from functools import partial

import numpy as np
import pytest

from grader import oracles
from grader.checks import (
    Cases,
    Misconception,
    expect,
    expect_close,
    oracles_agree,
)
from grader.public.test_ex10 import (  # noqa: F401  (shared helpers)
    TOL,
    _mistakes,
    _units,
    dirichlet_cases,
    entropy_hints,
    expect_value,
    kl_hints,
)


def scipy_cross_entropy(p, q):
    # scipy's two-argument entropy is KL, so H(P,Q) = H(P) + KL(P||Q)
    return oracles.entropy(p) + oracles.entropy(p, q)


NAN_ZEROS = "nan comes from 0 * log 0: treat those terms as 0"


def _ce_formula(a, b):
    return float(-np.sum(oracles.special.xlogy(a, b)))


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
