"""Hints for failures that no single wrong value identifies (hidden suites' helpers).

:class:`grader.checks.Misconception` names a mistake by the value it produces. Some
mistakes show in what a function does rather than in one value: it returns a number where
it should raise (no validation), it returns a finite number where the answer is infinite
(an epsilon). :func:`hint_on_failure` adds such a hint to the failure of a block that has
none of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from grader.checks import CheckFailure

#: the feedback of a check that failed for a missing validation
NO_VALIDATION = ("validate the input before computing with it: check it first and raise "
                 "ValueError with a message naming the problem")


@contextmanager
def hint_on_failure(hint: str) -> Iterator[None]:
    """Add ``hint`` to a check failure raised in the block, unless it already has a hint."""
    try:
        yield
    except CheckFailure as failure:
        if "\nHint: " in failure.feedback or failure.feedback.startswith("Hint: "):
            raise
        raise CheckFailure(f"{failure.feedback}\nHint: {hint}", failure.credit) from None


def nonfinite_hint(value, expected, *, nan: str, clipped: str, neginf: str = "") -> str:
    """A hint read from where a wrong array is not finite, or "" when it says nothing.

    ``nan`` where the value is nan and the exact one is not (0 log 0 computed as is),
    ``clipped`` where the exact value is +inf and the value is finite (an epsilon or a clip),
    ``neginf`` where the value is -inf and the exact one is not (a sign), if given.
    """
    value = np.asarray(value, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if value.shape != expected.shape:
        return ""
    if np.any(np.isnan(value) & ~np.isnan(expected)):
        return nan
    if np.any(np.isposinf(expected) & np.isfinite(value)):
        return clipped
    if neginf and np.any(np.isneginf(value) & ~np.isneginf(expected)):
        return neginf
    return ""
