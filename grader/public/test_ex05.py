"""Public checks of exercise 5: a worked example of entropy, cross-entropy and KL (4 points).

These checks need no reference code (properties, scipy and numpy formulas, numerical
gradients of your own functions, pen-and-paper answers stored as numbers); they ship
to students. The hidden checks of this exercise are in grader/hidden/ (sealed).
"""

import difflib
import math
import types

import numpy as np
import pytest

from grader import oracles
from grader.checks import (
    Misconception,
    as_float,
    describe,
    expect,
    expect_close,
    fail,
    kind,
    oracles_agree,
)
from grader.honest import NOT_CREDITED

P = np.array([0.5, 0.3, 0.2])


Q = np.array([0.6, 0.3, 0.1])


KEYS = ("H_P", "H_PQ", "KL_PQ")


# Worked out by hand: four significant digits pass (1.030, 1.077, 0.04747 or 0.0475). The
# absolute part covers the cancellation in KL (-0.0912 + 0.1386 = 0.0474 is 1.4e-3 off in
# relative terms); the nearest wrong reading, KL(Q||P) = 0.04008, is 0.0074 away.
HAND = {"rtol": 1e-3, "atol": 2e-4}


# The three answers may each be off by up to their tolerance: H_P + KL_PQ - H_PQ by the sum.
CONSISTENT = {"rtol": 0.0, "atol": 3e-3}


BITS = math.log(2)


LOG10 = math.log(10)


def truth():
    """The exact values, from scipy (two-argument entropy is KL)."""
    h_p = oracles.entropy(P)
    kl_pq = oracles.entropy(P, Q)
    return {"H_P": h_p, "KL_PQ": kl_pq, "H_PQ": h_p + kl_pq,
            "H_Q": oracles.entropy(Q), "KL_QP": oracles.entropy(Q, P),
            "H_QP": oracles.entropy(Q) + oracles.entropy(Q, P)}


#: the pen-and-paper answers, stored as numbers (checked against the oracles in answer())
STORED = types.SimpleNamespace(answers=lambda: {
    "H_P": 1.0296530140645737, "H_PQ": 1.0771216717795853, "KL_PQ": 0.047468657715011756})


def answer(student, ref, key):
    """The student's value for one key of answers(), checked to be present."""
    value = student.answers()
    expect(isinstance(value, dict), "answers() should return a dict with the keys 'H_P', "
                                    f"'H_PQ' and 'KL_PQ'; it returned {kind(value)} "
                                    f"({describe(value)})")
    if key not in value:
        names = [k for k in value if isinstance(k, str) and k not in ("H_P", "H_PQ", "KL_PQ")]
        near = difflib.get_close_matches(key, names, n=1, cutoff=0.5)
        hint = f"\nHint: rename the key {near[0]!r} to {key!r}" if near else ""
        fail(f"answers() has no key {key!r}: it returned {describe(value)}; the keys are "
             f"'H_P', 'H_PQ' and 'KL_PQ'{hint}")
    expected = ref.answers()[key]
    oracles_agree(expected, truth()[key], what=key)
    return value[key], expected


def hints(key):
    """Values that known mistakes give for one answer."""
    t = truth()
    common = [
        Misconception(t[key] / BITS, "this is the value in bits (log2); the answers are in "
                      "nats (natural log)"),
        Misconception(t[key] / LOG10, "this is the value with log10; the answers are in nats "
                      "(natural log)"),
        Misconception(-t[key], "the sign is flipped"),
    ]
    if key == "H_P":
        return common + [
            Misconception(t["H_Q"], "this is H(Q) = 0.8979; the entropy of P is asked"),
            Misconception(t["H_PQ"], "this is the cross-entropy H(P,Q); H_P is the entropy "
                          "-sum p log p"),
        ]
    if key == "KL_PQ":
        return common + [
            Misconception(t["KL_QP"], "this is KL(Q||P) = 0.04008: the arguments are the wrong "
                          "way round. KL(P||Q) = sum p log(p/q), weighted by P"),
            Misconception(t["KL_QP"] / BITS, "this is KL(Q||P) in bits: the direction is "
                          "reversed and the unit is wrong (use p log(p/q) with the natural "
                          "log)"),
            Misconception(t["H_PQ"], "this is the cross-entropy H(P,Q); the KL is "
                          "H(P,Q) - H(P)"),
            Misconception(t["H_P"] - t["H_Q"], "this is H(P) - H(Q); the KL is "
                          "H(P,Q) - H(P) = sum p log(p/q)"),
        ]
    return common + [
        Misconception(t["KL_PQ"], "this is KL(P||Q): scipy.stats.entropy(p, q) computes the KL "
                      "divergence, not the cross-entropy; H(P,Q) = H(P) + KL(P||Q) = "
                      "-sum p log q"),
        Misconception(t["H_QP"], "this is H(Q,P) = -sum q log p: the arguments are swapped; "
                      "H(P,Q) = -sum p log q"),
        Misconception(t["H_P"] + t["KL_QP"], "this is H(P) + KL(Q||P): the KL is the wrong way "
                      "round; H(P,Q) = H(P) + KL(P||Q)"),
        Misconception(t["H_P"] - t["KL_PQ"], "this is H(P) - KL; the cross-entropy is larger "
                      "than the entropy: H(P,Q) = H(P) + KL(P||Q)"),
        Misconception(t["H_Q"], "this is H(Q); the cross-entropy is H(P,Q) = -sum p log q"),
    ]


def check_answer(student, ref, key, what):
    got, expected = answer(student, ref, key)
    expect_close(got, expected, what=f"answers()[{key!r}] ({what})",
                 case="P = [0.5, 0.3, 0.2], Q = [0.6, 0.3, 0.1]", misconceptions=hints(key),
                 **HAND)


@pytest.mark.public
@pytest.mark.points(1)
def test_h_p(student):
    """H_P: the entropy of P in nats"""
    check_answer(student, STORED, "H_P", "H(P)")


@pytest.mark.public
@pytest.mark.points(0.5)
def test_consistent(student):
    """the answers agree with each other: H_PQ = H_P + KL_PQ"""
    values = {}
    for key in KEYS:
        got, _ = answer(student, STORED, key)
        values[key] = as_float(got, what=f"answers()[{key!r}]")
    h_p, kl_pq, h_pq = values["H_P"], values["KL_PQ"], values["H_PQ"]
    # all zeros (or any answers with H_P = KL_PQ = 0) agree trivially: P is not certain and
    # Q differs from P, so H(P) > 0 and KL(P||Q) > 0 in any unit
    for key, name in (("H_P", "H(P): P is not a certain outcome"),
                      ("KL_PQ", "KL(P||Q): Q differs from P (Gibbs' inequality)")):
        expect(values[key] > 0, f"answers()[{key!r}] is {values[key]:.6g}; {name}, so it is "
               f"> 0. The answers must agree as real values of H(P) and KL(P||Q): "
               f"{NOT_CREDITED}")
    expect_close(h_pq, h_p + kl_pq, what="answers()['H_PQ']",
                 case=f"H_P + KL_PQ = {h_p:.6g} + {kl_pq:.6g} (your own answers)",
                 misconceptions=[
                     Misconception(kl_pq, "your H_PQ equals your KL_PQ: scipy.stats.entropy(p, "
                                   "q) is the KL divergence, not the cross-entropy"),
                     Misconception(h_p - kl_pq, "H_PQ is H_P - KL_PQ in your answers; the "
                                   "cross-entropy is H(P) + KL(P||Q)"),
                     Misconception(truth()["H_QP"], "your H_PQ is H(Q,P) = -sum q log p; "
                                   "H(P,Q) = -sum p log q is never below H(P)")],
                 **CONSISTENT)
