"""``grade --execute``: run the submitted notebook in a sandboxed kernel, for its outputs.

Execution is only for the graded notebook's outputs (``--format notebook``): the grade
always comes from the notebook's cells graded in the worker, as without ``--execute``.

nbclient runs in the grading process and drives a kernel started by
:mod:`grader.notebook.sandbox_kernel`, confined like a worker child, over ZeroMQ's ``ipc``
transport (Unix sockets in the kernel's private folder: the sandbox forbids TCP). Every
output comes from this run (the student's saved outputs are cleared first); the ``check``
cells are not run (they grade from inside a kernel, which the sandbox cannot do: the
feedback cell after each exercise holds the grading).

Time: each cell may take the per-call limit (``--timeout``, else the largest of the
exercises'), the whole notebook the sum of the exercises' budgets (scaled by
``--timeout``); the kernel has as much CPU time. A cell that runs past its limit, or a
kernel that dies, stops the run with a one-line message; the cells run so far keep their
outputs. Output is capped per cell and in all, and every message from the kernel is
treated as hostile (the kernel is the student's process).
"""

from __future__ import annotations

import ast
import asyncio
import atexit
import contextlib
import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from grader import catalog
from grader.text import safe_text

#: nbclient's tag for cells it does not run (given to the ``check`` cells of the run's copy)
SKIP_TAG = "grade-not-executed"
#: the longest the kernel may take to start (the sandbox's probe, importing ipykernel)
STARTUP_SECONDS = 60
#: output kept per cell and for the whole notebook (characters of text and base64 data)
MAX_CELL_OUTPUT = 2 << 20
MAX_OUTPUT = 16 << 20
#: outputs kept per cell (a loop of tiny prints coalesces; displays do not)
MAX_CELL_OUTPUTS = 200
#: the largest ZeroMQ message the grading process accepts from the kernel
MAX_MESSAGE = 64 << 20
NOT_RUN_NOTE = ("[not run by grade --execute: this cell grades from inside a kernel; the "
                "feedback cell below holds the exercise's grading]\n")


class ExecuteUnavailable(RuntimeError):
    """``--execute`` cannot run here (nbclient or ipykernel missing)."""


@dataclass(frozen=True)
class Execution:
    """The outcome of a run: the notebook with its outputs and a one-line account."""

    status: str                    # ok | timeout | budget | died | failed
    message: str                   # one line, for the terminal and the graded notebook
    text: str | None = None        # the notebook with this run's outputs only
    seconds: float = 0.0
    cells: int = 0                 # code cells run
    sandbox: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every cell ran."""
        return self.status == "ok"


def missing_packages() -> list[str]:
    """The packages ``--execute`` needs that are not installed."""
    return [name for name in ("nbclient", "ipykernel")
            if importlib.util.find_spec(name) is None]


def require() -> None:
    """Raise :class:`ExecuteUnavailable` when nbclient or ipykernel is missing."""
    missing = missing_packages()
    if missing:
        raise ExecuteUnavailable(f"--execute needs {' and '.join(missing)}: install the "
                                 "grader with its 'execute' extra (pip install "
                                 "'grade[execute]')")


def time_limits(exercise_ids: Sequence[str], call_timeout: float | None = None
                ) -> tuple[int, float]:
    """Return (seconds per cell, seconds for the whole notebook).

    A cell may take the per-call limit (``call_timeout``, else the largest of the
    exercises'); the notebook, the sum of the exercises' budgets, each scaled by
    ``call_timeout`` over the exercise's own per-call limit, and at least one cell's limit.
    """
    exercises = [catalog.get(e) for e in exercise_ids] or list(catalog.EXERCISES)
    cell = call_timeout if call_timeout is not None else max(e.call_timeout for e in exercises)
    total = sum(e.budget * (call_timeout / e.call_timeout if call_timeout else 1.0)
                for e in exercises)
    return max(1, math.ceil(cell)), max(total, float(math.ceil(cell)))


def _is_check_cell(cell) -> bool:
    """A ``check`` cell: by its metadata or tag, or made only of grader imports and calls."""
    meta = cell.get("metadata", {})
    grade = meta.get("grade")
    if isinstance(grade, dict) and grade.get("role") == "check":
        return True
    if "grade-check" in (meta.get("tags") or ()):
        return True
    try:
        tree = ast.parse(cell.get("source", ""))
    except (SyntaxError, ValueError):
        return False
    grader_names = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "grader":
            grader_names.update(alias.asname or alias.name for alias in node.names)
        elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
                  and isinstance(node.value.func, ast.Name)
                  and node.value.func.id in grader_names):
            return False
    return bool(grader_names)


def prepare(notebook):
    """Clear every output; tag the cells that grade from a kernel so that they are skipped."""
    skipped = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        cell.execution_count = None
        tags = list(cell.metadata.get("tags") or ())
        tags = [t for t in tags if t != SKIP_TAG]
        if _is_check_cell(cell):
            tags.append(SKIP_TAG)
            skipped.append(index)
        cell.metadata["tags"] = tags
    return skipped


def _size(content: Any) -> int:
    """Characters of text and data in a message's content (an estimate, never an error)."""
    if isinstance(content, str):
        return len(content)
    if isinstance(content, dict):
        return sum(_size(v) for v in content.values())
    if isinstance(content, list):
        return sum(_size(v) for v in content)
    return 8


def _client_classes():
    """Return the classes of the notebook client and kernel client, with the grader's limits."""
    import zmq
    import zmq.asyncio
    from jupyter_client.asynchronous.client import AsyncKernelClient
    from nbclient import NotebookClient
    from nbformat import ValidationError

    class KernelClient(AsyncKernelClient):
        """A kernel client whose sockets refuse messages larger than :data:`MAX_MESSAGE`."""

        def _context_default(self) -> zmq.asyncio.Context:
            self._created_context = True
            context = zmq.asyncio.Context()
            context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE)
            return context

    class Client(NotebookClient):
        """nbclient with capped outputs and a note of the cell being run."""

        def __init__(self, notebook, **kw: Any) -> None:
            super().__init__(notebook, **kw)
            self.current: int | None = None
            self.by_budget: dict[int, bool] = {}  # cell -> was its limit what the budget left
            self.cell_output: dict[int, int] = {}
            self.total_output = 0
            self.cut: set[int] = set()
            self.ran = 0

        async def async_execute_cell(self, cell, cell_index, execution_count=None,
                                     store_history=True):
            if cell.cell_type == "code" and cell.source.strip() and \
                    SKIP_TAG not in cell.metadata.get("tags", []):
                self.current = cell_index
                self.ran += 1
            return await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)

        def process_message(self, msg, cell, cell_index):
            kind = msg.get("msg_type")
            if kind in ("stream", "display_data", "execute_result", "error",
                        "update_display_data"):
                size = _size(msg.get("content"))
                used = self.cell_output.get(cell_index, 0)
                if (cell_index in self.cut or used + size > MAX_CELL_OUTPUT
                        or self.total_output + size > MAX_OUTPUT
                        or len(cell.outputs) >= MAX_CELL_OUTPUTS):
                    if cell_index not in self.cut:
                        self.cut.add(cell_index)
                        cell.outputs.append(_stream(
                            "stderr", "[grade --execute: the rest of this cell's output is "
                            "not kept (too much output)]\n"))
                    return None
                self.cell_output[cell_index] = used + size
                self.total_output += size
            try:
                return super().process_message(msg, cell, cell_index)
            except (ValidationError, KeyError, TypeError, ValueError, AttributeError,
                    IndexError):
                # a message no notebook can hold (the kernel may send anything)
                cell.outputs.append(_stream("stderr", "[grade --execute: an output that is "
                                                      "not valid in a notebook was left out]\n"))
                return None

    return Client, KernelClient


def _stream(name: str, text: str):
    from nbformat import v4

    return v4.new_output("stream", name=name, text=text)


def _kernel_manager(base: str, folder: str, cpu_seconds: int, require_full: bool,
                    client_class):
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpec

    from grader.pool import KEEP_UID_ENV
    from grader.proxy import MEMORY_MIB

    argv = [sys.executable, "-I", "-m", "grader.notebook.sandbox_kernel",
            "-f", "{connection_file}", "--folder", folder,
            "--cpu-seconds", str(cpu_seconds), "--memory-mib", str(MEMORY_MIB)]
    if require_full:
        argv.append("--require-full")
    if os.environ.get(KEEP_UID_ENV) == "1":
        argv.append("--keep-uid")
    from grader import suites

    if suites.sealed_folder() is not None:  # an opened bundle: never readable by the kernel
        argv += ["--secret", str(suites.sealed_folder())]
    manager = AsyncKernelManager(kernel_name="grade-sandbox", transport="ipc",
                                 ip=os.path.join(folder, "ipc"),
                                 connection_file=os.path.join(base, "connection.json"))
    manager._kernel_spec = KernelSpec(argv=argv, display_name="grade sandbox",
                                      language="python", interrupt_mode="signal",
                                      metadata={})
    manager.client_factory = client_class
    return manager


def _environment() -> dict[str, str]:
    from grader.pool import WORKER_ENV, matplotlib_cache

    environment = {**WORKER_ENV, "MPLCONFIGDIR": matplotlib_cache()}
    del environment["MPLBACKEND"]  # the kernel chooses matplotlib's inline backend
    return environment


def _read_status(base: str) -> dict:
    from grader.notebook.sandbox_kernel import STATUS

    try:
        with open(os.path.join(base, STATUS), encoding="utf-8") as handle:
            found = json.load(handle)
        return found if isinstance(found, dict) else {}
    except (OSError, ValueError):
        return {}


def _last_line(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = [line.strip() for line in handle.read()[-4000:].splitlines()]
    except OSError:
        return ""
    lines = [line for line in lines if line]
    return lines[-1][:300] if lines else ""


def run(notebook_text: str, exercise_ids: Sequence[str], *,
        call_timeout: float | None = None, require_full: bool = False) -> Execution:
    """Run the whole notebook in the sandboxed kernel; never raises for what the kernel does.

    Returns the :class:`Execution`; its ``text`` is the notebook with this run's outputs
    only (none at all when the kernel did not start) and a stamped account of the run for
    :func:`grader.notebook.feedback.annotate`.
    """
    require()
    from jupyter_core.utils import run_sync

    return run_sync(_run)(notebook_text, exercise_ids, call_timeout, require_full)


async def _run(notebook_text: str, exercise_ids: Sequence[str], call_timeout: float | None,
               require_full: bool) -> Execution:
    import nbformat
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from grader.notebook.intake import read

    cell_limit, total = time_limits(exercise_ids, call_timeout)
    notebook = read(notebook_text, "notebook")
    skipped = prepare(notebook)
    Client, KernelClient = _client_classes()  # noqa: N806
    base = tempfile.mkdtemp(prefix="grade-kernel-")
    os.chmod(base, 0o711)  # the kernel's uid must reach its folder
    folder = os.path.join(base, "kernel")
    os.mkdir(folder, 0o700)
    log_path = os.path.join(base, "launcher.log")
    deadline = [math.inf]

    def cell_timeout(cell) -> int:
        if deadline[0] == math.inf:
            deadline[0] = time.monotonic() + total
        left = deadline[0] - time.monotonic()
        client.by_budget[client.current if client.current is not None else -1] = \
            left < cell_limit
        return max(1, math.ceil(min(cell_limit, left)))

    manager = _kernel_manager(base, folder, math.ceil(total) + 5, require_full, KernelClient)
    client = Client(notebook, km=manager, timeout_func=cell_timeout,
                    startup_timeout=STARTUP_SECONDS, allow_errors=True,
                    skip_cells_with_tag=SKIP_TAG, shutdown_kernel="immediate",
                    record_timing=False, coalesce_streams=True, iopub_timeout=4,
                    store_widget_state=False, kernel_name="grade-sandbox")
    started = time.monotonic()
    status, message = "ok", ""
    stopped_at: int | None = None
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    try:
        await asyncio.wait_for(
            client.async_execute(env=_environment(), cwd=base, stdout=subprocess.DEVNULL,
                                 stderr=log),
            timeout=STARTUP_SECONDS + total + 30)
    except CellTimeoutError:
        stopped_at = client.current
        if client.by_budget.get(stopped_at if stopped_at is not None else -1):
            status = "budget"
            message = (f"the notebook's time budget ({total:g} s) ran out in cell "
                       f"{_number(stopped_at)}")
        else:
            status = "timeout"
            message = f"cell {_number(stopped_at)} ran past its {cell_limit} s time limit"
    except DeadKernelError:
        stopped_at = client.current
        why = _read_status(base).get("exit") or "it exited"
        status, message = "died", f"the kernel died in cell {_number(stopped_at)} ({why})"
    except TimeoutError:
        stopped_at = client.current
        status = "budget"
        message = f"the run took longer than {STARTUP_SECONDS + total + 30:g} s in all"
    except Exception as exc:  # noqa: BLE001 - a kernel is the student's process: report it
        found = _read_status(base)
        stopped_at = client.current
        if found.get("error"):
            status, message = "failed", f"the sandboxed kernel could not start: {found['error']}"
        elif client.ran == 0 and not found.get("started"):
            detail = _last_line(log_path) or f"{type(exc).__name__}: {exc}"
            status, message = "failed", f"the sandboxed kernel did not start: {detail}"
        else:
            status = "failed"
            message = (f"the run stopped in cell {_number(stopped_at)}: "
                       f"{type(exc).__name__}: {exc}")
    finally:  # nbclient leaves a kernel manager it was given running: stop all here
        atexit.unregister(client._cleanup_kernel)  # left registered when the start failed
        with contextlib.suppress(Exception):
            if client.kc is not None:
                client.kc.stop_channels()
        with contextlib.suppress(Exception):
            if manager.has_kernel:
                await manager.shutdown_kernel(now=True)
        log.close()
        sandboxed = _read_status(base).get("sandbox") or {}
        shutil.rmtree(base, ignore_errors=True)
    seconds = time.monotonic() - started
    message = safe_text(" ".join(message.split()), limit=500)  # may quote the kernel
    for index in skipped if client.ran else ():
        notebook.cells[index].outputs = [_stream("stdout", NOT_RUN_NOTE)]
    if stopped_at is not None and status != "ok":
        notebook.cells[stopped_at].outputs.append(_stream(
            "stderr", f"[grade --execute stopped here: {message}; the cells after this one "
                      "were not run]\n"))
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.metadata["tags"] = [t for t in cell.metadata.get("tags", []) if t != SKIP_TAG]
            if not cell.metadata["tags"]:
                del cell.metadata["tags"]
    _make_safe(notebook)
    if status == "ok":
        not_run = f"; the {len(skipped)} check cells are not run" if skipped else ""
        message = (f"the notebook ran in the grader's sandbox: {client.ran} code cells in "
                   f"{seconds:.1f} s{not_run}")
    if sandboxed.get("level") == "partial":
        message += f" (sandbox partial here: {'; '.join(sandboxed.get('missing') or [])})"
    result = Execution(status, message, None, seconds, client.ran, sandboxed)
    from grader.notebook.feedback import stamp_execution

    stamp_execution(notebook, result)
    return Execution(status, message, nbformat.writes(notebook), seconds, client.ran, sandboxed)


def _number(index: int | None) -> str:
    """A cell's 1-based number (as :mod:`grader.notebook.intake` counts them)."""
    return "?" if index is None else str(index + 1)


def _safe(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")  # lone surrogates -> '?'
    if isinstance(value, dict):
        return {_safe(k): _safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_safe(v) for v in value]
    return value


def _make_safe(notebook) -> None:
    """Make every output encodable and valid; drop the outputs nbformat's schema refuses."""
    import nbformat
    from nbformat import from_dict, v4

    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = [from_dict(_safe(dict(o))) for o in cell.outputs]
    try:
        nbformat.validate(notebook)
        return
    except nbformat.ValidationError:
        pass
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.outputs:
            probe = v4.new_notebook(cells=[v4.new_code_cell(outputs=[output])])
            try:
                nbformat.validate(probe)
                kept.append(output)
            except nbformat.ValidationError:
                kept.append(_stream("stderr", "[grade --execute: an output that is not valid "
                                              "in a notebook was left out]\n"))
        cell.outputs = kept
        if not isinstance(cell.get("execution_count"), int | type(None)):
            cell.execution_count = None
