"""Exercise 3's hidden suite, graded in both directions."""

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

EX = "ex03"
FILES = SUBMISSIONS / EX

# golden submission -> (score, {check name start: words of the hint}, checks it keeps)
WRONG = {
    "kl_reversed.py": (2.25, {
        "KL(P||Q), the second": "this is KL(Q||P): the arguments are the wrong way round",
        "H(P,Q), the third": "this is H(P) + KL(Q||P)",
        "zero probabilities": "this is KL(Q||P)",
    }, ["H(P), the first", "H(P,Q) = H(P) + KL", "ValueError"]),
    "scipy_entropy_as_cross_entropy.py": (2.25, {
        "H(P,Q), the third": "scipy.stats.entropy(p, q) computes the KL divergence",
        "unnormalised weights": "scipy.stats.entropy(p, q) computes the KL divergence",
        "H(P,Q) = H(P) + KL": "scipy.stats.entropy(p, q) is the KL divergence",
    }, ["H(P), the first", "KL(P||Q), the second", "ValueError"]),
    "bits_instead_of_nats.py": (1.5, {
        "H(P), the first": "this is the value in bits",
        "KL(P||Q), the second": "this is the value in bits",
        "H(P,Q), the third": "this is the value in bits",
        "zero probabilities": "this is the value in bits",
    }, ["H(P,Q) = H(P) + KL", "ValueError"]),
    "wrong_order.py": (1.25, {
        "KL(P||Q), the second": "the tuple's order is (H(P), KL(P||Q), H(P,Q))",
        "H(P,Q), the third": "the tuple's order is",
        "H(P,Q) = H(P) + KL": "the last two values are swapped",
    }, ["H(P), the first", "ValueError"]),
    "not_normalised.py": (4.5, {
        "unnormalised weights": "normalise the weights to sum to 1 first",
    }, ["H(P), the first", "KL(P||Q), the second", "H(P,Q), the third", "zero probabilities",
        "H(P,Q) = H(P) + KL"]),
    "nan_for_zeros.py": (4.5, {
        "zero probabilities": "nan comes from 0 * log 0",
    }, ["H(P), the first", "KL(P||Q), the second", "H(P,Q), the third",
        "unnormalised weights", "H(P,Q) = H(P) + KL"]),
}
CORRECT = ["correct_scipy.py", "correct_loops.py"]


@pytest.mark.parametrize("seed", range(10))
def test_reference_full_marks(grade_files, seed):
    report = grade_files({f"{EX}.py": REFERENCE / f"{EX}.py"}, [EX], seed=seed)
    assert assert_full_marks(report, EX).max_score == 5


def test_stub_not_attempted(grade_files):
    result = exercise(grade_files({f"{EX}.py": STUBS / f"{EX}.py"}, [EX]), EX)
    assert (result.status, result.score) == ("not_attempted", 0)
    written = [c for c in result.checks if c.status == "manual"]
    assert [c.feedback for c in written] == ["no written answer yet: write it in WRITTEN_ANSWER"]



@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_submission_loses_points_with_a_hint(grade_files, name):
    score, failing, passing = WRONG[name]
    report = grade_files({f"{EX}.py": FILES / name}, [EX], seed=3)
    assert_loses(report, EX, failing, passing, score)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("name", CORRECT)
def test_correct_submission_full_marks(grade_files, name, seed):
    assert_full_marks(grade_files({f"{EX}.py": FILES / name}, [EX], seed=seed), EX)
