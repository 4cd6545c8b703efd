"""Hidden suite of exercise 6: surprisal of rare tokens and perplexity (5 points)."""

import math

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

TOL = {"rtol": 1e-9, "atol": 1e-12}
#: answers() may be worked out by hand: four significant digits pass, the known wrong
#: readings (bits for nats, 1/E[p], ...) are all more than 10 % away.
ANSWER_TOL = {"rtol": 1e-3, "atol": 0.0}
LN2 = math.log(2.0)


def surprisal_hints(p, base):
    nats = -math.log(p)
    hints = []
    if base == math.e:
        hints += [
            Misconception(nats / LN2, "this is the surprisal in bits; the default is nats: "
                          "use the natural logarithm unless base is given"),
            Misconception(nats / math.log(10.0), "this is log10: the default is nats (the "
                          "natural logarithm)"),
        ]
    else:
        hints += [
            Misconception(nats, f"this is the surprisal in nats; for base={base:g} divide "
                          "the natural log by log(base)"),
            Misconception(nats / base, "divide by log(base), not by base"),
            Misconception(nats * math.log(base), "divide by log(base); do not multiply"),
        ]
    hints += [
        Misconception(-nats / math.log(base), "the sign is flipped: surprisal is -log p, "
                      "which is >= 0 since p <= 1"),
        Misconception(1.0 / p, "this is 1/p; surprisal is its logarithm, log(1/p) = -log p"),
    ]
    return hints


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


@pytest.mark.points(1.25)
def test_token_surprisal(student, ref, rng):
    """token_surprisal: -log(p) in nats by default, in bits with base=2"""
    probabilities = [0.5, 0.001, *(10.0 ** rng.uniform(-8.0, -0.01, size=6))]
    for p in probabilities:
        expect_close(student.token_surprisal(p), ref.token_surprisal(p),
                     what="token_surprisal(p)", case=f"p = {p:.6g}, default base (nats)",
                     inputs={"p": p}, misconceptions=surprisal_hints(p, math.e), **TOL)
    random_base = float(rng.uniform(1.5, 20.0))
    for base in (2.0, 10.0, math.e, random_base):
        for p in probabilities[::2]:
            expect_close(student.token_surprisal(p, base=base), ref.token_surprisal(p, base),
                         what=f"token_surprisal(p, base={base:g})", case=f"p = {p:.6g}, "
                         f"base = {base:g}", inputs={"p": p},
                         misconceptions=surprisal_hints(p, base), **TOL)
    p = float(rng.uniform(0.01, 0.99))
    expect_close(student.token_surprisal(p, 2), ref.token_surprisal(p, 2),
                 what="token_surprisal(p, 2)", case="base given by position", inputs={"p": p},
                 misconceptions=surprisal_hints(p, 2.0), **TOL)


def mixture_cases(rng):
    yield "p_rare = 0.01 for 10 % of the tokens, p_common = 0.5", 0.01, 0.1, 0.5
    for _ in range(8):
        p_rare = float(10.0 ** rng.uniform(-6.0, -1.0))
        rate = float(rng.uniform(0.001, 0.5))
        p_common = float(rng.uniform(0.05, 1.0))
        yield (f"p_rare = {p_rare:.4g} for {100 * rate:.3g} % of the tokens, "
               f"p_common = {p_common:.4g}"), p_rare, rate, p_common
    yield "a 'rare' token that is the more likely one", 0.9, 0.3, 0.2


@pytest.mark.points(1.25)
def test_mixture_perplexity(student, ref, rng):
    """mixture_perplexity: exp of the mean surprisal of the mixed tokens"""
    for case, p_rare, rate, p_common in mixture_cases(rng):
        expect_close(student.mixture_perplexity(p_rare, rate, p_common),
                     ref.mixture_perplexity(p_rare, rate, p_common),
                     what="mixture_perplexity(p_rare, rare_rate, p_common)", case=case,
                     inputs={"p_rare": p_rare, "rare_rate": rate, "p_common": p_common},
                     misconceptions=perplexity_hints(p_rare, rate, p_common), **TOL)


@pytest.mark.points(0.5)
def test_edge_cases(student, ref, rng):
    """edge cases: p = 1 has surprisal 0, a rate of 0 or 1 gives 1/p"""
    certain = [Misconception(math.nan, "p = 1 is a certain token: its surprisal is "
                             "-log 1 = 0")]
    expect_close(student.token_surprisal(1.0), 0.0, what="token_surprisal(1.0)",
                 case="a certain token (p = 1)", misconceptions=certain, **TOL)
    expect_close(student.token_surprisal(1), 0.0, what="token_surprisal(1)",
                 case="a certain token given as the int 1", misconceptions=certain, **TOL)
    expect_close(student.token_surprisal(1.0, base=2.0), 0.0,
                 what="token_surprisal(1.0, base=2)", case="a certain token, in bits",
                 misconceptions=certain, **TOL)
    p_rare = float(10.0 ** rng.uniform(-5.0, -1.0))
    p_common = float(rng.uniform(0.2, 0.9))
    for rate, expected, what in ((0.0, 1.0 / p_common, "no rare token: 1 / p_common"),
                                 (1.0, 1.0 / p_rare, "only rare tokens: 1 / p_rare")):
        expect_close(student.mixture_perplexity(p_rare, rate, p_common), expected,
                     what="mixture_perplexity(p_rare, rare_rate, p_common)",
                     case=f"rare_rate = {rate:g} ({what})",
                     inputs={"p_rare": p_rare, "rare_rate": rate, "p_common": p_common},
                     misconceptions=perplexity_hints(p_rare, rate, p_common), **TOL)
    rate = float(rng.uniform(0.1, 0.9))
    expect_close(student.mixture_perplexity(p_common, rate, p_common), 1.0 / p_common,
                 what="mixture_perplexity(p, rare_rate, p)",
                 case="every token has the same probability p: the perplexity is 1/p",
                 inputs={"p": p_common, "rare_rate": rate}, **TOL)
    expect_close(student.mixture_perplexity(1.0, rate, 1.0), 1.0,
                 what="mixture_perplexity(1, rare_rate, 1)",
                 case="a model that is always certain and right: perplexity 1",
                 inputs={"rare_rate": rate}, **TOL)


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


@pytest.mark.points(0.5)
def test_answer_surprisal_nats(student, ref):
    """answers()['surprisal_nats']: the surprisal of p = 0.001 in nats"""
    check_answer(student, ref, "surprisal_nats")


@pytest.mark.points(0.5)
def test_answer_surprisal_bits(student, ref):
    """answers()['surprisal_bits']: the surprisal of p = 0.001 in bits"""
    check_answer(student, ref, "surprisal_bits")


@pytest.mark.points(0.5)
def test_answer_perplexity(student, ref):
    """answers()['perplexity']: 5 % of the tokens at p = 0.001, 95 % at p = 0.5"""
    check_answer(student, ref, "perplexity")
