"""Hidden suite of exercise 6: surprisal of rare tokens and perplexity (5 points).

The public checks of this exercise (and helpers shared with them) are in
grader/public/test_ex06.py; hidden checks may import from it, never the reverse.
"""

import math

import pytest

from grader.checks import (
    Misconception,
    expect_close,
)
from grader.public.test_ex06 import (  # noqa: F401  (shared helpers)
    LN2,
    perplexity_hints,
)

TOL = {"rtol": 1e-9, "atol": 1e-12}


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
