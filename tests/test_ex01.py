"""Exercise 1's hidden suite, graded in both directions."""

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

EX = "ex01"
FILES = SUBMISSIONS / EX

# golden submission -> (score, {check name start: words of the hint}, checks it keeps)
WRONG = {
    "nats_instead_of_bits.py": (0.5, {
        "surprisal(p) is": "surprisal in nats",
        "surprisal(p, base)": "surprisal in nats",
        "surprisal of tiny": "surprisal in nats",
        "die_face_surprisal_bits": "this is ln 6",
        "rolls_for_one_bit": "rolls that carry one nat",
    }, ["surprisal raises"]),
    "die_and_rolls_swapped.py": (2.5, {
        "die_face_surprisal_bits": "this is 1 / log2 6, the number of rolls",
        "rolls_for_one_bit": "this is log2 6, the bits one roll carries",
    }, ["surprisal(p) is", "surprisal(p, base)", "surprisal of tiny", "surprisal raises"]),
    "epsilon_in_log.py": (3.5, {
        "surprisal of tiny": "log(p + 1e-12)",
    }, ["surprisal(p) is", "surprisal(p, base)", "surprisal raises", "die_face", "rolls_for"]),
    "no_validation.py": (3.5, {
        "surprisal raises": "should raise ValueError; it returned inf\nHint: validate the input",
    }, ["surprisal(p) is", "surprisal(p, base)", "surprisal of tiny", "die_face", "rolls_for"]),
    "sign_flipped.py": (1.25, {
        "surprisal(p) is": "the sign is flipped",
        "surprisal(p, base)": "the sign is flipped",
        "die_face_surprisal_bits": "the sign is flipped",
    }, ["surprisal raises", "rolls_for_one_bit"]),
}
CORRECT = ["correct_log_of_inverse.py", "correct_by_hand.py"]


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
