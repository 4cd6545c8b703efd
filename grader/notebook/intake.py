"""Read a submitted notebook into one module source per exercise, without running anything.

The notebook is read and validated with nbformat (a version 4 notebook; older minor versions
are upgraded, version 3 and broken files are refused in one line). Each code cell is given
to an exercise by, in this order:

1. its ``grade`` metadata (``{"id": "ex04", "role": "stub"}``, as ``grade notebook`` writes
   it; cells with the role ``check`` are the in-notebook grading calls and are left out);
2. a tag naming the exercise (``ex04``);
3. a first-line marker comment (``# ex04`` or ``# %% ex04``);
4. the exercise's function names (``grader.catalog``) that the cell defines.

An unassigned code cell after an assigned one belongs to the same exercise (a helper the
student added below the stub); unassigned cells before any assigned one are shared by every
exercise (imports, constants), before the exercise's own cells.

Within the cells, IPython magics, shell lines (``!pip install ...``) and help lines are
commented out; then, with :mod:`ast`, every top-level statement that is not a definition,
an import or a simple constant assignment (a training loop, a ``plt.plot(...)``, a
``print``) is commented out too, so that importing the module in the worker runs only
definitions. Each line left out is named in the exercise's ``notes``; the runner shows them
as a ``manual`` check (0 points) so that they reach every report format without changing a
score. A written answer comes from the Markdown cell whose metadata has the role
``written`` and becomes ``WRITTEN_ANSWER``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from grader import catalog

#: The metadata key of the cells ``grade notebook`` writes.
META = "grade"
ROLES = ("task", "stub", "written", "check", "feedback")
#: What the grader writes in place of a line it does not run.
NOT_RUN = "# (not run by the grader) "

_MARKER = re.compile(r"#\s*(?:%%\s*)?(ex\d\d)\b", re.IGNORECASE)
_EXERCISE = re.compile(r"ex\d\d")
_FUTURE = re.compile(r"^from __future__ import [\w, ]+$", re.MULTILINE)
# a line magic, a shell line, `x = !ls` / `x = %time f()`, or a help line (`np.sum?`)
_MAGIC_LINE = re.compile(r"^\s*(?:[%!]|[\w.]+\s*=\s*[%!]|\?|[\w.]+\?\??\s*$)")
# module roots whose calls at the top level are never run (plots, the notebook itself)
_NEVER_CALLED = ("matplotlib", "seaborn", "IPython", "plotly", "pandas", "os", "sys",
                 "subprocess", "shutil", "pathlib", "time", "urllib", "requests")


class NotebookError(ValueError):
    """The notebook as a whole cannot be read; the message is one line."""


@dataclass(frozen=True)
class Cell:
    """One notebook cell as intake needs it: kind, text, metadata, position (1-based)."""

    kind: str
    source: str
    index: int
    meta: dict = field(default_factory=dict)
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Module:
    """The module source of one exercise and what was left out of it."""

    text: str
    notes: tuple[str, ...] = ()


def read(data: bytes | str, name: str):
    """Parse, upgrade (v4 minor versions) and validate a notebook; NotebookError otherwise."""
    import nbformat
    from nbformat import reader

    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NotebookError(f"{name} is not a readable notebook: not UTF-8 text "
                                f"(byte {data[exc.start]:#04x} at offset {exc.start})") from None
    try:
        raw = reader.parse_json(data)
    except reader.NotJSONError as exc:
        detail = str(exc.__cause__ or exc).splitlines()[0][:200]
        raise NotebookError(f"{name} is not a readable notebook: invalid JSON ({detail})"
                            ) from None
    if not isinstance(raw, dict):
        raise NotebookError(f"{name} is not a readable notebook: not a JSON object")
    major, _minor = reader.get_version(raw)
    if major != 4:
        if isinstance(major, int) and major < 4:
            raise NotebookError(
                f"{name} is a version {major} notebook; the grader reads version 4: open and "
                "save it in a current Jupyter (or run 'jupyter nbconvert --to notebook') first")
        raise NotebookError(f"{name} is not a readable notebook: unknown nbformat {major!r}")
    if not raw.get("cells"):
        raise NotebookError(f"{name} has no cells")
    try:
        notebook = nbformat.convert(reader.reads(data), 4)  # upgrades 4.x to the current 4.y
        nbformat.validate(notebook)
    except Exception as exc:  # noqa: BLE001 - nbformat raises several unrelated types
        message = getattr(exc, "message", None) or str(exc)
        raise NotebookError(f"{name} is not a valid notebook: "
                            f"{message.splitlines()[0][:200] if message else type(exc).__name__}"
                            ) from None
    return notebook


def cells_of(notebook) -> list[Cell]:
    """Return the notebook's cells as :class:`Cell` values."""
    cells = []
    for index, cell in enumerate(notebook.cells, start=1):
        metadata = cell.get("metadata", {}) or {}
        meta = metadata.get(META)
        tags = metadata.get("tags") or ()
        cells.append(Cell(cell.cell_type, cell.source, index,
                          dict(meta) if isinstance(meta, dict) else {},
                          tuple(str(t).lower() for t in tags if isinstance(t, str))))
    return cells


def modules(data: bytes | str, name: str) -> dict[str, Module]:
    """Read a notebook and return one :class:`Module` per exercise it holds."""
    found = split(cells_of(read(data, name)))
    if not found:
        raise NotebookError(
            f"{name} has no exercise cells (cells made by 'grade notebook', tagged ex04, "
            "starting with '# ex04', or defining an exercise's functions)")
    return found


def _meta_id(cell: Cell) -> str | None:
    exercise_id = cell.meta.get("id")
    return exercise_id if isinstance(exercise_id, str) and exercise_id in catalog.BY_ID else None


def _defined(tree: ast.Module | None) -> set[str]:
    names: set[str] = set()
    for node in tree.body if tree is not None else ():
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def _by_definitions(names: set[str], current: str | None) -> str | None:
    """The exercise whose functions the cell defines (the most of them; ties: the current)."""
    counts = {e.id: len(names & set(e.names)) for e in catalog.EXERCISES}
    best = max(counts.values())
    if best == 0:
        return None
    tied = [e for e, n in counts.items() if n == best]
    if current in tied:
        return current
    return max(tied, key=lambda e: best / len(catalog.get(e).names))


def _parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def split(cells: Sequence[Cell]) -> dict[str, Module]:
    """Give each code cell to an exercise (see the module's docstring); build the modules."""
    return _walk(cells)[0]


def last_cells(cells: Sequence[Cell]) -> dict[str, int]:
    """Return each exercise's last cell (its 1-based index): where its feedback goes."""
    return _walk(cells)[1]


def _walk(cells: Sequence[Cell]) -> tuple[dict[str, Module], dict[str, int]]:
    last: dict[str, int] = {}
    shared: list[tuple[Cell, str]] = []
    own: dict[str, list[tuple[Cell, str]]] = {}
    written: dict[str, str] = {}
    notes: dict[str | None, list[str]] = {}
    current: str | None = None
    modules: dict[str, str] = {}  # names imported anywhere in the notebook -> their module
    for cell in cells:
        if cell.kind == "code":
            modules.update(_imported(_parse(_drop_magics(cell)[0])))
    for cell in cells:
        meta_id = _meta_id(cell)
        if meta_id:
            last[meta_id] = cell.index
        if cell.kind == "markdown":
            if meta_id and cell.meta.get("role") == "written":
                written[meta_id] = cell.source.strip()
            if meta_id:
                current = meta_id
            continue
        if cell.kind != "code":
            continue
        if meta_id and cell.meta.get("role") in ("check", "task", "written", "feedback"):
            current = meta_id
            continue
        text, magic_notes = _drop_magics(cell)
        tree = _parse(text)
        tagged = next((t for t in cell.tags if _EXERCISE.fullmatch(t) and t in catalog.BY_ID),
                      None)
        first = cell.source.lstrip().splitlines()[0] if cell.source.strip() else ""
        marker = _MARKER.match(first)
        marked = marker.group(1).lower() if marker else None
        explicit = meta_id or tagged or (marked if marked in catalog.BY_ID else None)
        target = explicit or _by_definitions(_defined(tree), current) or current
        if tree is None and not explicit:
            # a scratch cell that does not parse must not break the exercise it follows
            notes.setdefault(target, []).append(
                f"cell {cell.index} is not valid Python and is not an exercise's cell: "
                "not run by the grader")
            continue
        if target is not None:
            current = target
            last[target] = max(last.get(target, 0), cell.index)
        notes.setdefault(target, []).extend(magic_notes)
        kept, skipped = _top_level(text, tree, modules)
        notes.setdefault(target, []).extend(
            f"cell {cell.index}, line {line}: `{_short(code)}` (not a definition, import or "
            "constant: not run by the grader)" for line, code in skipped)
        (own.setdefault(target, []) if target else shared).append((cell, kept))
    result = {}
    for exercise_id in sorted(set(own) | set(written)):
        exercise = catalog.get(exercise_id)
        parts = [f"# notebook cell {cell.index}\n{text}" for cell, text in
                 shared + own.get(exercise_id, [])]
        # ``from __future__`` imports must come first in a module: hoist them
        future = sorted({m.group(0) for part in parts for m in _FUTURE.finditer(part)})
        if future:
            parts = ["\n".join(future)] + [_FUTURE.sub("", part) for part in parts]
        if exercise.written and exercise_id in written:
            parts.append(f"WRITTEN_ANSWER = {written[exercise_id]!r}")
        result[exercise_id] = Module("\n\n".join(parts) + "\n",
                                     tuple(notes.get(None, []) + notes.get(exercise_id, [])))
    return result, last


def _short(code: str, limit: int = 70) -> str:
    line = code.strip().splitlines()[0] if code.strip() else ""
    line = line.replace("`", "'")
    return line if len(line) <= limit else line[:limit - 1] + "…"


def _drop_magics(cell: Cell) -> tuple[str, list[str]]:
    """Comment out IPython magics, shell and help lines; a ``%%`` cell magic, the whole cell."""
    lines = cell.source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        return ("\n".join(NOT_RUN + line for line in lines),
                [f"cell {cell.index}: `{_short(lines[0])}` (a cell magic: the whole cell is "
                 "not run by the grader)"])
    out, notes = [], []
    for number, line in enumerate(lines, start=1):
        if _MAGIC_LINE.match(line):
            indent = line[:len(line) - len(line.lstrip())]
            out.append(f"{indent}{NOT_RUN}{line.lstrip()}")
            notes.append(f"cell {cell.index}, line {number}: `{_short(line)}` (IPython magic "
                         "or shell line: not run by the grader)")
        else:
            out.append(line)
    return "\n".join(out), notes


def _top_level(text: str, tree: ast.Module | None, modules: dict[str, str]
               ) -> tuple[str, list[tuple[int, str]]]:
    """Comment out the top-level statements that are not definitions, imports or constants.

    Returns the new text and the skipped statements (line, first line of code). A cell that
    does not parse is kept as it is: the worker reports the syntax error for its exercise.
    """
    if tree is None:
        return text, []
    lines = text.splitlines()
    skipped = [node for node in tree.body if not _kept(node, modules)]
    if not skipped:
        return text, []
    taken: dict[int, bool] = {}  # line -> does a kept statement use it
    for node in tree.body:
        for line in range(node.lineno, (node.end_lineno or node.lineno) + 1):
            taken[line] = taken.get(line, False) or node not in skipped
    report = [(node.lineno, ast.get_source_segment(text, node) or lines[node.lineno - 1])
              for node in skipped]
    if any(taken[line] for node in skipped
           for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)):
        # a skipped statement shares a line with a kept one (``x = 1; plt.show()``):
        # rebuild the cell from the kept statements alone
        kept = [ast.get_source_segment(text, node, padded=True) or ast.unparse(node)
                for node in tree.body if node not in skipped]
        return "\n".join(kept), report
    gone = {line for node in skipped
            for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)}
    return "\n".join(NOT_RUN + line if number in gone else line
                     for number, line in enumerate(lines, start=1)), report


def _imported(tree: ast.Module | None) -> dict[str, str]:
    """Top-level names bound by imports -> the module they come from."""
    names: dict[str, str] = {}
    for node in tree.body if tree is not None else ():
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = node.module
    return names


def _kept(node: ast.stmt, modules: dict[str, str]) -> bool:
    """Return whether a top-level statement runs at grading time (definition, import, constant)."""
    if isinstance(node, ast.Import):  # the grader itself (a check cell's import) is not run
        return not any(alias.name.split(".")[0] == "grader" for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] != "grader"
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Pass):
        return True
    if isinstance(node, ast.Expr):  # a docstring or a bare string
        return isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    if isinstance(node, ast.Assign):
        return all(_target(t) for t in node.targets) and _constant(node.value, modules)
    if isinstance(node, ast.AnnAssign):
        return _target(node.target) and (node.value is None or _constant(node.value, modules))
    if isinstance(node, ast.Try):  # try: import x / except ImportError: x = None
        return all(_kept(n, modules) for n in
                   [*node.body, *node.orelse, *node.finalbody,
                    *(n for h in node.handlers for n in h.body)])
    return False


def _target(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return True
    return isinstance(node, ast.Tuple | ast.List) and all(_target(e) for e in node.elts)


def _constant(node: ast.expr, modules: dict[str, str]) -> bool:
    """A value cheap and harmless to compute: literals, names, arithmetic, library calls.

    A call is allowed only to an attribute of an imported library (``np.linspace(0, 1)``,
    ``torch.tensor([1.0])``), never to a function of the notebook (which may train for
    minutes), nor to plotting or system modules.
    """
    if isinstance(node, ast.Constant | ast.Name):
        return True
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return all(_constant(e, modules) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is None or _constant(k, modules) for k in node.keys) and all(
            _constant(v, modules) for v in node.values)
    if isinstance(node, ast.UnaryOp):
        return _constant(node.operand, modules)
    if isinstance(node, ast.BinOp):
        return _constant(node.left, modules) and _constant(node.right, modules)
    if isinstance(node, ast.Attribute):
        return _constant(node.value, modules)
    if isinstance(node, ast.Call):
        root = node.func
        while isinstance(root, ast.Attribute):
            root = root.value
        if not (isinstance(node.func, ast.Attribute) and isinstance(root, ast.Name)
                and root.id in modules):
            return False
        if modules[root.id].split(".")[0] in _NEVER_CALLED:
            return False
        return all(_constant(a.value if isinstance(a, ast.Starred) else a, modules)
                   for a in node.args) and all(_constant(k.value, modules)
                                               for k in node.keywords)
    return False


def history_cells(inputs: Iterable[str]) -> list[Cell]:
    """Cells from a kernel's input history (``_ih``), the last run of each text kept."""
    texts = [t for t in inputs if isinstance(t, str) and t.strip()]
    last = {text: i for i, text in enumerate(texts)}
    return [Cell("code", text, i + 1) for i, text in enumerate(texts) if last[text] == i]
