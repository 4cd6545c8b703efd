"""``grade --watch``: regrade the exercises whose files change, on every save.

One long-lived worker pool (the zygote stays warm) and the grading process itself stay up;
each batch of saved ``exNN.py`` files is regraded with :func:`grader.runner.grade`, the
same pipeline as a single ``grade`` run, then the table is redrawn and every ``--output``
FILE is rewritten atomically (a temporary file renamed over it), so an editor or a script
following FILE never reads half a report. The seed is fixed for the whole session, so a
change in the table comes from the code, not from new random cases. Ctrl-C stops (exit 0).
"""

from __future__ import annotations

import dataclasses
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from grader import catalog, runner, submission
from grader.report import ExerciseResult, Report

#: watchfiles: yield a batch this long after its last change (ms); at most this long (ms)
STEP_MS = 20
DEBOUNCE_MS = 300
RECHECK_MS = 1000  # and look at the files anyway this often (an event may come too early)
CLEAR = "\x1b[2J\x1b[H"


class Session:
    """The state of a watch session: the latest result of each exercise, the warm pool."""

    def __init__(self, folder: Path, exercise_ids: Sequence[str], *, seed: int,
                 plan: Sequence[tuple[str, Path | None]], options: dict[str, Any],
                 call_timeout: float | None = None, require_full: bool = False) -> None:
        from grader.pool import WorkerPool

        self.folder = folder
        self.exercise_ids = list(exercise_ids)
        self.seed = seed
        self.plan = list(plan)
        self.options = options
        self.call_timeout = call_timeout
        self.results: dict[str, ExerciseResult] = {}
        self.graded: dict[str, tuple[int, ...] | None] = {}
        self.report: Report | None = None
        self.pool = WorkerPool(preload=runner.preload_for(self.exercise_ids),
                               require_full=require_full,
                               read_paths=runner.read_paths_for(self.exercise_ids, options),
                               oracle=runner.needs_oracle(self.exercise_ids))
        self.require_full = require_full

    def _signature(self, exercise_id: str) -> tuple[int, ...] | None:
        try:
            info = (self.folder / catalog.get(exercise_id).filename).stat()
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size, info.st_ino)

    def changed_exercises(self) -> list[str]:
        """The watched exercises whose file changed since it was last graded.

        Compared by the file's state, not by events: a save that lands between a grading
        and the watcher's start is not missed.
        """
        return [e for e in self.exercise_ids if self._signature(e) != self.graded.get(e)]

    def regrade(self, exercise_ids: Sequence[str]) -> Report:
        """Grade these exercises again (the others keep their result); return the report."""
        for exercise_id in exercise_ids:
            self.graded[exercise_id] = self._signature(exercise_id)
        loaded = submission.load(str(self.folder))
        outcomes = runner.grade(loaded, exercise_ids=list(exercise_ids), seed=self.seed,
                                call_timeout=self.call_timeout, pool=self.pool,
                                options=dict(self.options), require_full=self.require_full)
        for problem in outcomes.internal_errors:
            print(f"grade: internal grader error: {problem}", file=sys.stderr)
        for result in outcomes.report.exercises:
            self.results[result.id] = result
        ordered = tuple(self.results[e] for e in self.exercise_ids if e in self.results)
        self.report = dataclasses.replace(
            outcomes.report, exercises=ordered,
            score=round(sum(r.score for r in ordered), 6),
            max_score=float(sum(r.max_score for r in ordered)))
        self.write(loaded)
        return self.report

    def write(self, loaded: submission.Submission) -> None:
        """Redraw the table and rewrite each output file atomically."""
        from grader.render import render, table

        assert self.report is not None
        sources = {k: s.text for k, s in loaded.sources.items() if s.text is not None}
        tty = sys.stdout.isatty()
        shown = False
        for name, path in self.plan:
            if path is None:
                text = table.render(self.report, color=tty) if name == "table" \
                    else render(name, self.report, sources)
                sys.stdout.write((CLEAR if tty else "") + text)
                shown = True
            else:
                write_atomically(path, render(name, self.report, sources))
        if not shown:
            sys.stdout.write((CLEAR if tty else "") + table.render(self.report, color=tty))
        sys.stdout.write(f"watching {self.folder} (seed {self.seed}); Ctrl-C stops\n")
        sys.stdout.flush()

    def close(self) -> None:
        """Stop the worker pool."""
        self.pool.close()


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _prewarm() -> None:
    """Import what the first regrade needs while the student is still typing."""
    import contextlib
    import importlib

    for name in ("grader.plugin", "scipy.stats"):
        with contextlib.suppress(Exception):
            importlib.import_module(name)


def run(folder: str, exercise_ids: Sequence[str], *, seed: int,
        plan: Sequence[tuple[str, Path | None]], options: dict[str, Any],
        call_timeout: float | None = None, require_full: bool = False) -> int:
    """Grade, then regrade on every save until Ctrl-C (or SIGTERM); return the exit code."""
    import watchfiles

    path = Path(folder).resolve()
    if not path.is_dir():
        raise submission.SubmissionError(
            f"--watch needs a folder of exNN.py files, not {folder}")
    stop = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stop.set()

    previous = {s: signal.signal(s, request_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    session = Session(path, exercise_ids, seed=seed, plan=plan, options=options,
                      call_timeout=call_timeout, require_full=require_full)
    try:
        session.regrade(session.exercise_ids)
        threading.Thread(target=_prewarm, daemon=True).start()
        for _ in watchfiles.watch(path, stop_event=stop, step=STEP_MS, debounce=DEBOUNCE_MS,
                                  recursive=False, raise_interrupt=False,
                                  yield_on_timeout=True, rust_timeout=RECHECK_MS):
            if stop.is_set():
                break
            changed = session.changed_exercises()
            if not changed:
                continue
            try:
                session.regrade(changed)
            except submission.SubmissionError as exc:  # e.g. the folder went away
                print(f"grade: error: {exc}", file=sys.stderr)
    finally:
        session.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0
