"""Public checks of exercise 1: the surprisal of a die roll (4 points).

These checks need no reference code (properties, scipy and numpy formulas, numerical
gradients of your own functions, pen-and-paper answers stored as numbers); they ship
to students. The hidden checks of this exercise are in grader/hidden/ (sealed).
"""

import math

import pytest

from grader.checks import Misconception, expect_close, expect_raises
from grader.hints import NO_VALIDATION, hint_on_failure

# atol: -log2(1 + 1e-12) = -1.4e-12 at p = 1 is not worth a failure; tiny p are checked apart
TOL = {"rtol": 1e-9, "atol": 1e-11}


# The two fixed answers may be worked out by hand: four significant digits pass
# (2.585 for log2 6, 0.3869 for 1/log2 6); every known wrong reading is at least 30 % off.
HAND = {"rtol": 1e-3, "atol": 0.0}


LOG2_6 = math.log2(6.0)


EPSILONS = (1e-16, 1e-15, 1e-12, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6)


def surprisal_hints(p, base=2.0):
    """Values that known mistakes give for surprisal(p, base)."""
    log_base = math.log(base)
    hints = []
    if base != math.e:
        unit = "the default base is 2, so the answer is in bits: use log2(p) or divide " \
               "by ln 2" if base == 2.0 else f"base={base:g} was asked: divide by ln(base)"
        hints.append(Misconception(-math.log(p), f"this is the surprisal in nats (natural "
                                   f"log); {unit}"))
    if base != 2.0:
        hints.append(Misconception(-math.log2(p), f"this is the surprisal in bits; "
                                   f"base={base:g} was asked: divide ln p by ln(base)"))
    if base != 10.0:
        hints.append(Misconception(-math.log10(p), "this is log base 10; use the base "
                                   "argument (2, bits, by default)"))
    if p != 1.0:
        hints.append(Misconception(-log_base / math.log(p), "the division is upside down: "
                                   "log_base(p) = ln(p) / ln(base)"))
    return hints + [
        Misconception(math.log(p) / log_base, "the sign is flipped: surprisal is -log p, "
                      "which is >= 0 because p <= 1"),
        Misconception(1.0 / p, "this is 1/p; the surprisal is its logarithm, log(1/p)"),
        Misconception(-p * math.log(p) / log_base, "this is -p log p, one term of an "
                      "entropy; the surprisal of the outcome is -log p alone"),
    ]


def epsilon_hints(p):
    """Values of -log2(p + eps) and -log2(max(p, eps)) for the usual epsilons."""
    hint = ("you add (or clip to) a small epsilon inside the log, as in log(p + 1e-12): "
            "that caps the surprisal of tiny p at about -log2(epsilon). Here p > 0 is "
            "guaranteed (0 is a ValueError), so take the log of p itself")
    hints = []
    for eps in EPSILONS:
        hints.append(Misconception(-math.log2(p + eps), hint))
        hints.append(Misconception(-math.log2(max(p, eps)), hint))
    return hints


@pytest.mark.public
@pytest.mark.points(1)
def test_surprisal_bits(student, rng):
    """surprisal(p) is -log2 p: bits by default"""
    named = [(0.5, "a fair coin's heads (p = 1/2)"), (1 / 6, "a face of a fair die (p = 1/6)"),
             (0.125, "p = 1/8"), (1.0, "a certain outcome (p = 1)")]
    uniform = [(float(p), "random p in (0, 1)") for p in rng.uniform(0.0, 1.0, size=8)]
    log_uniform = [(float(10.0 ** e), "random small p") for e in rng.uniform(-3.0, 0.0, size=8)]
    for p, case in named + uniform + log_uniform:
        expect_close(student.surprisal(p), -math.log2(p), what="surprisal(p)", case=case,
                     inputs={"p": p}, misconceptions=surprisal_hints(p) + epsilon_hints(p),
                     **TOL)


@pytest.mark.public
@pytest.mark.points(0.5)
def test_surprisal_invalid(student, rng):
    """surprisal raises ValueError unless 0 < p <= 1"""
    above = float(rng.uniform(1.01, 3.0))
    negative = -float(rng.uniform(0.01, 1.0))
    cases = ((0.0, "p = 0 (an impossible outcome: its surprisal is infinite)"), (0, "p = 0"),
             (negative, "a negative p"), (above, "p > 1 (not a probability)"),
             (1.0 + 1e-9, "p just above 1"), (-0.0, "p = -0.0"))
    with hint_on_failure(NO_VALIDATION + " (p must be in (0, 1]: 0 < p <= 1)"):
        for p, case in cases:
            expect_raises(ValueError, student.surprisal, p, what=f"surprisal({p!r})",
                          case=case)


def die_hints():
    """Values that known mistakes give for the surprisal of a die face."""
    return [
        Misconception(math.log(6.0), "this is ln 6, the surprisal in nats; bits use log2: "
                      "log2 6"),
        Misconception(1.0 / LOG2_6, "this is 1 / log2 6, the number of rolls that carry one "
                      "bit (rolls_for_one_bit); one face of a fair die has surprisal "
                      "-log2(1/6) = log2 6 bits"),
        Misconception(-LOG2_6, "the sign is flipped: the surprisal -log2(1/6) is positive"),
        Misconception(1.0 / 6.0, "this is the probability 1/6; the surprisal is -log2(1/6)"),
        Misconception(math.log10(6.0), "this is log10 6; bits use log2"),
        Misconception(6.0, "this is 1/p = 6; the surprisal is its logarithm, log2 6"),
    ]


def rolls_hints():
    """Values that known mistakes give for the number of rolls that carry one bit."""
    return [
        Misconception(LOG2_6, "this is log2 6, the bits one roll carries; the number of "
                      "rolls that carry 1 bit together is 1 / log2 6 (less than one roll, "
                      "since one roll carries more than 1 bit)"),
        Misconception(1.0 / math.log(6.0), "this is 1 / ln 6, the rolls that carry one nat; "
                      "one bit is ln 2 nats, so the answer is ln 2 / ln 6 = 1 / log2 6"),
        Misconception(math.log(6.0), "this is ln 6, the surprisal of one roll in nats; the "
                      "answer is the inverse of the surprisal in bits, 1 / log2 6"),
        Misconception(1.0, "a whole roll carries log2 6 = 2.585 bits; the answer is a "
                      "fraction of a roll, 1 / log2 6: do not round it up"),
        Misconception(1.0 / 6.0, "this is the probability of a face; the answer is "
                      "1 / log2 6 (bits per roll, inverted)"),
        Misconception(math.ceil(LOG2_6), "this rounds log2 6 up; the answer is "
                      "1 / log2 6, a fraction of a roll"),
    ]


@pytest.mark.public
@pytest.mark.points(0.75)
def test_die_face(student):
    """die_face_surprisal_bits: the surprisal of one face of a fair die, in bits"""
    expect_close(student.die_face_surprisal_bits(), 2.584962500721156,
                 what="die_face_surprisal_bits()", case="a fair six-sided die",
                 misconceptions=die_hints(), **HAND)


@pytest.mark.public
@pytest.mark.points(0.75)
def test_rolls_for_one_bit(student):
    """rolls_for_one_bit: how many fair-die rolls carry 1 bit"""
    expected = 0.38685280723454163
    expect_close(student.rolls_for_one_bit(), expected, what="rolls_for_one_bit()",
                 case="a fair six-sided die", misconceptions=rolls_hints(), **HAND)
