"""What runs on a dask worker for ``grade batch --executor dask`` (see :mod:`.cluster`).

:func:`grade_task` grades one submission sent as data, with the pipeline of a local grading
process: one preloaded, sandboxed pool per worker process (made on the first submission,
made again only when a batch needs other preloads) and :func:`~grader.batch.executor.
grade_one`. Gradings in one process take turns. :class:`PoolPlugin`, registered by the
client, stops the pool when the worker stops. Needs the optional extra ``grade[dask]``.
"""

from __future__ import annotations

import contextlib
import threading
import time

from distributed import WorkerPlugin, get_worker

import grader
from grader.batch.executor import (
    Settings,
    grade_one,
    new_pool,
    settings_from_dict,
    settle,
    submission_from_dict,
)

PLUGIN_NAME = "grade-pool"

_lock = threading.Lock()
_pool: tuple[tuple, object] | None = None  # (what the pool was made for, the BatchPool)
_settled = False


def _pool_for(settings: Settings):
    """The process's pools and pytest session (made again for other exercises or paths)."""
    from grader import runner

    global _pool
    key = (tuple(sorted(settings.exercise_ids)),
           tuple(runner.read_paths_for(settings.exercise_ids, settings.options or {})))
    if _pool is not None and _pool[0] != key:
        close_pool()
    if _pool is None:
        _pool = (key, new_pool(settings))
    return _pool[1]


def close_pool() -> None:
    """Stop this process's pool (its zygote and children), if it has one."""
    global _pool
    if _pool is not None:
        pool, _pool = _pool[1], None
        with contextlib.suppress(Exception):
            pool.close()


def worker_info() -> dict:
    """What a worker grades with: the grader's version and whether it has hidden suites."""
    from grader import suites

    return {"version": grader.__version__, "hidden": suites.hidden_available()}


def grade_task(submission: dict, settings: dict, version: str) -> dict:
    """Grade one submission on a dask worker; return plain data.

    ``{"status", "report", "message", "duration_s"}`` as :func:`grade_one` gives them (a
    grader fault is a ``grader_error`` answer, never an exception).
    """
    global _settled
    started = time.monotonic()
    info = worker_info()
    if info["version"] != version or not info["hidden"]:
        problem = (f"runs grader {info['version']}, the batch {version}"
                   if info["version"] != version else "has no hidden suites")
        return {"status": "grader_error", "report": None, "duration_s": 0.0,
                "message": f"the dask worker {_worker_name()} {problem}"}
    chosen = settings_from_dict(settings)
    with _lock:  # pytest.main keeps global state: one grading at a time per process
        try:
            pool = _pool_for(chosen)
        except Exception as exc:  # noqa: BLE001 - recorded as this submission's grader error
            return {"status": "grader_error", "report": None, "duration_s": 0.0,
                    "message": f"cannot start the worker: {exc}"}
        status, report, message = grade_one(pool, submission_from_dict(submission), chosen)
        if not _settled:
            settle()
            _settled = True
    return {"status": status, "report": report, "message": message,
            "duration_s": time.monotonic() - started}


def _worker_name() -> str:
    try:
        return str(get_worker().address)
    except ValueError:
        return "(not a dask worker)"


class PoolPlugin(WorkerPlugin):
    """Closes a worker process's pool when the worker stops."""

    name = PLUGIN_NAME

    def teardown(self, worker) -> None:
        """Stop the pool with the worker."""
        with _lock:
            close_pool()
