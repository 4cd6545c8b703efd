"""The junit format against a JUnit XML schema as strict as the CI tools that read it.

``tests/data/junit.xsd`` (its comment says where each rule comes from: Ant, Surefire, the
Jenkins xUnit plugin, GitLab) is checked with ``xmlschema``. The reports are those of
tests/test_render.py (the fixed one, the hostile one) and one with a check kept back until the
due date and hidden checks not graded. Broken documents prove the schema is not permissive:
each is a valid report with one thing a CI tool rejects.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import junitparser
import pytest
import xmlschema

from grader.render import render
from grader.report import NotGraded, Report
from tests.test_render import HOSTILE, fixed_report, hostile_report

SCHEMA = Path(__file__).parent / "data" / "junit.xsd"
COUNTS = ("failures", "errors", "skipped")
RESULT = {"failures": junitparser.Failure, "errors": junitparser.Error,
          "skipped": junitparser.Skipped}


def kept_back_report() -> Report:
    """The fixed report with one check shown after the due date and hidden checks not run."""
    report = fixed_report()
    ex03 = report.exercises[0]
    late = replace(ex03.checks[0], detail="after_due")
    return replace(report, exercises=(replace(ex03, checks=(late, *ex03.checks[1:])),
                                      *report.exercises[1:]),
                   hidden_not_graded=NotGraded(3, 2.5))


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(SCHEMA)


@pytest.fixture(scope="module")
def documents() -> dict[str, str]:
    return {"fixed": render("junit", fixed_report()),
            "hostile": render("junit", hostile_report(), sources={"ex10": HOSTILE}),
            "kept back": render("junit", kept_back_report())}


def _errors(schema: xmlschema.XMLSchema, text: str) -> list[str]:
    return [f"{error.path}: {error.reason}" for error in schema.iter_errors(text)]


@pytest.mark.parametrize("name", ["fixed", "hostile", "kept back"])
def test_junit_output_is_valid_for_the_schema(schema, documents, name):
    assert _errors(schema, documents[name]) == []


@pytest.mark.parametrize("name", ["fixed", "hostile", "kept back"])
def test_counts_equal_the_result_elements(documents, name):
    xml = junitparser.JUnitXml.fromstring(documents[name].encode("utf-8"))
    totals: Counter[str] = Counter()
    for suite in xml:
        cases = list(suite)
        found = {key: sum(isinstance(result, kind) for case in cases for result in case.result)
                 for key, kind in RESULT.items()}
        assert (suite.tests, *(getattr(suite, key) for key in COUNTS)) == (
            len(cases), *(found[key] for key in COUNTS)), suite.name
        totals.update(found, tests=len(cases))
    root = ET.fromstring(documents[name].encode("utf-8"))
    assert {key: int(root.get(key)) for key in ("tests", "failures", "errors")} == {
        key: totals[key] for key in ("tests", "failures", "errors")}
    assert "skipped" not in root.attrib  # the xUnit plugin rejects it (see the schema)
    expected = {"fixed": (8, 2, 3, 1), "hostile": (6, 2, 3, 1), "kept back": (9, 2, 3, 3)}
    assert (totals["tests"], *(totals[key] for key in COUNTS)) == expected[name]


def _first(root: ET.Element, path: str) -> ET.Element:
    found = root.find(path)
    assert found is not None, path
    return found


def _move_properties_last(root: ET.Element) -> None:
    suite = _first(root, "testsuite")
    properties = _first(suite, "properties")
    suite.remove(properties)
    suite.append(properties)


def _failure_before_properties(root: ET.Element) -> None:
    _first(root, "testsuite").insert(0, ET.Element("failure", {"type": "failed"}))


def _output_before_failure(root: ET.Element) -> None:
    case = _first(root, ".//failure/..")
    out = ET.Element("system-out")
    out.text = "printed"
    case.insert(0, out)


def _two_results(root: ET.Element) -> None:
    _first(root, ".//failure/..").append(ET.Element("skipped"))


def _set(path: str, key: str, value: str | None) -> Callable[[ET.Element], None]:
    def mutate(root: ET.Element) -> None:
        node = root if path == "." else _first(root, path)
        if value is None:
            del node.attrib[key]
        else:
            node.set(key, value)
    return mutate


BROKEN = {  # what a CI tool rejects -> (the change, where the schema must say so)
    "testcase without name": (_set(".//testcase", "name", None), "testcase", "'name'"),
    "blank testcase name": (_set(".//testcase", "name", " \n "), "testcase", "name"),
    "testcase without classname": (_set(".//testcase", "classname", None), "testcase",
                                   "classname"),
    "non-numeric time": (_set(".//testcase", "time", "fast"), "testcase", "time"),
    "time with an exponent": (_set(".//testcase", "time", "1e-3"), "testcase", "time"),
    "negative suite time": (_set("testsuite", "time", "-0.5"), "testsuite", "time"),
    "count that is not an integer": (_set("testsuite", "tests", "2.0"), "testsuite", "tests"),
    "negative count": (_set("testsuite", "failures", "-1"), "testsuite", "failures"),
    "suite without errors count": (_set("testsuite", "errors", None), "testsuite", "errors"),
    "failure without type": (_set(".//failure", "type", None), "failure", "type"),
    "property without value": (_set(".//property", "value", None), "property", "value"),
    "skipped on testsuites": (_set(".", "skipped", "1"), "/testsuites:", "skipped"),
    "failure placed before properties": (_failure_before_properties, "testsuite",
                                         "'failure'"),
    "testcase placed before properties": (_move_properties_last, "testsuite",
                                          "'properties'"),
    "system-out before the failure": (_output_before_failure, "testcase", "'failure'"),
    "two results in one testcase": (_two_results, "testcase", "'skipped'"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_schema_rejects_a_broken_document(schema, documents, case):
    mutate, where, what = BROKEN[case]
    root = ET.fromstring(documents["fixed"].encode("utf-8"))
    mutate(root)
    errors = _errors(schema, ET.tostring(root, encoding="unicode"))
    assert errors, f"{case}: accepted"
    assert any(where in error and what in error for error in errors), errors


def test_validation_rejects_characters_xml_forbids(schema):
    # so the hostile document's validity also says no control character reached it
    with pytest.raises(xmlschema.XMLResourceError, match="not well-formed"):
        schema.validate('<testsuites><testsuite name="\x01"/></testsuites>')
