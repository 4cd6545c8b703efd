"""Hidden suite of exercise 5: a worked example of entropy, cross-entropy and KL (4 points).

The public checks of this exercise (and helpers shared with them) are in
grader/public/test_ex05.py; hidden checks may import from it, never the reverse.

The two hidden answers show students only whether they pass and the hints (feedback
``summary``): their expected values are the pen-and-paper answers themselves.
"""

import pytest

from grader.public.test_ex05 import (  # noqa: F401  (shared helpers)
    check_answer,
)


@pytest.mark.points(1.5)
@pytest.mark.feedback("summary")
def test_kl_pq(student, ref):
    """KL_PQ: KL(P||Q) in nats"""
    check_answer(student, ref, "KL_PQ", "KL(P||Q)")


@pytest.mark.points(1)
@pytest.mark.feedback("summary")
def test_h_pq(student, ref):
    """H_PQ: the cross-entropy H(P,Q) in nats"""
    check_answer(student, ref, "H_PQ", "H(P,Q)")
