"""Public checks of exercise 13: a language model's surprisal profile (8 points).

These checks need no reference code (properties, scipy and numpy formulas, numerical
gradients of your own functions, pen-and-paper answers stored as numbers); they ship
to students. The hidden checks of this exercise are in grader/hidden/ (sealed).
"""

from __future__ import annotations

import math
import string
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import torch

from grader import fixtures
from grader.checks import (
    expect_close,
    expect_raises,
    fail,
)
from grader.codec import Fixture
from grader.fixtures import language_model as lm
from grader.hints import NO_VALIDATION, hint_on_failure

TOL = {"rtol": 1e-5, "atol": 1e-5}        # both sides rebuild the same weights


# -- the models ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LanguageModel:
    """A model as both sides see it: trusted objects and the recipes the student gets."""

    label: str
    model: Any
    tokenizer: Any
    recipes: tuple[Fixture, Fixture]
    tol: dict


def _recipes(**params: Any) -> tuple[Fixture, Fixture]:
    return (Fixture("language_model", part="model", **params),
            Fixture("language_model", part="tokenizer", **params))


def _build(**params: Any) -> tuple[Any, Any]:
    return (fixtures.build("language_model", part="model", **params),
            fixtures.build("language_model", part="tokenizer", **params))


def tiny() -> LanguageModel:
    """The tiny character-level model (seed 0), built once per process."""
    params = {"model": "tiny", "seed": 0}
    model, tokenizer = _build(**params)
    return LanguageModel("the tiny character model", model, tokenizer, _recipes(**params), TOL)


@pytest.mark.public
@pytest.mark.points(0.5)
def test_too_short(student, rng):
    """ValueError for a text of fewer than 2 tokens"""
    model = tiny()
    letter = str(rng.choice(list(string.ascii_lowercase)))
    with hint_on_failure(NO_VALIDATION + " (a text of fewer than 2 tokens has nothing to "
                         "predict)"):
        for text, case in ((letter, f"a text of 1 token ({letter!r})"), ("", "an empty text")):
            expect_raises(ValueError, student.analyse_text, text, *model.recipes,
                          what="analyse_text(text, model, tokenizer)", case=case)


@pytest.mark.public
@pytest.mark.points(1)
def test_values_on_training_text(student, rng):
    """analyse_text on training text: surprisal and entropy from log_softmax, and their means"""
    model = tiny()
    corpus = lm.corpus()
    starts = [0, *(i + 1 for i, ch in enumerate(corpus) if ch == " " and i + 40 < len(corpus))]
    start = starts[int(rng.integers(len(starts)))]
    text = corpus[start:start + 30]
    case = f"the text {text!r} on {model.label}"
    ids = model.tokenizer.encode(text)
    with lm.one_thread(), torch.no_grad():  # the formulas of the task, on the trusted copy
        lp = torch.log_softmax(model.model(torch.tensor([ids])).logits[0].double(), dim=-1)
    surprisal = -lp[torch.arange(len(ids) - 1), torch.tensor(ids[1:])].numpy()
    entropy = -(lp.exp() * lp).sum(-1)[:-1].numpy()
    result = student.analyse_text(text, *model.recipes)
    if not isinstance(result, dict):
        fail(f"{case}: analyse_text should return a dict; it returned {type(result).__name__}")
    expected = {"surprisal": surprisal, "entropy": entropy,
                "avg_surprisal": float(surprisal.mean()),
                "perplexity": math.exp(float(surprisal.mean())),
                "avg_entropy": float(entropy.mean())}
    for key, value in expected.items():
        if key not in result:
            fail(f"{case}: the dict analyse_text returned has no key {key!r}")
        expect_close(np.asarray(result[key], dtype=float) if np.ndim(value) else result[key],
                     value, what=f"analyse_text(...)[{key!r}]", case=case, **model.tol)
