"""Batch grading's fast path: one pytest session collected once, zygotes by preload, the
reference remembered per seed. It must grade exactly as a fresh run does."""

from __future__ import annotations

import numpy as np
import pytest

from grader import catalog, runner, submission, suites
from grader.memo import Cache, MemoReference
from grader.pool import PoolSet
from tests.conftest import REFERENCE, STUBS, SUBMISSIONS

EXERCISES = ["ex01", "ex03", "ex04", "ex10", "ex11"]
MISTAKES = {"ex10": "kl_reversed.py", "ex04": "no_max_subtraction.py",
            "ex03": None, "ex11": None, "ex01": None}


def _folders(tmp_path):
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for exercise in EXERCISES:
        name = MISTAKES.get(exercise)
        source = SUBMISSIONS / exercise / name if name else STUBS / f"{exercise}.py"
        (mixed / f"{exercise}.py").write_text(source.read_text())
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "ex10.py").write_text("def entropy(:\n")
    (broken / "ex04.py").write_text((REFERENCE / "ex04.py").read_text())
    return [REFERENCE, mixed, broken, STUBS]


def _facts(report):
    return [(e.id, e.score, e.max_score, e.status, e.message,
             tuple((c.name, c.score, c.status, c.feedback) for c in e.checks))
            for e in report.exercises]


def test_a_session_grades_exactly_like_fresh_runs(pool, tmp_path):
    folders = _folders(tmp_path)
    fresh = [runner.grade(submission.load(f), exercise_ids=EXERCISES, seed=7, pool=pool)
             for f in folders]
    with PoolSet() as pools, runner.new_session(EXERCISES) as session:
        again = [runner.grade(submission.load(f), exercise_ids=EXERCISES, seed=7, pool=pools,
                              session=session) for f in folders * 2]
        cache = session.cache_for(7, None)
        assert set(pools.pools) == {frozenset(catalog.get(e).preload) for e in EXERCISES}
    assert cache.hits > 0 and cache.misses > 0
    for outcome in fresh + again:
        assert outcome.internal_errors == ()
    for before, after in zip(fresh * 2, again, strict=True):
        assert _facts(after.report) == _facts(before.report)
    assert again[0].report.score == again[0].report.max_score  # the reference


def test_a_new_seed_gets_a_new_cache_and_other_cases(tmp_path):
    with PoolSet() as pools, runner.new_session(["ex10"]) as session:
        first = session.cache_for(1, None)
        assert session.cache_for(1, None) is first
        assert session.cache_for(2, None) is not first
        assert session.cache_for(2, {"gpt2": True}) is not session.cache_for(2, None)
        report = runner.grade(submission.load(REFERENCE), exercise_ids=["ex10"], seed=3,
                              pool=pools, session=session).report
        assert report.score == report.max_score


def test_a_session_refuses_exercises_it_did_not_collect():
    with runner.new_session(["ex10"]) as session, pytest.raises(ValueError, match="ex04"):
        session.run(["ex04"], object())


def test_a_session_of_the_wrong_visibility_is_refused():
    with runner.new_session(["ex10"], hidden=False) as session, \
            pytest.raises(ValueError, match="hidden"):
        runner.grade(submission.load(REFERENCE), exercise_ids=["ex10"], seed=1,
                     session=session, hidden_available=True)


def test_a_suite_that_does_not_collect_is_a_clear_error(tmp_path, monkeypatch):
    broken = tmp_path / "hidden"
    broken.mkdir()
    (broken / "test_ex10.py").write_text("import no_such_module_here\n")
    monkeypatch.setattr(suites, "HIDDEN", broken)
    with pytest.raises(RuntimeError, match="could not be collected"):
        suites.Session(["ex10"], object())


# -- the remembering reference ---------------------------------------------------------------
class _Module:
    __name__ = "fake_reference"
    CONSTANT = 3

    def __init__(self):
        self.calls = 0

    def double(self, values):
        self.calls += 1
        return np.asarray(values, dtype=float) * 2

    def fails(self, value):
        self.calls += 1
        raise ValueError(f"bad {value}")


def test_memo_returns_copies_and_computes_once():
    module, cache = _Module(), Cache()
    memo = MemoReference(module, cache)
    first = memo.double([1, 2])
    first[0] = 99  # a check that changes what it got
    second = memo.double([1, 2])
    assert second.tolist() == [2.0, 4.0] and module.calls == 1
    memo.double([1, 3])
    assert module.calls == 2 and (cache.hits, cache.misses) == (1, 2)
    assert memo.CONSTANT == 3 and memo.double.__name__ == "double"


def test_memo_never_remembers_exceptions_or_unpicklable_arguments():
    module = _Module()
    memo = MemoReference(module, Cache())
    for _ in range(2):
        with pytest.raises(ValueError, match="bad 1"):
            memo.fails(1)
    assert module.calls == 2
    memo.double(np.arange(3))
    unpicklable = (x for x in range(2))  # a generator does not pickle
    with pytest.raises(TypeError):
        memo.double(unpicklable)
    assert module.calls == 4


def test_memo_forgets_the_oldest_past_its_size():
    module, cache = _Module(), Cache(max_entries=2)
    memo = MemoReference(module, cache)
    for value in (1, 2, 3, 1):
        memo.double([value])
    assert module.calls == 4 and len(cache.entries) == 2
