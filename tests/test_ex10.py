"""Exercise 10's hidden suite, graded in both directions."""

from __future__ import annotations

import pytest

from tests.conftest import REFERENCE, STUBS, SUBMISSIONS, check, exercise

FILES = SUBMISSIONS / "ex10"


@pytest.mark.parametrize("seed", range(10))
def test_reference_full_marks(grade_files, seed):
    report = grade_files({"ex10.py": REFERENCE / "ex10.py"}, ["ex10"], seed=seed)
    result = exercise(report, "ex10")
    assert result.status == "passed", [c.feedback for c in result.checks if c.feedback]
    assert result.score == result.max_score == 8


def test_stub_not_attempted(grade_files):
    result = exercise(grade_files({"ex10.py": STUBS / "ex10.py"}, ["ex10"]), "ex10")
    assert (result.status, result.score) == ("not_attempted", 0)


# golden wrong submission -> (checks that must fail, words of the hint in the first one's
# feedback, checks that must still pass)
MISTAKES = {
    "kl_reversed": (["kl_divergence matches"], "KL(Q||P)",
                    ["entropy matches", "cross_entropy matches", "ValueError"]),
    "bits_instead_of_nats": (["entropy matches", "cross_entropy matches",
                              "kl_divergence matches"], "bits", ["ValueError"]),
    "no_normalisation": (["unnormalised weights"], "normalise",
                         ["entropy matches", "kl_divergence matches", "ValueError"]),
    "cross_entropy_is_kl": (["cross_entropy matches", "H(P,Q) = H(P) + KL"],
                            "scipy.stats.entropy(p, q) is KL",
                            ["entropy matches", "kl_divergence matches"]),
    "nan_for_zeros": (["zero probabilities"], "0 * log 0",
                      ["entropy matches", "kl_divergence matches", "ValueError"]),
    "no_validation": (["ValueError"], "Hint: validate the input",
                      ["entropy matches", "cross_entropy matches", "kl_divergence matches"]),
    "epsilon_in_q": (["zero probabilities", "kl_divergence matches"],
                     "an epsilon added to q (or a clip) makes it finite",
                     ["entropy matches", "ValueError", "base=2"]),
    "q_not_normalised": (["unnormalised weights"], "p is normalised but q is not",
                         ["entropy matches", "cross_entropy matches", "kl_divergence matches",
                          "zero probabilities", "ValueError"]),
}


@pytest.mark.parametrize("name", sorted(MISTAKES) + ["sums_first_hundred"])
def test_every_failed_check_of_a_known_mistake_names_it(grade_files, name):
    """A wrong value that matches a known mistake names it, in every check it fails."""
    for seed in (3, 11):
        result = exercise(grade_files({"ex10.py": FILES / f"{name}.py"}, ["ex10"], seed=seed),
                          "ex10")
        bare = [c.name for c in result.checks if c.status == "failed"
                and "Hint:" not in c.feedback]
        assert bare == [], (seed, [(c.name, c.feedback) for c in result.checks])


def test_an_epsilon_in_q_is_named_with_its_value(grade_files):
    report = grade_files({"ex10.py": FILES / "epsilon_in_q.py"}, ["ex10"], seed=3)
    feedback = check(report, "ex10", "kl_divergence matches").feedback
    assert "this is the value with 1e-12 added to q" in feedback


def test_one_mistake_in_several_checks_is_diagnosed_once(grade_files):
    result = exercise(grade_files({"ex10.py": FILES / "kl_reversed.py"}, ["ex10"], seed=3),
                      "ex10")
    assert result.diagnosis is not None
    assert result.diagnosis.startswith("one mistake, five checks: this is KL(Q||P)")


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_mistake_loses_points_on_the_right_check(grade_files, name):
    failing, hint, passing = MISTAKES[name]
    report = grade_files({"ex10.py": FILES / f"{name}.py"}, ["ex10"], seed=3)
    result = exercise(report, "ex10")
    assert result.score < result.max_score
    for start in failing:
        assert check(report, "ex10", start).status == "failed", start
    assert hint in check(report, "ex10", failing[0]).feedback
    for start in passing:
        assert check(report, "ex10", start).status == "passed", start


def test_partly_right_values_earn_partial_credit(grade_files):
    report = grade_files({"ex10.py": FILES / "sums_first_hundred.py"}, ["ex10"], seed=4)
    values = check(report, "ex10", "entropy matches")
    assert values.status == "failed" and "3 of 18 cases wrong" in values.feedback
    assert values.score == pytest.approx(1.5 * 15 / 18)
    assert "size 1000" in values.feedback


@pytest.mark.parametrize("name", ["correct_loops", "correct_where"])
@pytest.mark.parametrize("seed", [0, 7, 12345])
def test_differently_written_correct_solutions_get_full_marks(grade_files, name, seed):
    result = exercise(grade_files({"ex10.py": FILES / f"{name}.py"}, ["ex10"], seed=seed), "ex10")
    assert result.status == "passed", [c.feedback for c in result.checks if c.feedback]
