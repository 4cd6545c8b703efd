"""Exercise 6's hidden suite, graded in both directions."""

from __future__ import annotations

import pytest

from tests.conftest import REFERENCE, STUBS, SUBMISSIONS, check, exercise

FILES = SUBMISSIONS / "ex06"
SURPRISAL = "token_surprisal"
PERPLEXITY = "mixture_perplexity"
EDGES = "edge cases"
INVALID = "invalid input"
NATS = "answers()['surprisal_nats']"
BITS = "answers()['surprisal_bits']"
ANSWER_PPL = "answers()['perplexity']"


def grade(grade_files, name: str, seed: int = 0):
    return grade_files({"ex06.py": FILES / name}, ["ex06"], seed=seed)


def failed_with(report, name_start: str, *words: str) -> None:
    result = check(report, "ex06", name_start)
    assert result.status == "failed" and result.score == 0, (result.status, result.feedback)
    for word in words:
        assert word in result.feedback, (word, result.feedback)


def passed(report, *name_starts: str) -> None:
    for name_start in name_starts:
        result = check(report, "ex06", name_start)
        assert result.status == "passed", (name_start, result.feedback)


@pytest.mark.parametrize("seed", range(10))
def test_reference_full_marks(grade_files, seed):
    report = grade_files({"ex06.py": REFERENCE / "ex06.py"}, ["ex06"], seed=seed)
    result = exercise(report, "ex06")
    assert result.status == "passed", [c.feedback for c in result.checks if c.feedback]
    assert result.score == result.max_score == 5


def test_stub_not_attempted(grade_files):
    result = exercise(grade_files({"ex06.py": STUBS / "ex06.py"}, ["ex06"]), "ex06")
    assert (result.status, result.score) == ("not_attempted", 0)




@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_correct_geometric_mean_with_hand_worked_answers(grade_files, seed):
    result = exercise(grade(grade_files, "correct_geometric_mean.py", seed), "ex06")
    assert result.status == "passed", [c.feedback for c in result.checks if c.feedback]
    assert result.score == 5


def test_perplexity_inverse_mean_p(grade_files):
    report = grade(grade_files, "perplexity_inverse_mean_p.py")
    failed_with(report, PERPLEXITY, "1 / (mean probability)", "geometric mean")
    failed_with(report, ANSWER_PPL, "1/E[p]")
    passed(report, SURPRISAL, EDGES, INVALID, NATS, BITS)
    assert exercise(report, "ex06").score == 3.25


def test_perplexity_mean_of_inverse_p(grade_files):
    report = grade(grade_files, "perplexity_mean_of_inverse_p.py")
    failed_with(report, PERPLEXITY, "arithmetic mean of 1/p", "E[1/p]")
    failed_with(report, ANSWER_PPL, "E[1/p]")
    passed(report, SURPRISAL, EDGES, INVALID, NATS, BITS)
    assert exercise(report, "ex06").score == 3.25


def test_surprisal_in_bits_by_default(grade_files):
    report = grade(grade_files, "surprisal_in_bits_by_default.py")
    failed_with(report, SURPRISAL, "in bits; the default is nats")
    failed_with(report, NATS, "this is in bits")
    failed_with(report, BITS, "this is in nats")
    passed(report, PERPLEXITY, EDGES, INVALID, ANSWER_PPL)
    assert exercise(report, "ex06").score == 2.75


def test_perplexity_mixes_bases(grade_files):
    report = grade(grade_files, "perplexity_mixes_bases.py")
    failed_with(report, PERPLEXITY, "2 ** (mean surprisal in nats) mixes bases")
    failed_with(report, ANSWER_PPL, "mixes bases")
    failed_with(report, EDGES, "1 / p_common")
    passed(report, SURPRISAL, INVALID, NATS, BITS)
    assert exercise(report, "ex06").score == 2.75


def test_no_input_validation(grade_files):
    report = grade(grade_files, "no_input_validation.py")
    failed_with(report, INVALID, "should raise ValueError")
    failed_with(report, INVALID, "Hint: validate the input before computing with it")
    passed(report, SURPRISAL, PERPLEXITY, EDGES, NATS, BITS, ANSWER_PPL)
    assert exercise(report, "ex06").score == 4.5
