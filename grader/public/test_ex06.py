"""Public checks of exercise 6: surprisal of rare tokens and perplexity (5 points).

These checks need no reference code (properties, scipy and numpy formulas, numerical
gradients of your own functions, pen-and-paper answers stored as numbers); they ship
to students. The hidden checks of this exercise are in grader/hidden/ (sealed).
"""

import math
import types

import pytest

from grader.checks import (
    Misconception,
    describe,
    expect_close,
    expect_raises,
    fail,
    kind,
    oracles_agree,
)
from grader.hints import NO_VALIDATION, hint_on_failure

#: answers() may be worked out by hand: four significant digits pass, the known wrong
#: readings (bits for nats, 1/E[p], ...) are all more than 10 % away.
ANSWER_TOL = {"rtol": 1e-3, "atol": 0.0}


LN2 = math.log(2.0)


def perplexity_hints(p_rare, rate, p_common):
    s_rare, s_common = -math.log(p_rare), -math.log(p_common)
    mean_nats = rate * s_rare + (1.0 - rate) * s_common
    return [
        Misconception(1.0 / (rate * p_rare + (1.0 - rate) * p_common),
                      "this is 1 / (mean probability), 1/E[p]; perplexity is exp of the mean "
                      "surprisal, exp(E[-ln p]): the geometric mean of 1/p, not the inverse "
                      "of the arithmetic mean of p"),
        Misconception(rate / p_rare + (1.0 - rate) / p_common,
                      "this is the arithmetic mean of 1/p, E[1/p]; perplexity is exp of the "
                      "mean surprisal, exp(E[-ln p]) (a geometric mean of 1/p)"),
        Misconception(mean_nats, "this is the mean surprisal in nats; the perplexity is its "
                      "exponential, exp(mean surprisal)"),
        Misconception(mean_nats / LN2, "this is the mean surprisal in bits; the perplexity is "
                      "2 ** (mean bits) = exp(mean nats)"),
        Misconception(2.0 ** mean_nats, "2 ** (mean surprisal in nats) mixes bases: use exp "
                      "with nats (or 2 ** with bits)"),
        Misconception(math.exp(mean_nats / LN2), "exp of the mean surprisal in bits mixes "
                      "bases: use exp with nats (or 2 ** with bits)"),
        Misconception(math.exp((1.0 - rate) * s_rare + rate * s_common),
                      "the rate is on the wrong probability: a fraction rare_rate of the "
                      "tokens get p_rare, the other 1 - rare_rate get p_common"),
    ]


@pytest.mark.public
@pytest.mark.points(0.5)
def test_invalid_input(student):
    """invalid input raises ValueError"""
    with hint_on_failure(NO_VALIDATION + " (a probability in (0, 1], a base > 0 other than "
                         "1, a rate in [0, 1])"):
        _invalid_input(student)


def _invalid_input(student):
    for p, why in ((0.0, "p = 0"), (-0.2, "a negative p"), (1.5, "p > 1")):
        expect_raises(ValueError, student.token_surprisal, p, what=f"token_surprisal({p:g})",
                      case=f"{why} (a probability must be in (0, 1])")
    for base in (1.0, 0.0, -2.0):
        expect_raises(ValueError, student.token_surprisal, 0.5, base=base,
                      what=f"token_surprisal(0.5, base={base:g})",
                      case=f"base = {base:g} (a base must be positive and not 1)")
    for args, why in (((0.0, 0.05, 0.5), "p_rare = 0"), ((0.001, 0.05, 1.2), "p_common > 1"),
                      ((0.001, 0.05, -0.5), "a negative p_common"),
                      ((0.001, -0.1, 0.5), "rare_rate < 0"),
                      ((0.001, 1.5, 0.5), "rare_rate > 1")):
        expect_raises(ValueError, student.mixture_perplexity, *args,
                      what=f"mixture_perplexity{args}", case=why)


ANSWER_HINTS = {
    "surprisal_nats": [
        Misconception(math.log2(1000.0), "this is in bits; nats use the natural "
                      "logarithm: -ln(0.001) = ln(1000)"),
        Misconception(3.0, "this is log10(1000) (hartleys); nats use the natural logarithm"),
        Misconception(-math.log(1000.0), "the sign is flipped: surprisal is -ln p >= 0"),
    ],
    "surprisal_bits": [
        Misconception(math.log(1000.0), "this is in nats; bits use log2: "
                      "log2(1000) = ln(1000) / ln(2)"),
        Misconception(3.0, "this is log10(1000) (hartleys); bits use log2"),
        Misconception(-math.log2(1000.0), "the sign is flipped: surprisal is -log2 p >= 0"),
    ],
    "perplexity": perplexity_hints(0.001, 0.05, 0.5),
}


CASES = {"surprisal_nats": "the surprisal of a token of probability 0.001, in nats",
         "surprisal_bits": "the surprisal of a token of probability 0.001, in bits",
         "perplexity": "the perplexity of a text with 5 % of tokens at p = 0.001 and 95 % "
                       "at p = 0.5"}


EXACT = {"surprisal_nats": math.log(1000.0), "surprisal_bits": math.log2(1000.0),
         "perplexity": math.exp(0.05 * math.log(1000.0) + 0.95 * LN2)}


#: the pen-and-paper answers, stored as numbers (checked against EXACT in check_answer)
STORED = types.SimpleNamespace(answers=lambda: {
    "surprisal_nats": 6.907755278982137, "surprisal_bits": 9.965784284662087,
    "perplexity": 2.728842660642837})


def check_answer(student, ref, key):
    expected = ref.answers()
    oracles_agree(expected[key], EXACT[key], what=f"answers()[{key!r}]")
    got = student.answers()
    if not isinstance(got, dict):
        fail(f"answers() should return a dict with keys {sorted(expected)}; it returned "
             f"{kind(got)} ({describe(got)})")
    if key not in got:
        fail(f"answers() returned {describe(got)}, which lacks the key {key!r} (expected "
             f"keys: {sorted(expected)})")
    expect_close(got[key], expected[key], what=f"answers()[{key!r}]", case=CASES[key],
                 misconceptions=ANSWER_HINTS[key], **ANSWER_TOL)


@pytest.mark.public
@pytest.mark.points(0.5)
def test_answer_surprisal_nats(student):
    """answers()['surprisal_nats']: the surprisal of p = 0.001 in nats"""
    check_answer(student, STORED, "surprisal_nats")


@pytest.mark.public
@pytest.mark.points(0.5)
def test_answer_surprisal_bits(student):
    """answers()['surprisal_bits']: the surprisal of p = 0.001 in bits"""
    check_answer(student, STORED, "surprisal_bits")


@pytest.mark.public
@pytest.mark.points(0.5)
def test_answer_perplexity(student):
    """answers()['perplexity']: 5 % of the tokens at p = 0.001, 95 % at p = 0.5"""
    check_answer(student, STORED, "perplexity")
