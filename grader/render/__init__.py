"""Output formats: each is a module with one ``render(report) -> str``."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from grader.report import Report

FORMATS: dict[str, str] = {
    "table": "grader.render.table",
    "json": "grader.render.json_report",
}


def renderer(name: str) -> Callable[[Report], str]:
    """Return the ``render`` function of a format; KeyError for an unknown one."""
    return import_module(FORMATS[name]).render
