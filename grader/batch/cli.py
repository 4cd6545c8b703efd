"""``grade batch DIR --out OUT [TARGET ...]``: grade a class, resumably, into SQLite.

Exit codes: 0 the batch finished (whatever the scores); 2 a bad DIR, OUT or option (one
line); 3 a grader fault of the batch itself (the database cannot be written, ...).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import grader
from grader import targets
from grader.batch import intake, manual, outputs
from grader.batch.cluster import ClusterError
from grader.batch.executor import Job, Settings, executor
from grader.batch.store import DUE, FILENAME, GRADED, GRADER_ERROR, INVALID, Store, StoreError
from grader.submission import SubmissionError

OK, USAGE, INTERNAL = 0, 2, 3
PLAIN_EVERY = 10.0  # seconds between progress lines when stderr is not a terminal


class BatchUsageError(Exception):
    """A bad DIR, OUT or option: one line, exit code 2."""


def batch_parser() -> argparse.ArgumentParser:
    """Return the parser of ``grade batch``."""
    from grader.cli import _positive, _seed, _when

    parser = argparse.ArgumentParser(
        prog="grade batch",
        description="Grade every submission in DIR (one entry per student: a folder of "
                    "exNN.py files or with exercises/ inside, a .ipynb, or a .zip of "
                    "either) with one seed; results go to OUT/grades.sqlite, and "
                    "OUT/gradebook.csv, OUT/reports/ (each student's report), "
                    "OUT/written.csv, OUT/skipped.csv and OUT/summary.html (the class at a "
                    "glance) are made from it.")
    parser.add_argument("paths", nargs="*", metavar="DIR [TARGET ...]",
                        help="the folder of submissions, then the exercises to grade "
                             "(ex04, 4, all; default all)")
    parser.add_argument("--out", required=True, metavar="OUT",
                        help="the folder for the database and the outputs")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="submissions graded at the same time (default: the cores)")
    parser.add_argument("--seed", type=_seed, help="seed of the randomised cases (default: "
                        "the one stored in OUT, else a new one)")
    parser.add_argument("--resume", action=argparse.BooleanOptionalAction, default=True,
                        help="keep what OUT/grades.sqlite already holds (default); "
                             "--no-resume grades everything again (the marks merged by "
                             "hand and the due date are kept)")
    parser.add_argument("--timeout", type=_positive, metavar="SECONDS",
                        help="time limit of each call into a submission")
    parser.add_argument("--due", type=_when, metavar="WHEN",
                        default=os.environ.get("GRADE_DUE") or None,
                        help="the due date (ISO 8601, e.g. 2026-12-20T23:59, local time unless "
                             "an offset is given; or set GRADE_DUE), stored in OUT: the "
                             "students' reports show the checks marked after_due once it has "
                             "passed (without one, never); the JSON reports keep everything "
                             "(default: the date stored in OUT)")
    parser.add_argument("--quiet", action="store_true", help="no progress, no summary line")
    parser.add_argument("--report-only", action="store_true",
                        help="grade nothing: rebuild the outputs from OUT/grades.sqlite")
    parser.add_argument("--merge-manual", metavar="CSV",
                        help="grade nothing: add the marks given by hand for the written "
                             "parts (columns student, exercise, points, comment) to "
                             "OUT/grades.sqlite and rebuild the outputs")
    parser.add_argument("--executor", choices=("local", "dask"), default=None,
                        help="grade in local processes (default) or on a dask.distributed "
                             "cluster (pip install 'grade[dask]')")
    parser.add_argument("--scheduler", metavar="ADDR",
                        help="the dask scheduler to send the submissions to "
                             "(tcp://HOST:PORT; default: a local cluster of --jobs "
                             "worker processes)")
    return parser


def main(argv: Sequence[str]) -> int:
    """Parse and run ``grade batch``; return the exit code."""
    args = batch_parser().parse_intermixed_args(list(argv))
    try:
        return run(args)
    except (BatchUsageError, SubmissionError, targets.TargetError, manual.ManualError,
            ClusterError) as exc:
        print(f"grade batch: error: {exc}", file=sys.stderr)
        return USAGE


def _out_folder(out: str, *, create: bool, purpose: str = "to rebuild the outputs from"
                ) -> Path:
    from grader.cli import folder_problem

    folder = Path(out)
    if not create and (folder.is_dir() or not folder.exists()) \
            and not (folder / FILENAME).is_file():
        raise BatchUsageError(f"--out {out} holds no {FILENAME} {purpose}")
    problem = folder_problem(folder, "--out")
    if problem:
        raise BatchUsageError(problem)
    return folder


def _open(path: Path, *, fresh: bool) -> Store:
    try:
        if not fresh or not path.is_file():
            return Store(path, fresh=fresh)
        kept, due = _kept(path)  # --no-resume grades again; the hand marks and due date stay
        store = Store(path, fresh=True)
        store.merge_manual(((s, e, p, c) for s, given in kept.items()
                            for e, (p, c) in given.items()), "kept by --no-resume")
        if due is not None:
            store.put(DUE, due)
        return store
    except StoreError as exc:
        raise BatchUsageError(str(exc)) from None


def _kept(path: Path) -> tuple[dict, str | None]:
    """The marks given by hand and the due date of an existing database (none if unreadable)."""
    try:
        old = Store(path)
    except StoreError:
        return {}, None
    try:
        return old.manual(), old.get(DUE)
    finally:
        old.close()


def _due(args: argparse.Namespace, store: Store) -> datetime | None:
    """The batch's due date: ``--due`` (or GRADE_DUE), stored; else the one stored, or None.

    Always the stored text read back, so that every run shows the date alike.
    """
    from grader.detail import parse_due

    if args.due is not None:
        store.put(DUE, args.due.isoformat())
    stored = store.get(DUE)
    if stored is None:
        return None
    try:
        return parse_due(stored)
    except ValueError:
        raise BatchUsageError(f"{store.path} holds a due date that cannot be read "
                              f"({stored!r}): give --due again") from None


def _merge(args: argparse.Namespace) -> int:
    """``--merge-manual CSV``: check every row, store the marks at once, rebuild the outputs."""
    if args.paths or args.report_only:
        raise BatchUsageError("--merge-manual takes no DIR, TARGET or --report-only")
    out = _out_folder(args.out, create=False, purpose="to merge the marks into")
    lock = _lock(out)
    try:
        store = _open(out / FILENAME, fresh=False)
        try:
            marks = manual.read(args.merge_manual, store.rows())
            due = _due(args, store)
            count = store.merge_manual(((m.student, m.exercise, m.points, m.comment)
                                        for m in marks), str(Path(args.merge_manual)))
            outputs.write_all(store, out, due=due)
        finally:
            store.close()
    finally:
        lock.close()
    if not args.quiet:
        students = len({m.student for m in marks})
        print(f"grade batch: merged {count} marks for {students} students from "
              f"{args.merge_manual}; {out / outputs.GRADEBOOK} rebuilt", file=sys.stderr)
    return OK


def _executor(args: argparse.Namespace, settings: Settings):
    """The executor asked for: local processes, or a dask cluster."""
    if args.executor == "dask" or (args.executor is None and args.scheduler):
        from grader.batch.cluster import DaskExecutor

        return DaskExecutor(settings, args.jobs, args.scheduler)
    return executor(settings, args.jobs)


def run(args: argparse.Namespace) -> int:
    """Grade the batch (or only rebuild its outputs, or merge marks given by hand)."""
    if args.jobs < 1:
        raise BatchUsageError("--jobs must be at least 1")
    if args.merge_manual is not None:
        return _merge(args)
    if args.executor == "local" and args.scheduler:
        raise BatchUsageError("--scheduler needs --executor dask")
    if (args.executor == "dask" or args.scheduler) and not args.report_only:
        from grader.batch import cluster

        if not cluster.available():
            raise BatchUsageError("--executor dask needs dask.distributed: "
                                  "pip install 'grade[dask]'")
    if args.report_only:
        if args.paths:
            raise BatchUsageError("--report-only takes no DIR or TARGET")
        out = _out_folder(args.out, create=False)
        store = _open(out / FILENAME, fresh=False)
        try:
            due = _due(args, store)
            counts = outputs.write_all(store, out, due=due)
        finally:
            store.close()
        if not args.quiet:
            print(f"grade batch: rebuilt the outputs of {sum(counts.values())} submissions "
                  f"in {out} ({_due_note(due)})", file=sys.stderr)
        return OK
    if not args.paths:
        raise BatchUsageError("give the folder of submissions: grade batch DIR --out OUT")
    folder, *target_args = args.paths
    if not Path(folder).is_dir():
        raise BatchUsageError(f"{folder} is not a folder of submissions")
    from grader import suites

    exercise_ids = tuple(suites.gradable(targets.resolve(target_args)))
    if not exercise_ids:
        raise BatchUsageError("no hidden suite exists for the exercises asked for")
    out = _out_folder(args.out, create=True)
    if Path(folder).resolve() == out.resolve():
        raise BatchUsageError("--out must not be the folder of submissions")
    lock = _lock(out)
    try:
        store = _open(out / FILENAME, fresh=not args.resume)
        try:
            return _grade(args, store, out, Path(folder), exercise_ids)
        except StoreError as exc:
            print(f"grade batch: internal grader error: {exc}", file=sys.stderr)
            return INTERNAL
        finally:
            store.close()
    finally:
        lock.close()


def _lock(out: Path):
    """Hold ``OUT/.grade-batch.lock`` for the whole run: one batch per --out at a time."""
    import fcntl

    handle = open(out / ".grade-batch.lock", "a")  # noqa: SIM115 - closed by the caller
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise BatchUsageError(f"another grade batch is writing to {out}; wait for it to "
                              "finish") from None
    return handle


def _grade(args: argparse.Namespace, store: Store, out: Path, folder: Path,
           exercise_ids: tuple[str, ...]) -> int:
    started = time.monotonic()
    stored = store.get("seed")
    seed = args.seed if args.seed is not None else \
        int(stored) if stored is not None else secrets.randbelow(2**31)
    store.put("seed", str(seed))
    due = _due(args, store)
    found = intake.scan(folder, exclude=out.resolve())
    store.record_skipped((s.entry, s.reason) for s in found.skipped)
    store.record_sources((c.content_hash, {k: s.text for k, s in c.submission.sources.items()})
                         for c in found.candidates)  # for the similarity of summary.html
    version = grader.__version__
    for bad in found.invalid:
        if args.resume and store.same_invalid(bad.student, bad.reason, seed, version,
                                              exercise_ids):
            continue
        store.record(student=bad.student, entry=bad.entry, content_hash="", seed=seed,
                     grader_version=version, exercises=exercise_ids, status=INVALID,
                     message=bad.reason)
    jobs = [Job(c.student, c.submission) for c in found.candidates
            if not (args.resume and store.current(c.student, c.content_hash, seed, version,
                                                  exercise_ids))]
    by_student = {c.student: c for c in found.candidates}
    resumed = len(found.candidates) - len(jobs)
    queued = {job.student for job in jobs}
    for candidate in found.candidates:  # resumed: its notebook for reports/<student>.ipynb
        if candidate.student not in queued:
            store.keep_notebook(candidate.student, candidate.submission.notebook)
    settings = Settings(exercise_ids, seed, args.timeout)
    progress = Progress(len(jobs), quiet=args.quiet)
    runner = _executor(args, settings)
    errors = 0
    try:
        for result in runner.run(jobs):
            candidate = by_student[result.student]
            store.record(student=result.student, entry=candidate.entry,
                         content_hash=candidate.content_hash, seed=seed,
                         grader_version=version, exercises=exercise_ids,
                         status=result.status, message=result.message, report=result.report,
                         duration_s=result.duration_s, notebook=candidate.submission.notebook)
            errors += result.status == GRADER_ERROR
            progress.advance(result.student, failed=result.status != GRADED)
    finally:
        runner.close()
        progress.close()
    counts = outputs.write_all(store, out, due=due)
    if not args.quiet:
        rows = [r for r in store.rows() if r.status == GRADED and r.max_score]
        mean = (sum(r.score or 0.0 for r in rows) / len(rows)) if rows else 0.0
        top = rows[0].max_score if rows else 0.0
        print(f"grade batch: {len(found.candidates) + len(found.invalid)} submissions "
              f"(seed {seed}, {_due_note(due)}): {len(jobs)} graded now, {resumed} already "
              f"graded, {counts.get(INVALID, 0)} invalid, {errors} grader errors, "
              f"{len(found.skipped)} entries skipped; mean {mean:.1f}/{top:g}; "
              f"{time.monotonic() - started:.1f} s; {out / outputs.GRADEBOOK}",
              file=sys.stderr)
    return OK


def _due_note(due: datetime | None) -> str:
    """The due date as the summary line states it."""
    from grader.detail import show_due

    return f"due {show_due(due)}" if due is not None else "no due date"


class Progress:
    """A rich progress bar on a terminal, a line every few seconds otherwise, or nothing."""

    def __init__(self, total: int, *, quiet: bool) -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self.quiet = quiet or total == 0
        self.started = self.last = time.monotonic()
        self.bar = None
        if not self.quiet and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[rate]}/s"),
                                TextColumn("failures {task.fields[failed]}"),
                                TimeRemainingColumn(), console=Console(stderr=True),
                                transient=True)
            self.task = self.bar.add_task("grading", total=total, failed=0, rate="-")
            self.bar.start()

    def advance(self, student: str, *, failed: bool) -> None:
        """Count one finished submission."""
        self.done += 1
        self.failed += failed
        if self.quiet:
            return
        now = time.monotonic()
        rate = self.done / max(now - self.started, 1e-9)
        if self.bar is not None:
            self.bar.update(self.task, advance=1, failed=self.failed, rate=f"{rate:.1f}")
        elif now - self.last >= PLAIN_EVERY or self.done == self.total:
            self.last = now
            left = (self.total - self.done) / rate if rate else 0.0
            print(f"grade batch: {self.done}/{self.total} graded, {self.failed} failures, "
                  f"{rate:.2f}/s, about {left:.0f} s left", file=sys.stderr, flush=True)

    def close(self) -> None:
        """Remove the bar."""
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
