"""Validation points need a working function.

A check that a function raises ``ValueError`` on invalid input proves something only if
the same function *works* on valid input: a function that always raises would otherwise
earn those points for doing nothing. :func:`grader.checks.expect_raises` therefore first
calls the student's function once on the exercise's basic valid input (the table below)
and requires a finite value of the right kind; otherwise the validation check fails with
"your function raises ValueError on valid input too" (or what it did instead).

Every function that a hidden suite checks with ``expect_raises`` must have an entry here;
a missing one is a grader error (and a test of the project checks the table against the
reference). The inputs are not secret: they are the simplest examples of each contract.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.codec import Fixture

#: The kinds of value a basic valid call must return.
KINDS = ("number", "array", "tuple", "bool", "dict")


@dataclass(frozen=True)
class BasicCall:
    """The simplest valid call of a function and the kind of value it must return.

    ``make`` builds ``(args, kwargs)`` when needed (torch and fixtures are imported late);
    ``length`` is the number of values of a ``tuple``.
    """

    make: Callable[[], tuple[tuple, dict]]
    kind: str
    length: int | None = None


def _call(*args: Any, **kwargs: Any) -> Callable[[], tuple[tuple, dict]]:
    return lambda: (args, kwargs)


def _tensors() -> tuple[tuple, dict]:
    import torch

    z1 = torch.tensor([[1.0, 0.0, 0.5], [0.0, 1.0, -0.5], [0.5, -1.0, 1.0], [-1.0, 0.2, 0.3]])
    return (z1, z1 + 0.1, 0.5), {}


def _language_model() -> tuple[tuple, dict]:
    params = {"model": "tiny", "seed": 0}
    return ("the cat sat on the mat",
            Fixture("language_model", part="model", **params),
            Fixture("language_model", part="tokenizer", **params)), {}


_P = [0.5, 0.25, 0.25]
_Q = [0.25, 0.25, 0.5]
_JOINT = np.array([[0.3, 0.1], [0.2, 0.4]])
_Z = np.array([1.0, 2.0, 0.5])

BASIC_CALLS: dict[tuple[str, str], BasicCall] = {
    ("ex01", "surprisal"): BasicCall(_call(0.25), "number"),
    ("ex02", "uniform_entropy"): BasicCall(_call(4), "number"),
    ("ex02", "entropy_gap_to_uniform"): BasicCall(_call(np.array(_P)), "number"),
    ("ex03", "cross_entropy_decomposition"): BasicCall(_call(_P, _Q), "tuple", 3),
    ("ex04", "softmax"): BasicCall(_call(_Z), "array"),
    ("ex04", "cross_entropy_loss"): BasicCall(_call(_Z, 1), "number"),
    ("ex04", "cross_entropy_grad"): BasicCall(_call(_Z, 1), "array"),
    ("ex06", "token_surprisal"): BasicCall(_call(0.5), "number"),
    ("ex06", "mixture_perplexity"): BasicCall(_call(0.001, 0.05, 0.5), "number"),
    ("ex07", "jensen_gap_log"): BasicCall(_call(np.array([1.0, 2.0, 4.0])), "number"),
    ("ex07", "neg_kl_via_jensen"): BasicCall(_call(np.array(_P), np.array(_Q)), "tuple", 2),
    ("ex08", "product_of_marginals"): BasicCall(_call(_JOINT), "array"),
    ("ex08", "mutual_information"): BasicCall(_call(_JOINT), "number"),
    ("ex08", "is_independent"): BasicCall(_call(_JOINT), "bool"),
    ("ex09", "gaussian_kl"): BasicCall(_call(np.array([0.5, -0.2]), np.array([0.1, -0.3])),
                                       "number"),
    ("ex09", "gaussian_kl_grad"): BasicCall(
        _call(np.array([0.5, -0.2]), np.array([0.1, -0.3])), "tuple", 2),
    ("ex09", "beta_vae_objective"): BasicCall(_call(100.0, 10.0, 2.0), "number"),
    ("ex09", "collapsed_posterior"): BasicCall(_call(2), "tuple", 2),
    ("ex10", "entropy"): BasicCall(_call(_P), "number"),
    ("ex10", "cross_entropy"): BasicCall(_call(_P, _Q), "number"),
    ("ex10", "kl_divergence"): BasicCall(_call(_P, _Q), "number"),
    ("ex11", "binary_entropy"): BasicCall(_call(0.3), "number"),
    ("ex11", "binary_cross_entropy"): BasicCall(_call(0.3, 0.4), "number"),
    ("ex11", "cross_entropy_argmin"): BasicCall(_call(0.3, np.linspace(0.1, 0.9, 9)), "number"),
    ("ex12", "kl_curves"): BasicCall(_call((0.8, 0.2)), "tuple", 3),
    ("ex13", "analyse_text"): BasicCall(_language_model, "dict"),
    # the contract asks for a 0-d tensor; a float still shows the function works
    ("ex14", "info_nce_loss"): BasicCall(_tensors, "number"),
}


def _is_tensor(value: Any) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


def _finite(value: Any) -> bool:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return array.size > 0 and bool(np.all(np.isfinite(array)))


def wrong_kind(value: Any, call: BasicCall) -> str:
    """Return what is wrong with a basic call's value ("" when it is of the right kind)."""
    if _is_tensor(value):
        value = value.detach().cpu().numpy()
    if call.kind == "number":
        if isinstance(value, (bool, np.bool_)):
            return "a bool instead of a number"
        if isinstance(value, (int, float, np.integer, np.floating)) or (
                isinstance(value, np.ndarray) and value.size == 1):
            return "" if _finite(value) else "a number that is not finite"
        return "no number"
    if call.kind == "array":
        if isinstance(value, (np.ndarray, list, tuple)) and np.ndim(value) >= 1:
            return "" if _finite(value) else "an array that is not finite (or empty)"
        return "no array"
    if call.kind == "tuple":
        if isinstance(value, (tuple, list)) and len(value) == call.length:
            return ""
        return f"no tuple of {call.length} values"
    if call.kind == "bool":
        return "" if isinstance(value, (bool, np.bool_)) else "no bool"
    if call.kind == "dict":
        return "" if isinstance(value, dict) and value else "no (non-empty) dict"
    raise ValueError(f"unknown kind {call.kind!r}")


__all__ = ["BASIC_CALLS", "KINDS", "BasicCall", "wrong_kind"]
