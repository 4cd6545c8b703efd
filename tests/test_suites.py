"""Every hidden suite agrees with the catalog and with its stub."""

from __future__ import annotations

import ast
import re

import pytest

from grader import catalog, suites
from tests.conftest import STUBS

GRADABLE = suites.gradable([e.id for e in catalog.EXERCISES])


@pytest.fixture(scope="module")
def checks():
    return suites.collect_checks(GRADABLE)


def test_every_exercise_has_a_suite():
    assert GRADABLE == [e.id for e in catalog.EXERCISES]


@pytest.mark.parametrize("exercise_id", GRADABLE)
def test_points_add_up_to_the_catalog(checks, exercise_id):
    listed = checks[exercise_id]
    assert listed, f"{exercise_id} has no checks"
    assert all(points > 0 for _, points in listed)
    assert sum(points for _, points in listed) == pytest.approx(catalog.get(exercise_id).points)
    names = [name for name, _ in listed]
    assert len(names) == len(set(names)), "two checks share a name"


@pytest.mark.parametrize("exercise_id", GRADABLE)
def test_stub_states_the_task_and_every_check(checks, exercise_id):
    """The stub's docstring ends with the points split: '- <points>  <check name>' lines."""
    exercise = catalog.get(exercise_id)
    source = (STUBS / exercise.filename).read_text()
    tree = ast.parse(source)
    doc = ast.get_docstring(tree) or ""
    assert f"({exercise.points:g} points" in doc.splitlines()[0]
    section = doc.split(f"\nPoints ({exercise.points:g})")[-1]
    stated = re.findall(r"^- ([0-9.]+)\s+(.+)$", section, re.MULTILINE)
    assert [(name, float(points)) for points, name in stated] == checks[exercise_id]
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    for name in exercise.names:
        body = functions[name].body
        assert ast.get_docstring(functions[name]), f"{name} has no docstring"
        assert isinstance(body[-1], ast.Raise), f"{name} should only raise NotImplementedError"
    assert ("WRITTEN_ANSWER" in source) == exercise.written
