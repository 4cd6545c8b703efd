"""Public checks of exercise 13: a language model's surprisal profile (8 points).

These checks need no reference code (properties, scipy and numpy formulas, numerical
gradients of your own functions, pen-and-paper answers stored as numbers); they ship
to students. The hidden checks of this exercise are in grader/hidden/ (sealed).
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

import pytest

from grader import fixtures
from grader.checks import (
    expect_raises,
)
from grader.codec import Fixture
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
