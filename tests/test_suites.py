"""Every hidden suite agrees with the catalog and with its stub."""

from __future__ import annotations

import ast
import re

import pytest

from grader import catalog, suites
from tests.conftest import STUBS, collected_items

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


# -- public and hidden checks (issue 10) ---------------------------------------------------------
#: exercises that still have fewer than two public checks of their main function
FEW_PUBLIC: set[str] = set()


@pytest.fixture(scope="module")
def collected():
    return collected_items(GRADABLE)


def test_no_public_check_uses_the_reference(collected):
    from grader.plugin import check_visibility, exercise_of, public_uses_reference

    public = [i for i in collected if check_visibility(i) == "public"]
    assert len(public) > 30
    assert [i.nodeid for i in public if "ref" in i.fixturenames] == []
    assert not any(public_uses_reference(i) for i in public)
    # public checks live in grader/public, hidden ones in grader/hidden
    for item in collected:
        folder = "public" if check_visibility(item) == "public" else "hidden"
        assert item.path.parent == getattr(suites, folder.upper()), item.nodeid
    counts = {e: sum(exercise_of(i) == e for i in public) for e in GRADABLE}
    assert {e for e, n in counts.items() if n < 2} == FEW_PUBLIC


def test_a_public_check_asking_for_ref_is_flagged(collected):
    from grader.plugin import public_uses_reference

    hidden_with_ref = next(i for i in collected if "ref" in i.fixturenames)
    assert not public_uses_reference(hidden_with_ref)
    hidden_with_ref.add_marker(pytest.mark.public)
    assert public_uses_reference(hidden_with_ref)


def _imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node.module or ""


@pytest.mark.parametrize("exercise_id", GRADABLE)
def test_public_suite_imports_no_secret(exercise_id):
    path = suites.public_suite_path(exercise_id)
    assert path.is_file()
    for module in _imports(path):
        assert not module.startswith(("reference", "grader.hidden", "hidden")), module
    hidden = suites.suite_path(exercise_id)
    if hidden.is_file():  # the hidden suite may import the public one
        assert all(not m.startswith("reference") for m in _imports(hidden))


def test_hidden_manifest_is_current():
    """Regenerate with: python -c 'from grader import suites, catalog; ...write_hidden_manifest'."""
    built = suites.build_hidden_manifest(GRADABLE)
    assert suites.hidden_manifest() == built
    for exercise_id, entry in built.items():
        public = sum(p for _, p, v in suites.collect_checks([exercise_id], visibility=True)
                     [exercise_id] if v == "public")
        assert public + entry["points"] == pytest.approx(catalog.get(exercise_id).points)


def test_public_only_collection():
    public = suites.collect_checks(GRADABLE, hidden=False, visibility=True)
    assert all(v == "public" for checks in public.values() for *_, v in checks)
    assert set(public) == set(GRADABLE)
