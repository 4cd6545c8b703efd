from __future__ import annotations

import pytest

from grader.catalog import EXERCISES
from grader.targets import TargetError, resolve

ALL = [e.id for e in EXERCISES]


@pytest.mark.parametrize("targets, expected", [
    ([], ALL), (["all"], ALL), (["ch04"], ALL), (["CH4"], ALL), (["chapter4"], ALL),
    (["ex04"], ["ex04"]), (["ex4"], ["ex04"]), (["4"], ["ex04"]), (["EX04"], ["ex04"]),
    (["16", "ex1", "ex16"], ["ex01", "ex16"]), (["10", "4"], ["ex04", "ex10"]),
])
def test_resolve(targets, expected):
    assert resolve(targets) == expected


@pytest.mark.parametrize("target, words", [("ex17", "1 to 16"), ("0", "1 to 16"),
                                           ("ch05", "chapter 4"), ("foo", "expected"),
                                           ("ex4.py", "expected")])
def test_bad_targets_name_the_problem(target, words):
    with pytest.raises(TargetError, match=words):
        resolve([target])


def test_catalog_totals_one_hundred_points():
    assert sum(e.points for e in EXERCISES) == 100
    assert [e.number for e in EXERCISES] == list(range(1, 17))
