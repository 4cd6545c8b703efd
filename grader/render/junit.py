"""The ``junit`` format: JUnit XML for CI tools.

One ``testsuite`` per exercise (its points, and its diagnosis when several failed checks share
one mistake, as properties), one ``testcase`` per check:
``failure`` for a wrong answer, ``error`` for an exception or a timeout (with the feedback as
text), ``skipped`` for a written answer graded by hand. The layout follows the JUnit schema
that Jenkins, GitLab and GitHub test reporters read (``properties`` on suites only).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from grader.render.common import checks_of, clean, points
from grader.report import Report

_MESSAGE_LIMIT = 300


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def render(report: Report) -> str:
    """Return the report as a JUnit XML document."""
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
            "skipped": sum(c.status == "manual" for c in checks),
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
                "value": f"{points(check.score)}/{points(check.max_score)}"})
        for check in checks:
            case = ET.SubElement(suite, "testcase", {
                "name": clean(check.name, limit=500),
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
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
