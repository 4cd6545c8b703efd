"""``check("ex04")``: grade one exercise from inside the running notebook.

A kernel does not know its notebook's file (and the file on disk is the last save, not what
the student just ran), so ``check`` takes what the kernel really ran: IPython's input
history (``_ih``), each cell's last run, read by :mod:`grader.notebook.intake` exactly as a
submitted notebook's code cells are (no metadata there: cells go to the exercise whose
functions they define, top-level statements other than definitions, imports and constants
are left out). The exercise is then graded the usual way, in the sandboxed worker, and the
result is shown as HTML (text outside Jupyter). Written answers are read from their
Markdown cell only when the notebook file is graded.
"""

from __future__ import annotations

import secrets

from grader import catalog, runner, targets
from grader.notebook import intake
from grader.report import Report
from grader.submission import Source, Submission

#: WRITTEN_ANSWER while grading from the kernel (its Markdown cell is not in the history).
WRITTEN_NOTE = ("(the written answer is read from its Markdown cell when the notebook file "
                "is graded)")


class CheckError(RuntimeError):
    """``check`` cannot grade (not in IPython, nothing of the exercise has been run)."""


def module_source(exercise_id: str, inputs: list[str]) -> str:
    """Return the module the grader would build for an exercise from these cell inputs."""
    found = intake.split(intake.history_cells(inputs))
    module = found.get(exercise_id)
    exercise = catalog.get(exercise_id)
    if module is None:
        raise CheckError(f"nothing of {exercise_id} has run in this kernel yet: run the cell "
                         f"that defines {', '.join(exercise.names)} first")
    text = module.text
    if exercise.written and "WRITTEN_ANSWER" not in text:
        text += f"\nWRITTEN_ANSWER = {WRITTEN_NOTE!r}\n"
    return text


def check(exercise: str, *, seed: int | None = None, timeout: float | None = None,
          inputs: list[str] | None = None, show: bool = True) -> Report:
    """Grade one exercise from the kernel's input history; display and return the report.

    ``inputs`` replaces the history (for tests and scripts); ``seed`` repeats the random
    cases; ``timeout`` is the per-call time limit.
    """
    exercise_ids = targets.resolve([exercise])
    if len(exercise_ids) != 1:
        raise CheckError(f"check() grades one exercise at a time, not {exercise!r}")
    exercise_id = exercise_ids[0]
    if inputs is None:
        inputs = _history()
    text = module_source(exercise_id, inputs)
    submission = Submission("notebook", {exercise_id: Source(f"{exercise_id}.py", text)})
    outcomes = runner.grade(submission, exercise_ids=[exercise_id],
                            seed=secrets.randbelow(2**31) if seed is None else seed,
                            call_timeout=timeout)
    if show:
        _show(outcomes.report)
    return outcomes.report


def _history() -> list[str]:
    try:
        from IPython import get_ipython
    except ImportError:
        get_ipython = None  # noqa: N806
    shell = get_ipython() if get_ipython is not None else None
    if shell is None:
        raise CheckError("check() grades from inside a Jupyter notebook; elsewhere run "
                         "'grade --submission NOTEBOOK.ipynb'")
    return [text for text in shell.user_ns.get("_ih", []) if isinstance(text, str)]


def _show(report: Report) -> None:
    from grader.notebook.feedback import report_html, report_markdown

    # (the rich table would display itself in a kernel: the Markdown is the plain text)
    text = report_markdown(report)
    try:
        from IPython.display import display
    except ImportError:
        print(text)
        return
    display({"text/plain": text, "text/html": report_html(report)}, raw=True)
