"""Grade many submissions with few long-lived processes.

Every grading runs in a trusted process that keeps a :class:`BatchPool` for all its
submissions: preloaded zygotes and one pytest session that collected the suites once, so a
submission costs a fork per exercise and a run of the collected checks, never a new
interpreter or a new pytest. A session serves one grading at a time, so ``--jobs 1``
grades in the ``grade batch`` process itself (:class:`InlineExecutor`), ``--jobs N`` starts N
grading processes (``python -m grader.batch.worker``), each with its own pool
(:class:`ProcessExecutor`); the batch process only reads the submissions, writes the
database and shows progress.

A grader fault while grading one submission (an exception from the runner, an internal
error of the run, a grading process that died) becomes a ``grader_error`` result for that
submission; the grading process is restarted and the batch goes on.
"""

from __future__ import annotations

import contextlib
import gc
import json
import queue
import select
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from grader.submission import Source, Submission

#: jobs a grading process holds at once: the one it grades and the next, in its input
QUEUED = 2


@dataclass(frozen=True)
class Job:
    """One submission to grade."""

    student: str
    submission: Submission


@dataclass(frozen=True)
class Result:
    """What grading one submission gave."""

    student: str
    status: str                  # graded | grader_error
    report: dict | None
    message: str | None
    duration_s: float


@dataclass(frozen=True)
class Settings:
    """What every grading of the batch shares."""

    exercise_ids: tuple[str, ...]
    seed: int
    call_timeout: float | None = None
    options: dict[str, Any] | None = None


def settings_to_dict(settings: Settings) -> dict:
    """The JSON form of the batch's settings (sent to a grading process)."""
    return {"exercise_ids": list(settings.exercise_ids), "seed": settings.seed,
            "call_timeout": settings.call_timeout, "options": settings.options or {}}


def settings_from_dict(data: dict) -> Settings:
    """Rebuild the settings from :func:`settings_to_dict`."""
    return Settings(tuple(data["exercise_ids"]), int(data["seed"]), data.get("call_timeout"),
                    data.get("options") or {})


def submission_to_dict(sub: Submission) -> dict:
    """The JSON form of a loaded submission's sources (sent to a grading process).

    Each exercise's file name, text, problem and a notebook's notes (what was not run):
    everything grading reads, so a remote worker needs no access to the submission.
    """
    return {"name": sub.name, "sources": {k: [s.filename, s.text, s.problem, list(s.notes)]
                                          for k, s in sub.sources.items()}}


def submission_from_dict(data: dict) -> Submission:
    """Rebuild a submission from :func:`submission_to_dict`."""
    return Submission(data["name"], {k: Source(v[0], v[1], v[2], tuple(v[3]) if len(v) > 3 else ())
                                     for k, v in data["sources"].items()})


class BatchPool:
    """What a grading process keeps for the whole batch, so a submission costs little.

    - ``pools``: a zygote per group of exercises that preload the same libraries
      (:class:`grader.pool.PoolSet`: a child forks from the lightest parent that has what
      its exercise needs), all started at once and ready before the first submission;
    - ``session``: one pytest session that collected the suites once
      (:class:`grader.suites.Session`); it also remembers the reference's results for the
      batch's seed (:mod:`grader.memo`), since every submission meets the same cases.
    """

    def __init__(self, settings: Settings) -> None:
        from grader import catalog, runner
        from grader.pool import PoolSet

        self.pools = PoolSet(read_paths=runner.read_paths_for(settings.exercise_ids,
                                                              settings.options or {}))
        try:
            # every zygote of the batch boots now, while the session collects the suites,
            # not when the first submission first needs it
            for exercise_id in settings.exercise_ids:
                self.pools.for_exercise(catalog.get(exercise_id))
            self.session = runner.new_session(settings.exercise_ids)
            self.pools.sandbox()  # ready before the first submission: no check waits for one
        except BaseException:
            self.pools.close()
            raise

    def close(self) -> None:
        """End the session and stop every zygote."""
        try:
            self.session.close()
        finally:
            self.pools.close()


def new_pool(settings: Settings) -> BatchPool:
    """The pools and the pytest session a grading process keeps for the whole batch."""
    return BatchPool(settings)


def grading_limit(settings: Settings) -> float:
    """Seconds a grading process may take for one submission before it is killed.

    Far above what the worker's own limits allow (every exercise's budget and call time
    limit, twice, plus a minute): only a fault of the trusted side can reach it.
    """
    from grader import catalog

    total = 0.0
    for exercise_id in settings.exercise_ids:
        exercise = catalog.get(exercise_id)
        total += exercise.budget + max(exercise.call_timeout, settings.call_timeout or 0.0)
    return 2 * total + 60.0


def grade_one(pool: BatchPool, sub: Submission, settings: Settings
              ) -> tuple[str, dict | None, str | None]:
    """Grade one submission with a process's pools and session: ``(status, report, message)``."""
    from grader import runner

    try:
        outcomes = runner.grade(sub, exercise_ids=list(settings.exercise_ids),
                                seed=settings.seed, call_timeout=settings.call_timeout,
                                pool=pool.pools, session=pool.session,
                                options=dict(settings.options or {}), reuse_children=True)
    except Exception as exc:  # noqa: BLE001 - one submission's grader fault is recorded
        return "grader_error", None, f"{type(exc).__name__}: {exc}"
    report = outcomes.report.to_dict()
    if outcomes.internal_errors:
        return "grader_error", report, "; ".join(outcomes.internal_errors)
    return "graded", report, None


def settle() -> None:
    """After a process's first grading: move what it imported out of the collector's way.

    The hidden suites, pytest, NumPy and torch leave a large heap that every full garbage
    collection scans again (pytest itself collects twice per run); frozen once, after the
    first grading has imported everything, the later gradings' own garbage is still
    collected but the heap is not rescanned (about 0.3 s less per submission of 13
    exercises on the 2-core machine).
    """
    gc.collect()
    gc.freeze()


class InlineExecutor:
    """Grade in this process, one submission after another (``--jobs 1``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pool = None
        self.settled = False

    def run(self, jobs: Sequence[Job]) -> Iterator[Result]:
        """Yield each job's result as it is done."""
        for job in jobs:
            if self.pool is None:
                try:
                    self.pool = new_pool(self.settings)
                except Exception as exc:  # noqa: BLE001
                    yield Result(job.student, "grader_error", None,
                                 f"cannot start the worker: {exc}", 0.0)
                    continue
            started = time.monotonic()
            status, report, message = grade_one(self.pool, job.submission, self.settings)
            if not self.settled:
                settle()
                self.settled = True
            yield Result(job.student, status, report, message, time.monotonic() - started)

    def close(self) -> None:
        """Stop the pool."""
        if self.pool is not None:
            self.pool.close()
            self.pool = None


def worker_command(settings: Settings) -> list[str]:
    """The command line of one grading process (:mod:`grader.batch.worker`)."""
    # -I: the current folder (perhaps the submissions' own) is not on sys.path
    return [sys.executable, "-I", "-m", "grader.batch.worker", "--settings",
            json.dumps(settings_to_dict(settings))]


class _Process:
    """One grading process and its pipes."""

    def __init__(self, settings: Settings) -> None:
        self.process = subprocess.Popen(worker_command(settings), stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True,
                                        encoding="utf-8", bufsize=1)
        self.limit = grading_limit(settings)

    def send(self, job: Job) -> None:
        """Queue a job in the process's input (it reads the next when the last is answered)."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(submission_to_dict(job.submission)) + "\n")
        self.process.stdin.flush()

    def receive(self) -> tuple[str, dict | None, str | None, float | None]:
        """The answer to the oldest job sent: status, report, message and its own time."""
        assert self.process.stdout is not None
        try:
            ready, _, _ = select.select([self.process.stdout], [], [], self.limit)
            if not ready:
                self.process.kill()
                raise RuntimeError(f"the grading process gave no result in {self.limit:.0f} s "
                                   "(killed)")
            line = self.process.stdout.readline()
        except OSError:
            line = ""
        if not line:
            code = self.process.wait()
            raise RuntimeError(f"the grading process exited with code {code}")
        answer = json.loads(line)
        own = answer.get("duration_s")
        return (answer["status"], answer.get("report"), answer.get("message"),
                float(own) if isinstance(own, (int, float)) else None)

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            assert self.process.stdin is not None
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class ProcessExecutor:
    """Grade in N long-lived grading processes, each with its own pool (``--jobs N``)."""

    def __init__(self, settings: Settings, jobs: int) -> None:
        self.settings = settings
        self.jobs = jobs
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def _serve(self, todo: queue.Queue, done: queue.Queue) -> None:
        # the thread that starts a grading process outlives it: the process is asked to
        # die with its parent thread (PR_SET_PDEATHSIG), so it dies with the batch
        process: _Process | None = None
        sent: deque[Job] = deque()  # in the process's input, oldest first (being graded)
        unstarted: Exception | None = None  # why the last process could not be started
        try:
            while True:
                # keep the next job waiting in the process's input, so that it never idles
                # while this thread reads an answer and the batch stores it
                while len(sent) < QUEUED and not self.stop.is_set():
                    try:
                        job = todo.get_nowait()
                    except queue.Empty:
                        break
                    sent.append(job)
                    try:
                        if process is None:
                            process = _Process(self.settings)
                        process.send(job)
                    except Exception as exc:  # noqa: BLE001 - receive() names how it died
                        unstarted = None if process is not None else exc
                        break
                if not sent:
                    return
                job = sent.popleft()
                started = time.monotonic()
                own = None  # the grading's own time, without starting its process
                try:
                    if process is None:
                        raise RuntimeError(f"cannot start a grading process: {unstarted}")
                    status, report, message, own = process.receive()
                except Exception as exc:  # noqa: BLE001 - a died grading process
                    if process is not None:
                        process.close()
                        process = None
                    status, report, message = "grader_error", None, f"{exc}"
                    # the jobs queued behind it were never graded: a new process takes them
                    while sent:
                        todo.put(sent.pop())
                done.put(Result(job.student, status, report, message,
                                time.monotonic() - started if own is None else own))
        finally:
            if process is not None:
                process.close()
            done.put(None)

    def run(self, jobs: Sequence[Job]) -> Iterator[Result]:
        """Yield each job's result as it is done (in the order they finish)."""
        todo: queue.Queue = queue.Queue()
        for job in jobs:
            todo.put(job)
        done: queue.Queue = queue.Queue()
        count = min(self.jobs, len(jobs))
        self.threads = [threading.Thread(target=self._serve, args=(todo, done), daemon=True)
                        for _ in range(count)]
        for thread in self.threads:
            thread.start()
        running = count
        while running:
            result = done.get()
            if result is None:
                running -= 1
            else:
                yield result

    def close(self) -> None:
        """Let the grading processes finish their submission and stop."""
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def executor(settings: Settings, jobs: int) -> InlineExecutor | ProcessExecutor:
    """The executor for ``--jobs``."""
    return InlineExecutor(settings) if jobs <= 1 else ProcessExecutor(settings, jobs)
