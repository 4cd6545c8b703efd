"""Hidden suite of exercise 13: a language model's surprisal profile (8 points).

The student's functions get the model and the tokenizer as recipes and build them in the
worker; the trusted side builds the same objects (bit-identical weights, see
``grader/fixtures/language_model.py``) and runs the reference on them, one torch thread
as in the worker. The tiny model is the same for every run; the texts vary with the seed.
With ``grade --gpt2``, when GPT-2 is in the local cache and both sides load it, the
surprisal, entropy and compare_texts checks also run on GPT-2 (a correct solution is
model-agnostic); otherwise they run on the tiny model alone: GPT-2's absence never costs
points (a passed check carries no feedback, so the absence is not reported either).

The public checks of this exercise (and helpers shared with them) are in
grader/public/test_ex13.py; hidden checks may import from it, never the reverse.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import numpy as np
import pytest
import torch

from grader.checks import (
    Misconception,
    as_array,
    as_float,
    describe,
    expect,
    expect_close,
    fail,
    kind,
)
from grader.codec import Fixture
from grader.fixtures import language_model as lm
from grader.problems import ArgumentsUnavailable, GraderError, StudentError, SubmissionProblem
from grader.public.test_ex13 import (  # noqa: F401  (shared helpers)
    TOL,
    LanguageModel,
    _build,
    _recipes,
    tiny,
)

GPT2_TOL = {"rtol": 1e-4, "atol": 2e-3}   # GPT-2 in float32: thread-order effects only


# the confident model multiplies the logits by SHARPEN (exactly): a rounding difference of
# the tiny model's float32 forward between CPU kernels grows by as much
SHARPEN = 16


CONFIDENT_TOL = {"rtol": 1e-5, "atol": 2e-4}


NEAR_TIE = 1e-4       # top-5 cases have no two surprisals closer than this unless equal


RANK_MARGIN = 0.25    # nats between the average surprisals that compare_texts ranks


LN2 = math.log(2.0)


OFF_BY_ONE = ("off by one: logits[0, t] predict the token at position t + 1, so token t "
              "is scored with logits[0, t - 1] (tokens 1..T-1 with logits 0..T-2)")


BITS = "this is in bits: use the natural logarithm, every value is in nats"


def confident() -> LanguageModel:
    """The tiny model with its logits times SHARPEN: probabilities far below 1e-45.

    A float32 softmax of its logits underflows to exactly 0 for most of the vocabulary at
    every step, as GPT-2's does; float64 does not (its logits span less than 745 nats).
    """
    params = {"model": "tiny", "seed": 0, "sharpen": SHARPEN}
    model, tokenizer = _build(**params)
    return LanguageModel(f"the tiny model made confident (logits x {SHARPEN}: most "
                         "probabilities are below 1e-45)", model, tokenizer,
                         _recipes(**params), CONFIDENT_TOL)


@cache
def _gpt2_folder() -> str | None:
    return lm.find_gpt2()[0]


def gpt2(student, options: dict) -> LanguageModel | None:
    """GPT-2 when ``grade --gpt2`` asked for it and both sides can load it, else None.

    Never the student's loss: without GPT-2 in the local cache (or transformers), or when
    the worker cannot load it, the checks run on the tiny model alone.
    """
    if not options.get("gpt2"):
        return None
    folder = _gpt2_folder()
    if folder is None:
        return None
    params = {"model": "gpt2", "path": folder}
    try:
        model, tokenizer = _build(**params)
    except Exception:  # noqa: BLE001 - a broken cache: as if GPT-2 were not there
        return None
    recipes = _recipes(**params)
    if not worker_loads(student, recipes):
        return None
    return LanguageModel("GPT-2", model, tokenizer, recipes, GPT2_TOL)


def worker_loads(student, recipes: tuple[Fixture, Fixture]) -> bool:
    """True when the worker builds these recipes (probed with ``compare_texts({})``).

    A recipe is built while the call's arguments are decoded, before the student's code
    runs: a failure there is ArgumentsUnavailable, never the student's error.
    """
    try:
        student.compare_texts({}, *recipes)
    except ArgumentsUnavailable:    # the worker could not load GPT-2
        return False
    except StudentError:            # the student's own error on no texts: GPT-2 loaded
        return True
    except SubmissionProblem:       # a crash or a timeout while loading GPT-2
        return False
    return True


def reference(ref, function: str, *args: Any, on: LanguageModel) -> Any:
    """Run the reference on the trusted copy of a model, on one thread as the worker does."""
    with lm.one_thread():
        return getattr(ref, function)(*args, on.model, on.tokenizer)


def log_probs(model: LanguageModel, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Token ids and the log-probabilities of every position, shape (T, V), float64."""
    ids = np.asarray(model.tokenizer.encode(text), dtype=np.int64)
    with lm.one_thread(), torch.no_grad():
        logits = model.model(torch.tensor(ids[None])).logits[0].double()
    return ids, torch.log_softmax(logits, dim=-1).numpy()


# -- texts -----------------------------------------------------------------------------------
@cache
def _corpus() -> tuple[str, tuple[int, ...]]:
    text = lm.corpus()
    starts = (0, *(i + 1 for i, ch in enumerate(text) if ch == " "))
    return text, starts


def excerpt(rng: np.random.Generator, length: int) -> str:
    """A piece of the training text starting at a word."""
    text, starts = _corpus()
    usable = [s for s in starts if s + length <= len(text)]
    start = int(usable[int(rng.integers(len(usable)))])
    return text[start:start + length]


def shuffled(rng: np.random.Generator, text: str) -> str:
    """The same characters in a random order."""
    return "".join(rng.permutation(list(text)))


def made_up_words(rng: np.random.Generator, length: int) -> str:
    """Words of 2 to 7 letters drawn uniformly from a-z, separated by spaces."""
    words, size = [], -1
    while size < length:
        word = "".join(rng.choice(list(string.ascii_lowercase), int(rng.integers(2, 8))))
        words.append(word)
        size += len(word) + 1
    return " ".join(words)[:length].rstrip()


def draw(rng: np.random.Generator, make: Callable[[], Any], ok: Callable[[Any], bool]) -> Any:
    """Draw cases until ``ok`` (a trusted property of the case) holds."""
    for _ in range(200):
        case = make()
        if ok(case):
            return case
    raise GraderError("no suitable text was drawn in 200 tries")


def per_token_cases(rng: np.random.Generator) -> Iterator[tuple[str, str]]:
    """The texts of the per-token checks, the friendliest first."""
    text = excerpt(rng, int(rng.integers(60, 120)))
    yield "an excerpt of the text the model was trained on", text
    yield "the same characters shuffled", shuffled(rng, text)
    yield "random made-up words", made_up_words(rng, int(rng.integers(40, 80)))
    yield "a text of 2 tokens (one predicted token)", excerpt(rng, 2)


def models_and_cases(student, rng: np.random.Generator, options: dict
                     ) -> Iterator[tuple[LanguageModel, list[tuple[str, str]]]]:
    """The tiny model with every case, then a confident model and GPT-2 (when asked for and
    there) with the long ones."""
    cases = list(per_token_cases(rng))
    yield tiny(), cases
    yield confident(), cases[:3]
    large = gpt2(student, options)
    if large is not None:
        yield large, cases[:3]


# -- reading the student's answer --------------------------------------------------------
def entry(result: Any, key: str, *, case: str) -> Any:
    """Return ``result[key]``; fail unless the result is a dict holding it."""
    if not isinstance(result, dict):
        fail(f"{case}: analyse_text should return a dict; it returned {kind(result)} "
             f"({describe(result)})")
    if key not in result:
        fail(f"{case}: the dict analyse_text returned has no key {key!r} (its keys: "
             f"{', '.join(repr(k) for k in list(result)[:10])})")
    return result[key]


def analyse_all(student, model: LanguageModel, texts: list[str]) -> list[Any]:
    """Call the student's analyse_text on every text in one round trip."""
    return student.analyse_text.map([((text, *model.recipes), {}) for text in texts])


UNDERFLOW_FIX = ("work with log-probabilities: lp = torch.log_softmax(logits, dim=-1), then "
                 "surprisal = -lp[token] and entropy = -(lp.exp() * lp).sum(-1) (or "
                 "torch.special.entr(p).sum(-1), or "
                 "torch.distributions.Categorical(logits=logits).entropy())")


def underflow_hint(array: np.ndarray, expected: np.ndarray, *, tol: dict,
                   surprisal: bool) -> str:
    """Name float32 underflow, or an epsilon standing in for it, when the values show it.

    nan or inf where the value is finite is log 0 (or 0 * log 0) of a probability that a
    float32 softmax rounded to 0. A surprisal of ``-log(p + eps)`` (or of p clamped at eps)
    is too small exactly where p is not much larger than eps, and there
    ``exp(-got) - p`` is about eps, the same at every such token.
    """
    broken = ~np.isfinite(array) & np.isfinite(expected)
    if broken.any():
        return ("nan or inf where the true value is finite: the model gives some tokens a "
                "probability below 1e-45, which a float32 softmax rounds to exactly 0, and "
                "log 0 = -inf (0 * log 0 = nan in p * log p); " + UNDERFLOW_FIX)
    if not surprisal or not np.isfinite(array).all():
        return ""
    wrong = ~np.isclose(array, expected, **tol)
    if not wrong.any() or not (array[wrong] < expected[wrong]).all():
        return ""
    eps = np.exp(-array[wrong]) - np.exp(-expected[wrong])
    if not ((eps > 0).all() and eps.max() <= 4 * np.median(eps)):
        return ""
    return (f"these surprisals look like -log(p + eps) (or p clamped at eps) with eps about "
            f"{np.median(eps):.0e}: wherever the model gives the token a probability near or "
            "below eps (and a float32 softmax rounds any below 1e-45 to 0) the result is "
            "about -log(eps), not the surprisal; " + UNDERFLOW_FIX)


def expect_per_token(got: Any, expected: np.ndarray, *, what: str, case: str, text: str,
                     tol: dict, misconceptions: list[Misconception],
                     surprisal: bool = False) -> np.ndarray:
    """One value per predicted token, close to the reference, with hints."""
    array = as_array(got, what=what)
    count = expected.shape[0]
    if array.shape != expected.shape:
        message = (f"{case}: {what} has shape {tuple(array.shape)}; expected ({count},): "
                   f"one value per predicted token (T - 1 = {count} for the {count + 1} "
                   f"tokens of {describe(text)})")
        if array.shape == (count + 1,):
            message += ("\nHint: the first token is context only, nothing predicts it: use "
                        "logits 0..T-2 for tokens 1..T-1")
        fail(message)
    hint = underflow_hint(array, expected, tol=tol, surprisal=surprisal)
    if hint:  # a diagnosis of the value itself: it matches when no other mistake does
        misconceptions = [*misconceptions, Misconception(array, hint)]
    return expect_close(array, expected, what=what, case=case, inputs={"text": text},
                        misconceptions=misconceptions, **tol)


def surprisal_hints(ids: np.ndarray, lp: np.ndarray) -> list[Misconception]:
    steps = np.arange(len(ids) - 1)
    right = -lp[steps, ids[1:]]
    entropy = -(np.exp(lp) * lp).sum(axis=1)[:-1]
    return [
        Misconception(-lp[steps + 1, ids[1:]], OFF_BY_ONE),
        Misconception(-lp[steps, ids[:-1]], OFF_BY_ONE),
        Misconception(right / LN2, BITS),
        Misconception(-right, "the sign is flipped: surprisal is -ln p >= 0"),
        Misconception(np.exp(-right), "this is the probability p of the token; the "
                                      "surprisal is -ln p"),
        Misconception(entropy, "this is the entropy of the predicted distribution; the "
                               "surprisal is -ln p of the token that actually came"),
    ]


def entropy_hints(ids: np.ndarray, lp: np.ndarray) -> list[Misconception]:
    steps = np.arange(len(ids) - 1)
    entropy = -(np.exp(lp) * lp).sum(axis=1)
    return [
        Misconception(entropy[1:], "off by one: the distribution that predicted token t "
                                   "is logits[0, t - 1] (entropies of logits 0..T-2)"),
        Misconception(entropy[:-1] / LN2, BITS),
        Misconception(-lp[steps, ids[1:]], "this is the surprisal of the token that came; "
                                           "the entropy is -sum_v p(v) ln p(v) over the "
                                           "whole vocabulary"),
    ]


# -- the checks -------------------------------------------------------------------------
@pytest.mark.points(0.5)
def test_tokens(student, ref, rng):
    """tokens are the predicted tokens (positions 1..T-1) as strings"""
    tiny_lm = tiny()
    text = excerpt(rng, int(rng.integers(20, 40)))
    case = "an excerpt of the training text"
    expected = reference(ref, "analyse_text", text, on=tiny_lm)["tokens"]
    got = entry(student.analyse_text(text, *tiny_lm.recipes), "tokens", case=case)
    if isinstance(got, np.ndarray) and got.dtype.kind == "U":
        got = got.tolist()
    if not isinstance(got, (list, tuple)) or not all(isinstance(t, str) for t in got):
        hint = ""
        if isinstance(got, (list, tuple, np.ndarray, torch.Tensor)):
            hint = "\nHint: give each token as text: tokenizer.decode([token_id])"
        fail(f"{case}: 'tokens' should be a list of strings; it is {kind(got)} "
             f"({describe(got)}){hint}")
    got = list(got)
    if got == expected:
        return
    ids = tiny_lm.tokenizer.encode(text)
    every = [tiny_lm.tokenizer.decode([i]) for i in ids]
    message = (f"{case}: 'tokens' is {describe(got)}, expected {describe(expected)} for "
               f"text = {describe(text)} ({len(expected)} predicted tokens)")
    if got == every:
        message += ("\nHint: the first token is context only, nothing predicts it: the "
                    "predicted tokens are those at positions 1..T-1")
    elif got == every[:-1]:
        message += "\nHint: " + OFF_BY_ONE
    fail(message)


@pytest.mark.points(1.5)
def test_surprisal(student, ref, rng, options):
    """surprisal of each predicted token in nats"""
    for model, cases in models_and_cases(student, rng, options):
        results = analyse_all(student, model, [text for _, text in cases])
        for (case, text), result in zip(cases, results, strict=True):
            case = f"{case}, {model.label}"
            expected = reference(ref, "analyse_text", text, on=model)["surprisal"]
            ids, lp = log_probs(model, text)
            expect_per_token(entry(result, "surprisal", case=case), expected,
                             what="analyse_text(...)['surprisal']", case=case, text=text,
                             tol=model.tol, misconceptions=surprisal_hints(ids, lp),
                             surprisal=True)


@pytest.mark.points(1)
def test_entropy(student, ref, rng, options):
    """entropy of the predicted distribution at each step in nats"""
    for model, cases in models_and_cases(student, rng, options):
        results = analyse_all(student, model, [text for _, text in cases])
        for (case, text), result in zip(cases, results, strict=True):
            case = f"{case}, {model.label}"
            expected = reference(ref, "analyse_text", text, on=model)["entropy"]
            ids, lp = log_probs(model, text)
            expect_per_token(entry(result, "entropy", case=case), expected,
                             what="analyse_text(...)['entropy']", case=case, text=text,
                             tol=model.tol, misconceptions=entropy_hints(ids, lp))


#: the epsilons students add inside the log (or clamp p at)
EPSILONS = (1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-12)


EPS_AVERAGE = ("this is the mean of -log(p + eps) (or of p clamped at eps): the epsilon caps the "
               "surprisal of every token the model finds unlikely; " + UNDERFLOW_FIX)


def mean_surprisal_hints(model: LanguageModel, text: str) -> list[Misconception]:
    """Mean surprisals that known per-token mistakes give (off by one, an epsilon)."""
    ids, lp = log_probs(model, text)
    steps = np.arange(len(ids) - 1)
    p = np.exp(lp[steps, ids[1:]])
    hints = [Misconception(float(m.value.mean()), m.hint)
             for m in surprisal_hints(ids, lp)[:2]]  # the two off-by-one alignments
    for eps in EPSILONS:
        hints += [Misconception(float(np.mean(-np.log(p + eps))), EPS_AVERAGE),
                  Misconception(float(np.mean(-np.log(np.maximum(p, eps)))), EPS_AVERAGE)]
    return hints


@pytest.mark.points(1.5)
def test_averages(student, ref, rng):
    """avg_surprisal, perplexity = exp(avg_surprisal) and avg_entropy"""
    model = tiny()
    text = excerpt(rng, int(rng.integers(80, 160)))
    cases = [("an excerpt of the text the model was trained on", text),
             ("the same characters shuffled", shuffled(rng, text)),
             ("random made-up words", made_up_words(rng, int(rng.integers(60, 100))))]
    results = analyse_all(student, model, [t for _, t in cases])
    for (case, text), result in zip(cases, results, strict=True):
        want = reference(ref, "analyse_text", text, on=model)
        s, h = want["surprisal"], want["entropy"]
        inputs = {"text": text}
        expect_close(entry(result, "avg_surprisal", case=case), want["avg_surprisal"],
                     what="analyse_text(...)['avg_surprisal']", case=case, inputs=inputs,
                     misconceptions=[
                         Misconception(s.mean() / LN2, BITS),
                         Misconception(s.sum(), "this is the sum; take the mean over the "
                                                "predicted tokens"),
                         Misconception(h.mean(), "this is the average entropy; "
                                                 "avg_surprisal is the mean surprisal"),
                         *mean_surprisal_hints(model, text),
                     ], **TOL)
        expect_close(entry(result, "perplexity", case=case), want["perplexity"],
                     what="analyse_text(...)['perplexity']", case=case, inputs=inputs,
                     misconceptions=[
                         Misconception(math.exp(h.mean()), "this is exp(average entropy); "
                                       "perplexity is exp(average surprisal): the "
                                       "exponential of the cross-entropy on the text"),
                         Misconception(2.0 ** s.mean(), "this is 2 ** (surprisal in nats): "
                                       "perplexity is exp of the mean surprisal in nats (or "
                                       "2 ** the mean in bits)"),
                         Misconception(float(np.mean(np.exp(s))), "this is the mean of "
                                       "exp(surprisal); perplexity is exp of the mean"),
                         Misconception(math.exp(min(s.sum(), 700.0)), "this is exp of the "
                                       "sum; perplexity is exp of the mean surprisal"),
                     ], rtol=TOL["rtol"], atol=0.0)
        expect_close(entry(result, "avg_entropy", case=case), want["avg_entropy"],
                     what="analyse_text(...)['avg_entropy']", case=case, inputs=inputs,
                     misconceptions=[
                         Misconception(h.mean() / LN2, BITS),
                         Misconception(s.mean(), "this is the average surprisal; "
                                                 "avg_entropy is the mean entropy"),
                     ], **TOL)


# -- top5 ----------------------------------------------------------------------------------
def ranked(surprisal: np.ndarray, key: Callable[[int], Any]) -> list[int]:
    return sorted(range(len(surprisal)), key=key)


def top5_of(result: dict, order: list[int]) -> list[tuple]:
    return [(result["tokens"][i], float(result["surprisal"][i]), float(result["entropy"][i]))
            for i in order[:5]]


def unambiguous(result: dict) -> bool:
    """No two of the 6 largest surprisals closer than NEAR_TIE unless exactly equal."""
    values = np.sort(result["surprisal"])[::-1][:6]
    gaps = values[:-1] - values[1:]
    return bool(np.all((gaps == 0) | (gaps > NEAR_TIE)))


def has_tie(result: dict) -> bool:
    """Two different tokens of the top 5 with exactly the same surprisal."""
    top = result["top5"]
    return any(a[1] == b[1] and a[0] != b[0] for i, a in enumerate(top) for b in top[i + 1:])


def tie_text(rng: np.random.Generator) -> str:
    """Three different digits, each after the same 8+ characters, amid training text.

    The tiny model sees 8 characters and gives every character it never saw the same
    logit, so the three digits get exactly the same (and the largest) surprisal.
    """
    window = excerpt(rng, int(rng.integers(9, 16)))
    digits = rng.choice(list(string.digits), size=3, replace=False)
    parts = [excerpt(rng, int(rng.integers(8, 25))) + " " + window + str(d) for d in digits]
    return " ".join(parts) + " " + excerpt(rng, int(rng.integers(8, 20)))


def same_top5(got: Any, expected: list[tuple], tol: dict) -> bool:
    if not isinstance(got, (list, tuple)) or len(got) != len(expected):
        return False
    for item, want in zip(got, expected, strict=True):
        if not isinstance(item, (list, tuple)) or len(item) != 3 or item[0] != want[0]:
            return False
        try:
            numbers = [float(item[1]), float(item[2])]
        except (TypeError, ValueError):
            return False
        if not np.allclose(numbers, want[1:], **tol):
            return False
    return True


def top5_hints(want: dict) -> list[tuple[list[tuple], str]]:
    s, h = want["surprisal"], want["entropy"]
    return [
        (top5_of(want, ranked(s, lambda i: (-s[i], -i))),
         "equal surprisals must keep the order of the text (a stable sort on -surprisal, "
         "e.g. sorted(..., key=lambda e: -e[1]) or np.argsort(-s, kind='stable'); "
         "np.argsort(s)[::-1] reverses the ties)"),
        (top5_of(want, ranked(s, lambda i: (s[i], i))),
         "this is the least surprising tokens first: sort by decreasing surprisal"),
        (top5_of(want, ranked(s, lambda i: (-h[i], i))),
         "this is sorted by entropy; top5 ranks tokens by their surprisal"),
        ([(token, value / LN2, entropy / LN2) for token, value, entropy in want["top5"]],
         BITS),
    ]


@pytest.mark.points(1)
def test_top5(student, ref, rng):
    """top5: most surprising first, ties in text order"""
    model = tiny()

    def analysed(make: Callable[[], str]) -> Callable[[], tuple[str, dict]]:
        def run() -> tuple[str, dict]:
            text = make()
            return text, reference(ref, "analyse_text", text, on=model)
        return run

    plain = draw(rng, analysed(lambda: excerpt(rng, int(rng.integers(60, 120)))),
                 lambda c: unambiguous(c[1]))
    tied = draw(rng, analysed(lambda: tie_text(rng)),
                lambda c: unambiguous(c[1]) and has_tie(c[1]))
    short = draw(rng, analysed(lambda: excerpt(rng, 3)), lambda c: unambiguous(c[1]))
    cases = [("an excerpt of the training text", *plain),
             ("digits the model never saw, after the same 8 characters (equal "
              "surprisals)", *tied),
             ("a text of 3 tokens (only 2 predicted tokens)", *short)]
    results = analyse_all(student, model, [text for _, text, _ in cases])
    for (case, text, want), result in zip(cases, results, strict=True):
        got = entry(result, "top5", case=case)
        if same_top5(got, want["top5"], TOL):
            continue
        message = (f"{case}: top5 is {describe(got)}, expected {describe(want['top5'])} "
                   f"for text = {describe(text)}")
        if isinstance(got, (list, tuple)) and len(got) != len(want["top5"]):
            message += (f" ({len(want['top5'])} entries: the five most surprising, or all "
                        "predicted tokens when there are fewer)")
        for candidate, hint in top5_hints(want):
            if same_top5(got, candidate, TOL):
                message += f"\nHint: {hint}"
                break
        else:
            if isinstance(got, (list, tuple)) and not all(
                    isinstance(e, (list, tuple)) and len(e) == 3 and isinstance(e[0], str)
                    for e in got):
                message += "\nHint: each entry is a tuple (token, surprisal, entropy)"
        fail(message)


# -- compare_texts ------------------------------------------------------------------------
def ranked_texts(rng: np.random.Generator, model: LanguageModel, ref) -> dict[str, str]:
    """In-domain, shuffled and made-up texts whose averages are RANK_MARGIN apart."""
    def make() -> dict[str, str]:
        text = excerpt(rng, int(rng.integers(150, 250)))
        return {"in-domain text": text, "shuffled characters": shuffled(rng, text),
                "random made-up words": made_up_words(rng, int(rng.integers(150, 250)))}

    def ok(texts: dict[str, str]) -> bool:
        values = [v["avg_surprisal"] for v in
                  reference(ref, "compare_texts", texts, on=model).values()]
        return bool(np.all(np.diff(values) > RANK_MARGIN))

    return draw(rng, make, ok)


def expect_summary(got: Any, want: dict, *, model: LanguageModel, texts: dict) -> None:
    what = "compare_texts(texts, model, tokenizer)"
    if not isinstance(got, dict):
        fail(f"{what} should return a dict; it returned {kind(got)} ({describe(got)})")
    if set(got) != set(want):
        fail(f"{what} returned the names {describe(list(got))}; expected the names of the "
             f"texts given: {describe(list(want))}")
    for name, expected in want.items():
        case = f"the text named {name!r}, {model.label}"
        values = got[name]
        if not isinstance(values, dict):
            fail(f"{case}: {what}[{name!r}] should be a dict; it is {kind(values)}")
        means: list[Misconception] = []  # computed once per text, when first needed
        for key, value in expected.items():
            if key not in values:
                fail(f"{case}: {what}[{name!r}] has no key {key!r}")
            if key == "perplexity":
                hints = [Misconception(math.exp(expected["avg_entropy"]),
                                       "this is exp(average entropy); perplexity is "
                                       "exp(average surprisal)")]
            else:
                hints = [Misconception(value / LN2, BITS)]
            if key in ("avg_surprisal", "perplexity"):  # off by one, an epsilon in the log
                means = means or mean_surprisal_hints(model, texts[name])
                hints += means if key == "avg_surprisal" else [
                    Misconception(math.exp(m.value), m.hint) for m in means]
            expect_close(values[key], value, what=f"{what}[{name!r}][{key!r}]", case=case,
                         inputs={"text": texts[name]}, misconceptions=hints, **model.tol)


@pytest.mark.points(1)
def test_compare_texts(student, ref, rng, options):
    """compare_texts: in-domain < shuffled characters < random made-up words"""
    model = tiny()
    texts = ranked_texts(rng, model, ref)
    want = reference(ref, "compare_texts", texts, on=model)
    got = student.compare_texts(texts, *model.recipes)
    expect_summary(got, want, model=model, texts=texts)
    perplexities = [as_float(got[name]["perplexity"], what="perplexity") for name in texts]
    expect(bool(np.all(np.diff(perplexities) > 0)),
           f"the perplexities {describe(np.asarray(perplexities))} of {describe(list(texts))} "
           "should increase in that order")
    large = gpt2(student, options)
    if large is not None:
        want = reference(ref, "compare_texts", texts, on=large)
        expect_summary(student.compare_texts(texts, *large.recipes), want, model=large,
                       texts=texts)
