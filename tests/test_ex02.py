"""Exercise 2's hidden suite, graded in both directions."""

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

EX = "ex02"
FILES = SUBMISSIONS / EX

# golden submission -> (score, {check name start: words of the hint}, checks it keeps)
WRONG = {
    "bits_instead_of_nats.py": (0.5, {
        "uniform_entropy(n) is": "this is log2 n, the entropy in bits",
        "uniform_entropy(n, base)": "this is log2 n",
        "entropy_gap_to_uniform(p) is": "this is the gap in bits",
        "entropy_gap_to_uniform with zero": "this is the gap in bits",
        "entropy_gap_to_uniform normalises": "this is the gap in bits",
        "the uniform law has the maximum": "this is log2 n",
    }, ["ValueError"]),
    "gap_sign_flipped.py": (2.0, {
        "entropy_gap_to_uniform(p) is": "the sign is flipped: the gap is log N - H(p)",
        "entropy_gap_to_uniform with zero": "the sign is flipped",
        "the uniform law has the maximum": "the sign is flipped",
    }, ["uniform_entropy(n) is", "uniform_entropy(n, base)", "ValueError"]),
    "kl_reversed.py": (2.0, {
        "entropy_gap_to_uniform(p) is": "this is KL(uniform || p)",
        "entropy_gap_to_uniform with zero": "this is KL(uniform || p)",
        "the uniform law has the maximum": "this is KL(uniform || p)",
    }, ["uniform_entropy(n) is", "uniform_entropy(n, base)", "ValueError"]),
    "counts_nonzero_outcomes.py": (4.5, {
        "entropy_gap_to_uniform with zero": "including those of probability 0",
    }, ["entropy_gap_to_uniform(p) is", "entropy_gap_to_uniform normalises",
        "the uniform law has the maximum"]),
    "not_normalised.py": (4.5, {
        "entropy_gap_to_uniform normalises": "normalise the weights to sum to 1 first",
    }, ["entropy_gap_to_uniform(p) is", "entropy_gap_to_uniform with zero",
        "the uniform law has the maximum"]),
}
CORRECT = ["correct_scipy.py", "correct_loop.py"]


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
