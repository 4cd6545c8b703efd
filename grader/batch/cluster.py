"""Grade a batch on a dask.distributed cluster (``grade batch --executor dask``).

The client (the ``grade batch`` process on the instructor's machine) reads the submissions,
sends each one's files to the cluster as data (:func:`~grader.batch.executor.
submission_to_dict`: a worker on another machine cannot read the instructor's folder), and
records each result in the batch's SQLite database as it arrives, so a batch killed at any
moment resumes as with the local executor. A dask worker grades with the same pipeline as a
grading process of ``--jobs N`` (:func:`~grader.batch.executor.grade_one`): one preloaded,
sandboxed :class:`~grader.pool.WorkerPool` per worker process, kept for all the submissions
it grades and closed when the worker stops (:mod:`grader.batch.remote`). Gradings in one worker
process take turns (``pytest.main`` keeps global state), so workers are best started with
one thread each.

Without ``--scheduler`` a :class:`distributed.LocalCluster` of ``--jobs`` worker processes
is started (one thread each) and stopped at the end. A worker that dies is replaced and
its submission sent again by dask (up to ``distributed.scheduler.allowed-failures`` times);
what still fails is a ``grader_error`` of that submission, and the batch goes on.

The worker's grader must be the client's version and hold the hidden suites; a worker that
does not is refused when the batch starts, and a submission that reaches one anyway (a
worker that joined later) is a ``grader_error``. Dask's own channel between the client, the
scheduler and the workers carries pickles: run the scheduler on a network that only the
course's machines reach (or with dask's TLS), never on an open port.
"""

from __future__ import annotations

import contextlib
import logging
import re
import uuid
from collections.abc import Iterator, Sequence

import grader
from grader.batch.executor import Job, Result, Settings, settings_to_dict, submission_to_dict

#: Seconds to wait for a first worker to join the scheduler (how long to wait for the
#: scheduler itself is dask's ``distributed.comm.timeouts.connect``, 30 s by default).
WORKERS_TIMEOUT = 120.0


class ClusterError(Exception):
    """The cluster cannot grade this batch (unreachable, no workers, another grader)."""


def available() -> bool:
    """True when dask.distributed is installed (``pip install 'grade[dask]'``)."""
    import importlib.util

    return importlib.util.find_spec("distributed") is not None


class DaskExecutor:
    """Send the batch's submissions to a dask cluster; yield each result as it arrives."""

    def __init__(self, settings: Settings, jobs: int, scheduler: str | None = None, *,
                 quiet_logs: bool = True) -> None:
        self.settings = settings
        self.jobs = jobs
        self.scheduler = scheduler
        self.quiet_logs = quiet_logs
        self.client = None
        self.cluster = None
        self.pending: list = []

    def _connect(self) -> None:
        from distributed import Client, LocalCluster

        from grader.batch.remote import PLUGIN_NAME, PoolPlugin, worker_info

        if self.quiet_logs:  # no "event loop was unresponsive" among the progress lines
            logging.getLogger("distributed").setLevel(logging.ERROR)
        if self.scheduler:
            try:
                self.client = Client(self.scheduler)
            except (OSError, TimeoutError, ValueError) as exc:
                raise ClusterError(f"cannot reach the dask scheduler at {self.scheduler}: "
                                   f"{exc}") from None
        else:
            self.cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1,
                                        processes=True, dashboard_address=None,
                                        silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
        self.client.register_plugin(PoolPlugin(), name=PLUGIN_NAME)
        try:
            self.client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
        except TimeoutError:
            raise ClusterError(f"no dask worker joined the scheduler at {self.scheduler} in "
                               f"{WORKERS_TIMEOUT:.0f} s") from None
        try:
            found = self.client.run(worker_info)
        except Exception as exc:  # noqa: BLE001 - e.g. a worker without the grader
            raise ClusterError(f"the dask workers cannot run the grader: "
                               f"{type(exc).__name__}: {exc}") from None
        wrong = []
        for address, info in sorted(found.items()):
            if info["version"] != grader.__version__:
                wrong.append(f"{address} runs grader {info['version']}")
            elif not info["hidden"]:
                wrong.append(f"{address} has no hidden suites")
        if wrong:
            raise ClusterError(f"dask workers that cannot grade this batch (grader "
                               f"{grader.__version__}): {'; '.join(wrong)}")

    def run(self, jobs: Sequence[Job]) -> Iterator[Result]:
        """Yield each job's result in the order they finish."""
        if not jobs:
            return
        from distributed import as_completed

        from grader.batch.remote import grade_task

        if self.client is None:
            self._connect()
        assert self.client is not None
        settings = settings_to_dict(self.settings)
        by_future = {}
        for job in jobs:
            name = re.sub(r"[^A-Za-z0-9_.-]", "_", job.student)[:40]  # for the dashboard
            future = self.client.submit(grade_task, submission_to_dict(job.submission),
                                        settings, grader.__version__, pure=False,
                                        key=f"grade-{name}-{uuid.uuid4().hex}")
            by_future[future] = job
        self.pending = list(by_future)
        for future in as_completed(by_future):
            job = by_future.pop(future)
            try:
                answer = future.result()
            except Exception as exc:  # noqa: BLE001 - a worker that died too often, ...
                answer = {"status": "grader_error", "report": None, "duration_s": 0.0,
                          "message": f"the dask cluster could not grade it: "
                                     f"{type(exc).__name__}: {exc}"}
            future.release()
            yield Result(job.student, answer["status"], answer.get("report"),
                         answer.get("message"), float(answer.get("duration_s") or 0.0))

    def close(self) -> None:
        """Cancel what is left, disconnect, and stop the local cluster if one was started."""
        if self.client is not None:
            with contextlib.suppress(Exception):
                if self.pending:
                    self.client.cancel(self.pending)
            with contextlib.suppress(Exception):
                self.client.close()
            self.client = None
        self.pending = []
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close()
            self.cluster = None
