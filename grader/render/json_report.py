"""The ``json`` format: the report as ``grade-report/1``."""

from __future__ import annotations

import json

from grader.report import Report


def render(report: Report) -> str:
    """Return the report as indented JSON."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
