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
