"""Jupyter notebooks both ways: the students' notebook, its intake, and feedback in it.

- :mod:`grader.notebook.generate`: ``grade notebook``, the notebook made from ``exercises/``
  (merged with an existing one so that a student's work is kept);
- :mod:`grader.notebook.intake`: a submitted notebook -> one module source per exercise,
  with nothing run;
- :mod:`grader.notebook.feedback`: the student's notebook with a feedback cell after each
  exercise (``--format notebook``), and its HTML;
- :func:`check`: grade one exercise from inside the notebook (its check cells call it).
"""

from __future__ import annotations


def check(exercise: str, **options):
    """Grade one exercise from the running notebook's cells; show the result (see kernel)."""
    from grader.notebook.kernel import check as run

    return run(exercise, **options)
