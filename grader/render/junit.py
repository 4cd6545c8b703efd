"""The ``junit`` format: JUnit XML for CI tools.

One ``testsuite`` per exercise (its points, and its diagnosis when several failed checks share
one mistake, as properties), one ``testcase`` per check:
``failure`` for a wrong answer, ``error`` for an exception or a timeout (with the feedback as
text), ``skipped`` for a written answer graded by hand and for a check whose result shows
after the due date. The layout follows the JUnit schema that Jenkins, GitLab and GitHub test
reporters read (``properties`` on suites only, ``skipped`` counts on suites only; the
schema in ``tests/data/junit.xsd`` checks it). It shows the student's view
(:func:`grader.detail.for_student`); each check's ``visibility`` property says ``public`` or
``hidden`` (and ``summary`` when its values are not shown), and hidden checks not graded in
this run are one skipped test case of a suite ``hidden checks``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from grader.detail import for_student
from grader.render.common import checks_of, clean, notes, points, tag
from grader.report import Report

_MESSAGE_LIMIT = 300


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def render(report: Report) -> str:
    """Return the report (the student's view of it) as a JUnit XML document."""
    report = for_student(report)
    root = ET.Element("testsuites", {
        "name": f"grade {clean(report.submission, limit=500)}",
        "time": _seconds(report.duration_s),
    })
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for exercise in report.exercises:
        checks = checks_of(exercise)
        counts = {
            "tests": len(checks),
            "failures": sum(c.status == "failed" for c in checks),
            "errors": sum(c.status in ("error", "timeout") for c in checks),
            "skipped": sum(c.status in ("manual", "withheld") for c in checks),
        }
        for key, value in counts.items():
            totals[key] += value
        suite = ET.SubElement(root, "testsuite", {
            "name": f"{clean(exercise.id, 50)} {clean(exercise.title, limit=500)}",
            **{key: str(value) for key, value in counts.items()},
            "time": _seconds(sum(c.duration_s for c in checks)),
        })
        properties = ET.SubElement(suite, "properties")
        for name, value in (("score", points(exercise.score)),
                            ("max_score", points(exercise.max_score)),
                            ("status", exercise.status), ("seed", str(report.seed))):
            ET.SubElement(properties, "property", {"name": name, "value": value})
        if exercise.diagnosis:  # one mistake behind several failed checks
            ET.SubElement(properties, "property", {
                "name": "diagnosis", "value": clean(exercise.diagnosis, limit=2_000)})
        for check in checks:
            ET.SubElement(properties, "property", {
                "name": f"points: {clean(check.name, limit=500)}",
                "value": "withheld" if check.status == "withheld"
                else f"{points(check.score)}/{points(check.max_score)}"})
            if tag(check):
                ET.SubElement(properties, "property", {
                    "name": f"visibility: {clean(check.name, limit=500)}", "value": tag(check)})
        for check in checks:
            case = ET.SubElement(suite, "testcase", {
                "name": clean(check.name, limit=500).strip() or "(a check without a name)",
                "classname": f"grade.{clean(exercise.id, 50)}",
                "time": _seconds(check.duration_s),
            })
            feedback = clean(check.feedback)
            first_line = clean(check.feedback.split("\n", 1)[0], limit=_MESSAGE_LIMIT)
            if check.status == "failed":
                node = ET.SubElement(case, "failure", {"message": first_line, "type": "failed"})
                node.text = feedback
            elif check.status in ("error", "timeout"):
                node = ET.SubElement(case, "error", {"message": first_line,
                                                     "type": check.status})
                node.text = feedback
            elif check.status == "manual":
                ET.SubElement(case, "skipped", {
                    "message": "graded by hand: "
                               f"{first_line or 'a written answer for the instructor'}"})
            elif check.status == "withheld":
                ET.SubElement(case, "skipped", {"message": first_line})
    if report.hidden_not_graded is not None:  # checks that did not run: one skipped case
        suite = ET.SubElement(root, "testsuite", {
            "name": "hidden checks", "tests": "1", "failures": "0", "errors": "0",
            "skipped": "1", "time": _seconds(0.0)})
        case = ET.SubElement(suite, "testcase", {"name": "hidden checks (not graded here)",
                                                 "classname": "grade.hidden",
                                                 "time": _seconds(0.0)})
        ET.SubElement(case, "skipped", {"message": notes(report)[0]})
        totals["tests"] += 1
        totals["skipped"] += 1
    # no ``skipped`` on testsuites: the Jenkins xUnit plugin's schema has none and rejects
    # the whole file for it (each testsuite carries its own skipped count)
    for key in ("tests", "failures", "errors"):
        root.set(key, str(totals[key]))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
