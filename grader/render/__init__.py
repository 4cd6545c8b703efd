"""Output formats: each is a module with one ``render(report) -> str``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module

from grader.report import Report

FORMATS: dict[str, str] = {
    "table": "grader.render.table",
    "json": "grader.render.json_report",
    "junit": "grader.render.junit",
    "markdown": "grader.render.markdown",
    "html": "grader.render.html",
    "gradescope": "grader.render.gradescope",
    "github": "grader.render.github",
    "classroom": "grader.render.classroom",
    "notebook": "grader.render.notebook",
}

#: The formats that can point at lines of the submission: their ``render`` takes ``sources``.
WITH_SOURCES = ("github", "classroom")
#: The formats that rewrite the submitted notebook: their ``render`` also takes ``notebook``.
WITH_NOTEBOOK = ("notebook",)


def renderer(name: str) -> Callable[[Report], str]:
    """Return the ``render`` function of a format; KeyError for an unknown one."""
    return import_module(FORMATS[name]).render


def render(name: str, report: Report, sources: Mapping[str, str] | None = None,
           root: str | None = None, notebook: str | None = None) -> str:
    """Render a report in a format; the submission's sources and path go to those that use them.

    ``sources`` maps exercise ids to source text, ``root`` is the submission's path as given,
    ``notebook`` the submitted notebook's text (None when the submission is not a notebook).
    """
    if name in WITH_NOTEBOOK:
        return import_module(FORMATS[name]).render(report, sources=sources, root=root,
                                                   notebook=notebook)
    if name in WITH_SOURCES:
        return import_module(FORMATS[name]).render(report, sources=sources, root=root)
    return renderer(name)(report)
