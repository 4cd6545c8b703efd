"""The ``notebook`` format: the student's notebook with a feedback cell after each exercise.

``--format notebook --output graded.ipynb`` writes the submitted notebook (or, for a folder
of modules, a notebook of their code) with the feedback cells of
:mod:`grader.notebook.feedback`; an ``--output`` ending in ``.html`` gets the same notebook
converted by nbconvert's ``HTMLExporter`` (the CLI calls :func:`to_html`).
"""

from __future__ import annotations

from collections.abc import Mapping

from grader.report import Report


def render(report: Report, *, sources: Mapping[str, str] | None = None,
           root: str | None = None, notebook: str | None = None) -> str:
    """Return the graded notebook's JSON text (``notebook``: the submitted notebook's text)."""
    import nbformat

    from grader.notebook.feedback import annotate

    return nbformat.writes(annotate(report, notebook, sources))


def to_html(text: str) -> str:
    """Return the graded notebook's JSON text as one HTML page."""
    from grader.notebook.feedback import to_html as convert

    return convert(text)
