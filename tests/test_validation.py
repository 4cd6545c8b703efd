"""Validation points need a working function (issue 13, point 1).

``expect_raises`` first calls the student's function on its exercise's basic valid input
(``grader.validation.BASIC_CALLS``): a function that raises there too, returns nothing of
the right kind, or returns what the worker cannot send earns no validation points.
"""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest

from grader import fixtures
from grader.codec import Fixture
from grader.validation import BASIC_CALLS, BasicCall, wrong_kind
from tests.conftest import check

CHECK_NAMES = {"ex01": "surprisal raises ValueError", "ex10": "ValueError for negative"}


def _trusted(value):
    if isinstance(value, Fixture):
        return fixtures.build(value.name, **value.params)
    return value


@pytest.mark.parametrize("key", sorted(BASIC_CALLS), ids=lambda k: ".".join(k))
def test_the_reference_passes_its_basic_valid_call(key):
    exercise, name = key
    call = BASIC_CALLS[key]
    args, kwargs = call.make()
    function = getattr(importlib.import_module(f"reference.{exercise}"), name)
    value = function(*(_trusted(a) for a in args), **kwargs)
    assert wrong_kind(value, call) == "", value


@pytest.mark.parametrize("value", [None, "0.5", math.nan, [1.0], {"h": 1.0}, True])
def test_a_number_call_refuses_what_is_not_a_finite_number(value):
    assert wrong_kind(value, BasicCall(lambda: ((), {}), "number")) != ""


def test_kinds_accept_what_the_contracts_allow():
    import torch

    number = BasicCall(lambda: ((), {}), "number")
    assert wrong_kind(np.float32(0.5), number) == ""
    assert wrong_kind(np.array(0.5), number) == ""
    assert wrong_kind(torch.tensor(0.5), number) == ""
    pair = BasicCall(lambda: ((), {}), "tuple", 2)
    assert wrong_kind((1.0, 2.0), pair) == "" and wrong_kind((1.0,), pair) != ""
    array = BasicCall(lambda: ((), {}), "array")
    assert wrong_kind(np.ones(3), array) == "" and wrong_kind(np.array([np.inf]), array) != ""


ALWAYS_RAISES = '''
def surprisal(p, base=2.0):
    raise ValueError("invalid input")
def die_face_surprisal_bits():
    raise ValueError("invalid input")
def rolls_for_one_bit():
    raise ValueError("invalid input")
'''

RAISES_ONLY_ON_VALID = '''
import math
def surprisal(p, base=2.0):
    if 0 < p <= 1:
        raise ValueError("no")
    return 1.0
def die_face_surprisal_bits():
    return math.log2(6)
def rolls_for_one_bit():
    return 1 / math.log2(6)
'''

VALIDATES_BUT_RETURNS_NONE = '''
import math
def surprisal(p, base=2.0):
    if not 0 < p <= 1:
        raise ValueError("p must be in (0, 1]")
def die_face_surprisal_bits():
    return math.log2(6)
def rolls_for_one_bit():
    return 1 / math.log2(6)
'''


@pytest.mark.parametrize("text, words", [
    (ALWAYS_RAISES, "raises ValueError (invalid input) on valid input too"),
    (RAISES_ONLY_ON_VALID, "raises ValueError (no) on valid input too"),
    (VALIDATES_BUT_RETURNS_NONE, "returned no number (None)"),
])
def test_validation_points_need_a_working_function(grade_files, text, words):
    report = grade_files({"ex01.py": text}, ["ex01"], seed=1)
    result = check(report, "ex01", CHECK_NAMES["ex01"])
    assert result.status == "failed" and result.score == 0, result
    assert words in result.feedback
    assert "counts only when your function works on valid input" in result.feedback


def test_a_correct_validating_function_keeps_its_validation_points(grade_files):
    from tests.conftest import REFERENCE

    report = grade_files({"ex01.py": REFERENCE / "ex01.py"}, ["ex01"], seed=1)
    result = check(report, "ex01", CHECK_NAMES["ex01"])
    assert result.status == "passed" and result.score == result.max_score
