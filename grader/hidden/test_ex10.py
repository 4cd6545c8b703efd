"""Hidden suite of exercise 10: entropy, cross-entropy and KL from scratch (8 points)."""

import math

import numpy as np
import pytest
import scipy.stats

from grader.checks import (
    Cases,
    Misconception,
    expect,
    expect_close,
    expect_raises,
    oracles_agree,
)

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
    return scipy.stats.entropy(p) + scipy.stats.entropy(p, q)


def kl_hints(ref, p, q):
    return [
        Misconception(ref.kl_divergence(q, p), "this is KL(Q||P): the arguments are the "
                      "wrong way round (KL is not symmetric)"),
        Misconception(ref.kl_divergence(p, q, base=2), "this is the value in bits; use the "
                      "natural log unless base is given"),
        Misconception(ref.cross_entropy(p, q), "this is the cross-entropy H(P,Q), not "
                      "KL = H(P,Q) - H(P)"),
    ]


def ce_hints(ref, p, q):
    return [
        Misconception(ref.kl_divergence(p, q), "this is KL(P||Q); scipy.stats.entropy(p, q) "
                      "is KL too. Cross-entropy is H(P) + KL(P||Q) = -sum p log q"),
        Misconception(ref.cross_entropy(q, p), "this is H(Q,P): the arguments are swapped"),
        Misconception(ref.cross_entropy(p, q, base=2), "this is the value in bits; use the "
                      "natural log unless base is given"),
    ]


def entropy_hints(ref, p):
    return [
        Misconception(ref.entropy(p, base=2), "this is the entropy in bits; use the natural "
                      "log (nats) unless base is given"),
        Misconception(-ref.entropy(p), "the sign is flipped: H = -sum p log p >= 0"),
    ]


@pytest.mark.points(1.5)
def test_entropy_values(student, ref, rng):
    """entropy matches the reference and scipy.stats.entropy"""
    cases = Cases()
    for case, p, _ in dirichlet_cases(rng):
        expected = ref.entropy(p)
        oracles_agree(expected, scipy.stats.entropy(p), what=f"entropy, {case}")
        with cases.case():
            expect_close(student.entropy(p), expected, what="entropy(p)", case=case,
                         inputs={"p": p}, misconceptions=entropy_hints(ref, p), **TOL)
    cases.finish()


@pytest.mark.points(1.5)
def test_cross_entropy_values(student, ref, rng):
    """cross_entropy matches the reference and H(P) + KL from scipy"""
    cases = Cases()
    for case, p, q in dirichlet_cases(rng):
        expected = ref.cross_entropy(p, q)
        oracles_agree(expected, scipy_cross_entropy(p, q), what=f"cross-entropy, {case}")
        with cases.case():
            expect_close(student.cross_entropy(p, q), expected, what="cross_entropy(p, q)",
                         case=case, inputs={"p": p, "q": q},
                         misconceptions=ce_hints(ref, p, q), **TOL)
    cases.finish()


@pytest.mark.points(1.5)
def test_kl_values(student, ref, rng):
    """kl_divergence matches the reference and scipy.stats.entropy(p, q)"""
    cases = Cases()
    for case, p, q in dirichlet_cases(rng):
        expected = ref.kl_divergence(p, q)
        oracles_agree(expected, scipy.stats.entropy(p, q), what=f"KL, {case}")
        with cases.case():
            expect_close(student.kl_divergence(p, q), expected, what="kl_divergence(p, q)",
                         case=case, inputs={"p": p, "q": q},
                         misconceptions=kl_hints(ref, p, q), **TOL)
    cases.finish()


@pytest.mark.points(1)
def test_zeros(student, ref, rng):
    """zero probabilities: 0 log 0 = 0, and infinity where q = 0 < p"""
    p = rng.dirichlet(np.ones(6))
    p[[1, 4]] = 0.0
    q = rng.dirichlet(np.ones(6))
    hint = [Misconception(math.nan, "nan comes from 0 * log 0: treat those terms as 0")]
    expect_close(student.entropy(p), ref.entropy(p), what="entropy(p)",
                 case="p with zero entries", inputs={"p": p}, misconceptions=hint, **TOL)
    expect_close(student.kl_divergence(p, q), ref.kl_divergence(p, q),
                 what="kl_divergence(p, q)", case="p = 0 where q > 0 (those terms are 0)",
                 inputs={"p": p, "q": q}, misconceptions=hint, **TOL)
    expect_close(student.cross_entropy(p, q), ref.cross_entropy(p, q),
                 what="cross_entropy(p, q)", case="p = 0 where q > 0 (those terms are 0)",
                 inputs={"p": p, "q": q}, misconceptions=hint, **TOL)
    q_zero = q.copy()
    q_zero[2] = 0.0
    inf_hint = [Misconception(math.nan, "q = 0 < p makes the divergence infinite: return "
                              "inf (float('inf')), not nan")]
    expect_close(student.kl_divergence(p, q_zero), math.inf, what="kl_divergence(p, q)",
                 case="q = 0 where p > 0", inputs={"p": p, "q": q_zero},
                 misconceptions=inf_hint, **TOL)
    expect_close(student.cross_entropy(p, q_zero), math.inf, what="cross_entropy(p, q)",
                 case="q = 0 where p > 0", inputs={"p": p, "q": q_zero},
                 misconceptions=inf_hint, **TOL)
    one_hot = np.zeros(5)
    one_hot[rng.integers(5)] = 1.0
    expect_close(student.entropy(one_hot), 0.0, what="entropy(p)", case="a certain outcome",
                 inputs={"p": one_hot}, misconceptions=hint, **TOL)


@pytest.mark.points(0.5)
def test_normalisation(student, ref, rng):
    """unnormalised weights are normalised first, as scipy.stats.entropy does"""
    p = rng.uniform(0.5, 5.0, size=7)
    q = rng.uniform(0.5, 5.0, size=7)
    hint = "normalise the inputs to sum to 1 first (p / p.sum())"
    raw_h = -np.sum(p * np.log(p))
    raw_kl = np.sum(p * np.log(p / q))
    raw_ce = -np.sum(p * np.log(q))
    case = "unnormalised weights"
    expect_close(student.entropy(p), scipy.stats.entropy(p), what="entropy(p)", case=case,
                 inputs={"p": p}, misconceptions=[Misconception(raw_h, hint)], **TOL)
    expect_close(student.kl_divergence(p, q), scipy.stats.entropy(p, q),
                 what="kl_divergence(p, q)", case=case, inputs={"p": p, "q": q},
                 misconceptions=[Misconception(raw_kl, hint)], **TOL)
    expect_close(student.cross_entropy(p, q), scipy_cross_entropy(p, q),
                 what="cross_entropy(p, q)", case=case, inputs={"p": p, "q": q},
                 misconceptions=[Misconception(raw_ce, hint)], **TOL)
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
        nats = [Misconception(ref.entropy(p), "this is in nats: divide by log(base)")]
        expect_close(student.entropy(p, base=base), scipy.stats.entropy(p, base=base),
                     what=f"entropy(p, base={base})", case=case, inputs={"p": p},
                     misconceptions=nats, **TOL)
        expect_close(student.kl_divergence(p, q, base=base),
                     scipy.stats.entropy(p, q, base=base),
                     what=f"kl_divergence(p, q, base={base})", case=case,
                     inputs={"p": p, "q": q}, **TOL)
        expect_close(student.cross_entropy(p, q, base=base),
                     ref.cross_entropy(p, q, base=base),
                     what=f"cross_entropy(p, q, base={base})", case=case,
                     inputs={"p": p, "q": q}, **TOL)


@pytest.mark.points(1)
def test_invalid_input(student, rng):
    """ValueError for negative entries, mismatched shapes, empty or all-zero input"""
    p = rng.dirichlet(np.ones(4))
    negative = p.copy()
    negative[1] = -0.2
    expect_raises(ValueError, student.entropy, negative, what="entropy(p)",
                  case="a negative entry")
    expect_raises(ValueError, student.kl_divergence, p, negative, what="kl_divergence(p, q)",
                  case="a negative entry in q")
    expect_raises(ValueError, student.cross_entropy, negative, p, what="cross_entropy(p, q)",
                  case="a negative entry in p")
    expect_raises(ValueError, student.kl_divergence, p, np.ones(5) / 5,
                  what="kl_divergence(p, q)", case="p of length 4, q of length 5")
    expect_raises(ValueError, student.cross_entropy, p, np.ones(3) / 3,
                  what="cross_entropy(p, q)", case="p of length 4, q of length 3")
    expect_raises(ValueError, student.entropy, [], what="entropy(p)", case="an empty p")
    expect_raises(ValueError, student.entropy, np.zeros(3), what="entropy(p)",
                  case="all-zero p")


@pytest.mark.points(0.5)
def test_decomposition(student, rng):
    """H(P,Q) = H(P) + KL(P||Q) holds between your three functions"""
    for _ in range(5):
        size = int(rng.integers(2, 20))
        p, q = rng.dirichlet(np.ones(size)), rng.dirichlet(np.ones(size))
        h = expect_close(student.entropy(p), scipy.stats.entropy(p), what="entropy(p)",
                         case="random p", inputs={"p": p}, **TOL)
        kl = expect_close(student.kl_divergence(p, q), scipy.stats.entropy(p, q),
                          what="kl_divergence(p, q)", case="random p, q", **TOL)
        ce = student.cross_entropy(p, q)
        expect_close(ce, h + kl, what="cross_entropy(p, q)",
                     case=f"H(P) + KL(P||Q) = {h:.6g} + {kl:.6g}", inputs={"p": p, "q": q},
                     rtol=1e-9, atol=1e-11)
        expect(kl >= 0, f"KL(P||Q) must be >= 0 (Gibbs' inequality); got {kl:.6g}")
