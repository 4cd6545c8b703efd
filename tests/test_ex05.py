"""Exercise 5's hidden suite, graded in both directions."""

from __future__ import annotations

import pytest

from tests.conftest import (
    REFERENCE,
    STUBS,
    SUBMISSIONS,
    assert_full_marks,
    assert_loses,
    exercise,
)

EX = "ex05"
FILES = SUBMISSIONS / EX

# golden submission -> (score, {check name start: words of the hint}, checks it keeps)
WRONG = {
    "kl_reversed.py": (1.5, {
        "KL_PQ:": "this is KL(Q||P) = 0.04008",
        "H_PQ:": "this is H(P) + KL(Q||P)",
    }, ["H_P:", "the answers agree"]),
    "bits_instead_of_nats.py": (0.5, {
        "H_P:": "this is the value in bits",
        "KL_PQ:": "this is the value in bits",
        "H_PQ:": "this is the value in bits",
    }, ["the answers agree"]),
    "scipy_entropy_as_cross_entropy.py": (2.5, {
        "H_PQ:": "scipy.stats.entropy(p, q) computes the KL divergence",
        "the answers agree": "your H_PQ equals your KL_PQ",
    }, ["H_P:", "KL_PQ:"]),
    "cross_entropy_swapped.py": (2.5, {
        "H_PQ:": "this is H(Q,P) = -sum q log p",
        "the answers agree": "your H_PQ is H(Q,P)",
    }, ["H_P:", "KL_PQ:"]),
    "wrong_keys.py": (2.0, {
        "KL_PQ:": "answers() has no key 'KL_PQ'",
        "the answers agree": "Hint: rename the key 'KL' to 'KL_PQ'",
    }, ["H_P:", "H_PQ:"]),
}
CORRECT = ["correct_by_hand.py", "correct_numpy.py"]


@pytest.mark.parametrize("seed", range(10))
def test_reference_full_marks(grade_files, seed):
    report = grade_files({f"{EX}.py": REFERENCE / f"{EX}.py"}, [EX], seed=seed)
    assert assert_full_marks(report, EX).max_score == 4


def test_stub_not_attempted(grade_files):
    result = exercise(grade_files({f"{EX}.py": STUBS / f"{EX}.py"}, [EX]), EX)
    assert (result.status, result.score) == ("not_attempted", 0)



@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_submission_loses_points_with_a_hint(grade_files, name):
    score, failing, passing = WRONG[name]
    report = grade_files({f"{EX}.py": FILES / name}, [EX], seed=3)
    assert_loses(report, EX, failing, passing, score)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("name", CORRECT)
def test_correct_submission_full_marks(grade_files, name, seed):
    assert_full_marks(grade_files({f"{EX}.py": FILES / name}, [EX], seed=seed), EX)
