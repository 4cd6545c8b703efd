"""``grade notebook``: the students' notebook, made from ``exercises/`` (never ``reference/``).

Per exercise, four kinds of cells, each with ``metadata.grade = {"id": "ex04", "role": ...}``
and the tags ``ex04`` and ``grade-<role>``:

- ``task`` (Markdown): the stub's module docstring, its key formulas in LaTeX;
- ``stub`` (code): the stub's code without its docstring and ``WRITTEN_ANSWER``;
- ``written`` (Markdown, exercises with a written part): the answer, graded by hand;
- ``check`` (code): ``check("ex04")`` grades the exercise from inside the notebook.

Regenerating over an existing notebook keeps the student's ``stub`` and ``written`` cells and
the cells they added (merged by metadata, not by position or text). nbconvert's
``TagRemovePreprocessor`` drops cells tagged ``instructor`` and ``ClearOutputPreprocessor``
clears every output, so that the release is clean.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from pathlib import Path

from grader import catalog
from grader.notebook.intake import META, NotebookError, read

#: Cells with this tag are dropped from the students' notebook.
INSTRUCTOR_TAG = "instructor"

#: The key formulas of the exercises whose docstrings state them, in LaTeX (the same
#: formulas as the docstrings, nothing more).
FORMULAS: dict[str, tuple[str, ...]] = {
    "ex01": (r"I(p) = -\log p", r"-\log_b p = -\frac{\ln p}{\ln b}"),
    "ex02": (r"H(p) \le \log N", r"\log N - H(p) = \mathrm{KL}(p \,\|\, u) "
                                 r"= \sum_i p_i \log \frac{p_i}{1/N} \ge 0"),
    "ex03": (r"H(P) = -\sum_i p_i \log p_i",
             r"\mathrm{KL}(P \,\|\, Q) = \sum_i p_i \log \frac{p_i}{q_i}",
             r"H(P, Q) = H(P) + \mathrm{KL}(P \,\|\, Q)"),
    "ex04": (r"p_k = \frac{e^{z_k}}{\sum_j e^{z_j}}", r"L = -\log p_y",
             r"\frac{\partial L}{\partial z} = p - \mathrm{onehot}(y)"),
    "ex06": (r"\mathrm{perplexity} = \exp\big(\mathrm{mean}(-\log p)\big)",),
    "ex07": (r"\mathbb{E}[f(X)] \le f(\mathbb{E}[X]) \text{ for concave } f",
             r"\log \mathbb{E}[x] - \mathbb{E}[\log x] \ge 0"),
    "ex08": (r"P(X = i) = \sum_j \mathrm{joint}[i, j]", r"P(Y = j) = \sum_i \mathrm{joint}[i, j]"),
    "ex09": (r"\mathrm{KL}\big(q(z|x) \,\|\, p(z)\big) = \tfrac{1}{2} \sum_d "
             r"\big(\mu_d^2 + e^{\mathrm{log\_var}_d} - 1 - \mathrm{log\_var}_d\big)",),
    "ex10": (r"H(P) = -\sum_i p_i \log p_i", r"H(P, Q) = -\sum_i p_i \log q_i",
             r"\mathrm{KL}(P \,\|\, Q) = \sum_i p_i \log \frac{p_i}{q_i}"),
    "ex11": (r"H(p, 1 - p) = -p \log p - (1 - p) \log(1 - p)",),
    "ex12": (r"\mathrm{KL}(P \,\|\, Q) = p_1 \log \frac{p_1}{q} + p_2 \log \frac{p_2}{1 - q}",
             r"\mathrm{KL}(Q \,\|\, P) = q \log \frac{q}{p_1} + (1 - q) \log \frac{1 - q}{p_2}"),
}

INTRO = """# Chapter 4: Information Theory (exercises)

Each exercise has its task, a code cell with the functions to write, a cell for the written
answer where there is one, and a cell that grades the exercise from here: run your code cell,
then the exercise's `check(...)` cell. Keep the cells' metadata (the grader finds your code by
it, whatever the order of the cells); you may add cells of your own. Code at the top level of
a cell other than definitions, imports and constants (plots, training runs, prints) is not
run when the notebook is graded.

Submit the notebook itself: `grade --submission ch04.ipynb`."""

CHECK_CELL = 'from grader.notebook import check\n\ncheck("{id}")'

_SECTION = re.compile(r"^(?P<title>\S[^\n]*)\n(?P<rule>-{3,}|={3,})$", re.MULTILINE)
_DOUBLE_BACKTICKS = re.compile(r"``(.+?)``", re.DOTALL)


def _meta(exercise_id: str, role: str) -> dict:
    return {META: {"id": exercise_id, "role": role}, "tags": [exercise_id, f"grade-{role}"]}


def task_markdown(exercise: catalog.Exercise, docstring: str) -> str:
    """Return the task cell's Markdown: the docstring (sections as headings) and formulas."""
    first, _, rest = docstring.strip().partition("\n")
    body = _SECTION.sub(lambda m: f"#### {m['title']}", rest.strip())
    body = _DOUBLE_BACKTICKS.sub(lambda m: f"`{m.group(1)}`", body)
    out = [f"## {first.strip()}", body]
    formulas = FORMULAS.get(exercise.id)
    if formulas:
        out.append("#### Formulas\n\n" + "\n\n".join(f"$$\n{f}\n$$" for f in formulas))
    if exercise.written:
        out.append("Write the written part in the Markdown cell below the code (maths as "
                   "LaTeX between `$...$`); the instructor grades it.")
    return "\n\n".join(out)


def stub_code(source: str) -> tuple[str, str]:
    """Return a stub's (docstring, code without the docstring and ``WRITTEN_ANSWER``)."""
    tree = ast.parse(source)
    docstring = ast.get_docstring(tree) or ""
    drop: set[int] = set()
    for index, node in enumerate(tree.body):
        is_doc = (index == 0 and isinstance(node, ast.Expr)
                  and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str))
        is_written = isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "WRITTEN_ANSWER" for t in node.targets)
        if is_doc or is_written:
            drop.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    lines = [line for number, line in enumerate(source.splitlines(), start=1)
             if number not in drop]
    code = re.sub(r"\n{3,}", "\n\n\n", "\n".join(lines)).strip("\n")
    return docstring, code


def build(exercise_ids: Sequence[str], root: Path):
    """Return a fresh students' notebook for these exercises, made from ``root`` (stubs)."""
    import nbformat
    from nbformat import v4

    notebook = v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    notebook.cells.append(v4.new_markdown_cell(INTRO, metadata={META: {"role": "intro"}}))
    for exercise_id in exercise_ids:
        exercise = catalog.get(exercise_id)
        path = root / exercise.filename
        try:
            source = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise NotebookError(f"cannot read the stub {path}: {exc.strerror or exc}") from None
        docstring, code = stub_code(source)
        cells = [
            v4.new_markdown_cell(task_markdown(exercise, docstring),
                                 metadata=_meta(exercise_id, "task")),
            v4.new_code_cell(code, metadata=_meta(exercise_id, "stub")),
        ]
        if exercise.written:
            cells.append(v4.new_markdown_cell(catalog.WRITTEN_PLACEHOLDER,
                                              metadata=_meta(exercise_id, "written")))
        cells.append(v4.new_code_cell(CHECK_CELL.format(id=exercise_id),
                                      metadata=_meta(exercise_id, "check")))
        notebook.cells.extend(cells)
    nbformat.validate(notebook)
    return notebook


def _key(cell) -> tuple[str, str] | None:
    meta = cell.get("metadata", {}).get(META)
    if isinstance(meta, dict) and isinstance(meta.get("id"), str):
        return meta["id"], str(meta.get("role"))
    return None


def merge(fresh, old):
    """Return ``fresh`` with the student's work from ``old`` kept.

    The ``stub`` and ``written`` cells of ``old`` replace the fresh ones with the same
    ``grade`` metadata; cells the student added (no ``grade`` metadata) follow the stub cell
    of the exercise they were under (or the introduction); ``task`` and ``check`` cells are
    always the fresh ones, and an exercise no longer generated is dropped with its cells.
    """
    kept = {key: cell for cell in old.cells
            if (key := _key(cell)) is not None and key[1] in ("stub", "written")}
    added: dict[str | None, list] = {}
    current: str | None = None
    for cell in old.cells:
        key = _key(cell)
        if key is not None:
            current = key[0]
        elif cell.get("metadata", {}).get(META, {}).get("role") not in ("intro", "feedback"):
            added.setdefault(current, []).append(cell)
    cells = []
    for cell in fresh.cells:
        key = _key(cell)
        if key is not None and key in kept:
            cell = kept[key]
        cells.append(cell)
        if key is None and cell.get("metadata", {}).get(META, {}).get("role") == "intro":
            cells.extend(added.pop(None, []))
        elif key is not None and key[1] == "stub":
            cells.extend(added.pop(key[0], []))
    fresh.cells = cells
    return fresh


def clean(notebook):
    """Drop instructor-only cells and every output (nbconvert's preprocessors)."""
    from nbconvert.preprocessors import ClearOutputPreprocessor, TagRemovePreprocessor

    remove = TagRemovePreprocessor(remove_cell_tags={INSTRUCTOR_TAG}, enabled=True)
    notebook, _ = remove.preprocess(notebook, {})
    notebook, _ = ClearOutputPreprocessor().preprocess(notebook, {})
    return notebook


def write(out: Path, exercise_ids: Sequence[str], root: Path) -> tuple[int, bool]:
    """Write (or regenerate) the students' notebook; return (cells, whether work was kept)."""
    import nbformat

    notebook = build(exercise_ids, root)
    merged = False
    if out.exists():
        try:
            data = out.read_bytes()
        except OSError as exc:
            raise NotebookError(f"cannot read {out}: {exc.strerror or exc}") from None
        notebook = merge(notebook, read(data, out.name))
        merged = True
    notebook = clean(notebook)
    nbformat.validate(notebook)
    text = nbformat.writes(notebook)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise NotebookError(f"cannot write {out}: {exc.strerror or exc}") from None
    return len(notebook.cells), merged
