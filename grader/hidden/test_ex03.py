"""Hidden suite of exercise 3: H(P,Q) = H(P) + KL(P||Q) (5 points; the proof is graded by hand).

The public checks of this exercise (and helpers shared with them) are in
grader/public/test_ex03.py; hidden checks may import from it, never the reverse.
"""

import math

import numpy as np
import pytest

from grader import oracles
from grader.checks import (
    Misconception,
    expect_close,
    oracles_agree,
)
from grader.public.test_ex03 import (  # noqa: F401  (shared helpers)
    ORDER,
    triple,
)

TOL = {"rtol": 1e-9, "atol": 1e-12}


SIZES = (3, 2, 5, 10, 50, 1000)


ALPHAS = (1.0, 10.0, 0.1)  # the friendliest case first: it is the one feedback shows


SLOTS = ("H(P)", "KL(P||Q)", "H(P,Q)")


def pairs(rng):
    """Pairs of random laws of many sizes and concentrations."""
    for size in SIZES:
        for alpha in ALPHAS:
            p = rng.dirichlet(np.full(size, alpha))
            q = rng.dirichlet(np.full(size, alpha))
            yield f"random laws on {size} outcomes (Dirichlet({alpha:g}))", p, q


def scipy_triple(p, q):
    """(H(P), KL(P||Q), H(P,Q)) from scipy: its two-argument entropy is KL."""
    h, kl = oracles.entropy(p), oracles.entropy(p, q)
    return h, kl, h + kl


def slot_hints(ref, p, q, slot):
    """Values that known mistakes put in one slot of the tuple."""
    h, kl, ce = ref.cross_entropy_decomposition(p, q)
    h_q, kl_qp, ce_qp = ref.cross_entropy_decomposition(q, p)
    bits = (h, kl, ce)[slot] / math.log(2)
    hints = [Misconception(bits, "this is the value in bits; use the natural log (nats)")]
    if slot == 0:
        hints += [
            Misconception(h_q, "this is H(Q), the entropy of the second argument; the first "
                          "value is the entropy of P"),
            Misconception(-h, "the sign is flipped: H(P) = -sum p log p >= 0"),
            Misconception(kl, f"this is KL(P||Q); {ORDER}"),
            Misconception(ce, f"this is H(P,Q); {ORDER}"),
        ]
    elif slot == 1:
        hints += [
            Misconception(kl_qp, "this is KL(Q||P): the arguments are the wrong way round "
                          "(KL is not symmetric); KL(P||Q) = sum p log(p/q)"),
            Misconception(-kl, "the sign is flipped: KL(P||Q) = sum p log(p/q) >= 0"),
            Misconception(ce, f"this is H(P,Q), the cross-entropy; {ORDER}"),
            Misconception(h, f"this is H(P); {ORDER}"),
            Misconception(h - ce, "this is H(P) - H(P,Q) = -KL: the sign is flipped"),
        ]
    else:
        hints += [
            Misconception(kl, "this is KL(P||Q): scipy.stats.entropy(p, q) computes the KL "
                          "divergence, not the cross-entropy. H(P,Q) = -sum p log q = "
                          f"H(P) + KL(P||Q) (or {ORDER})"),
            Misconception(ce_qp, "this is H(Q,P): the arguments are swapped; "
                          "H(P,Q) = -sum p log q"),
            Misconception(h + kl_qp, "this is H(P) + KL(Q||P): the KL is the wrong way round"),
            Misconception(h - kl, "this is H(P) - KL: the cross-entropy is H(P) + KL(P||Q)"),
            Misconception(h, f"this is H(P); {ORDER}"),
        ]
    return hints


def check_slot(student, ref, rng, slot):
    """Compare one value of the tuple with the reference and scipy on random pairs."""
    cases = list(pairs(rng))
    values = student.cross_entropy_decomposition.map([((p, q), {}) for _, p, q in cases])
    for (case, p, q), value in zip(cases, values, strict=True):
        expected = ref.cross_entropy_decomposition(p, q)
        oracles_agree(expected, scipy_triple(p, q), what=f"the decomposition, {case}")
        got = triple(value, case=case)
        expect_close(got[slot], expected[slot],
                     what=f"{SLOTS[slot]}, value {slot + 1} of cross_entropy_decomposition(p, q)",
                     case=case, inputs={"p": p, "q": q},
                     misconceptions=slot_hints(ref, p, q, slot), **TOL)


@pytest.mark.points(0.75)
def test_entropy(student, ref, rng):
    """H(P), the first value, in nats"""
    check_slot(student, ref, rng, 0)


@pytest.mark.points(1)
def test_kl(student, ref, rng):
    """KL(P||Q), the second value, in nats"""
    check_slot(student, ref, rng, 1)


@pytest.mark.points(0.75)
def test_cross_entropy(student, ref, rng):
    """H(P,Q), the third value, in nats"""
    check_slot(student, ref, rng, 2)


@pytest.mark.points(0.5)
def test_zeros(student, ref, rng):
    """zero probabilities: 0 log 0 = 0, and KL = H(P,Q) = inf where q = 0 < p"""
    nan_hint = Misconception(math.nan, "nan comes from 0 * log 0: terms with p = 0 are 0")
    inf_hint = Misconception(math.nan, "q = 0 < p makes KL(P||Q) and H(P,Q) infinite: return "
                             "inf (math.inf), not nan")
    p = rng.dirichlet(np.ones(6))
    p[[1, 4]] = 0.0
    p /= p.sum()
    q = rng.dirichlet(np.ones(6))
    q_zero = q.copy()
    q_zero[[1, 2]] = 0.0  # q = 0 where p = 0 (outcome 1) and where p > 0 (outcome 2)
    q_zero /= q_zero.sum()
    certain = np.zeros(5)
    certain[rng.integers(5)] = 1.0
    cases = (
        (p, q, "p = 0 on some outcomes where q > 0 (those terms are 0)", nan_hint),
        (q, p, "q = 0 where p > 0 (the KL and the cross-entropy are infinite)", inf_hint),
        (p, q_zero, "q = 0 where p > 0, and p = q = 0 on another outcome", inf_hint),
        (certain, certain, "P = Q = a certain outcome (all three are 0)", nan_hint),
    )
    for p_case, q_case, case, hint in cases:
        expected = ref.cross_entropy_decomposition(p_case, q_case)
        oracles_agree(expected, scipy_triple(p_case, q_case), what=case)
        got = triple(student.cross_entropy_decomposition(p_case, q_case), case=case)
        for slot in range(3):
            expect_close(got[slot], expected[slot], what=f"{SLOTS[slot]} (value {slot + 1})",
                         case=case, inputs={"p": p_case, "q": q_case},
                         misconceptions=[hint, *slot_hints(ref, p_case, q_case, slot)], **TOL)


def raw_triple(p, q):
    """(H, KL, H(P,Q)) of weights used without normalising them first."""
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    nz = p > 0
    h = -np.sum(p[nz] * np.log(p[nz]))
    kl = np.sum(p[nz] * np.log(p[nz] / q[nz]))
    return h, kl, -np.sum(p[nz] * np.log(q[nz]))


@pytest.mark.points(0.5)
def test_normalisation(student, ref, rng):
    """unnormalised weights are normalised first"""
    hint = "normalise the weights to sum to 1 first (p / p.sum(), q / q.sum())"
    p_raw = rng.uniform(0.5, 5.0, size=7)
    q_raw = rng.uniform(0.5, 5.0, size=7)
    cases = (([3, 1, 2, 4], [1, 1, 1, 1], "counts as Python lists of ints"),
             (p_raw, q_raw, "unnormalised weights"),
             (list(2.0 * p_raw), tuple(q_raw), "weights as a list and a tuple"))
    for p, q, case in cases:
        expected = ref.cross_entropy_decomposition(p, q)
        oracles_agree(expected, scipy_triple(p, q), what=case)
        got = triple(student.cross_entropy_decomposition(p, q), case=case)
        raw = raw_triple(p, q)
        p_law = np.asarray(p, dtype=np.float64) / np.sum(p)
        q_law = np.asarray(q, dtype=np.float64) / np.sum(q)
        for slot in range(3):
            hints = [Misconception(raw[slot], hint), *slot_hints(ref, p_law, q_law, slot)]
            expect_close(got[slot], expected[slot], what=f"{SLOTS[slot]} (value {slot + 1})",
                         case=case, inputs={"p": p, "q": q}, misconceptions=hints, **TOL)
