"""Trusted side of the worker: start the zygote, get sandboxed children from it, kill them.

The zygote is a fresh interpreter (``python -I``), not a fork of the grader, so nothing
the grader holds (reference values, hidden tests) is ever in a child's memory. It is
started first thing, so its imports overlap with pytest's collection.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass

from grader.problems import GraderError

READY_TIMEOUT = 120.0
KEEP_UID_ENV = "GRADE_SANDBOX_KEEP_UID"  # see grader.worker.sandbox.KEEP_UID_ENV
WORKER_ENV = {
    "PATH": os.defpath,
    "LC_ALL": "C.UTF-8",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MPLBACKEND": "Agg",
    "PYTHONDONTWRITEBYTECODE": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
}


def matplotlib_cache() -> str:
    """A folder for matplotlib's font cache, kept between runs (built once by the zygote)."""
    configured = os.environ.get("MPLCONFIGDIR")
    candidates = [configured] if configured else []
    cache_home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"),
                                                                   ".cache")
    candidates.append(os.path.join(cache_home, "grade", "matplotlib"))
    for folder in candidates:
        try:
            os.makedirs(folder, exist_ok=True)
            if os.access(folder, os.W_OK):
                return folder
        except OSError:
            continue
    return tempfile.mkdtemp(prefix="grade-mpl-")


class SandboxUnavailable(GraderError):
    """The sandbox level asked for (``--require-sandbox full``) is not available here."""


@dataclass(frozen=True)
class SandboxLevel:
    """What the zygote found: ``full`` or ``partial``, the missing layers, those that hold."""

    level: str
    missing: tuple[str, ...] = ()
    layers: tuple[str, ...] = ()


@dataclass
class ChildProcess:
    """One forked child: its pid, a pidfd to signal it safely, and its channel."""

    pid: int
    pidfd: int
    sock: socket.socket

    def alive(self) -> bool:
        """True while the child has not exited."""
        if self.pidfd < 0:
            return False
        readable, _, _ = select.select([self.pidfd], [], [], 0)
        return not readable

    def kill(self) -> None:
        """Kill the child and its whole process group; close the channel."""
        if self.pidfd >= 0:
            if self.alive():
                with contextlib.suppress(OSError):
                    os.killpg(self.pid, signal.SIGKILL)  # the group leader exists: no reuse
                with contextlib.suppress(OSError):
                    signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            os.close(self.pidfd)
            self.pidfd = -1
        with contextlib.suppress(OSError):
            self.sock.close()


class WorkerPool:
    """A zygote and the children it forked for one grading run."""

    def __init__(self, *, preload: Iterable[str], python: str = sys.executable,
                 require_full: bool = False, confine: bool = True,
                 read_paths: Iterable[str] = (), keep_uid: bool | None = None,
                 oracle: bool = False) -> None:
        self.preload = sorted(set(preload))
        # a socket to the SciPy oracle process the zygote forks after NumPy
        # (grader.worker.oracle); None when not asked for
        self.want_oracle = oracle
        self.oracle: socket.socket | None = None
        # as root, uid 0 without capabilities even where the uid drop works (tests)
        self.keep_uid = os.environ.get(KEEP_UID_ENV) == "1" if keep_uid is None else keep_uid
        self.python = python
        self.require_full = require_full
        self.confine = confine  # False only to measure the sandbox's cost
        self.read_paths = list(read_paths)
        self.process: subprocess.Popen | None = None
        self.control: socket.socket | None = None
        self.ready = False
        self._sandbox: SandboxLevel | None = None
        self.children: list[ChildProcess] = []
        self.start()

    def start(self) -> None:
        """Start the zygote without waiting for its imports."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        command = [self.python, "-I", "-m", "grader.worker.zygote",
                   "--control-fd", str(theirs.fileno()), "--preload", ",".join(self.preload),
                   "--parent", str(os.getpid())] + ([] if self.confine else ["--no-sandbox"])
        if self.keep_uid:
            command.append("--keep-uid")
        for path in self.read_paths:
            command += ["--read", path]
        passed = [theirs.fileno()]
        oracle_theirs = None
        if self.want_oracle:
            self.oracle, oracle_theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            command += ["--oracle-fd", str(oracle_theirs.fileno())]
            passed.append(oracle_theirs.fileno())
        from grader import suites

        if suites.sealed_folder() is not None:  # the opened bundle: secret like reference/
            command += ["--secret", str(suites.sealed_folder())]
        try:
            self.process = subprocess.Popen(
                command, pass_fds=passed, cwd="/",
                env={**WORKER_ENV, "MPLCONFIGDIR": matplotlib_cache()},
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True,  # signals to its group never reach the grader's
            )
        except OSError as exc:
            if self.oracle is not None:
                self.oracle.close()
                self.oracle = None
            raise GraderError(f"cannot start the worker: {exc}") from None
        finally:
            theirs.close()
            if oracle_theirs is not None:
                oracle_theirs.close()
        self.control = ours
        self.ready = False

    def _wait_ready(self) -> None:
        assert self.control is not None
        self.control.settimeout(READY_TIMEOUT)
        try:
            data = self.control.recv(65536)
        except (TimeoutError, OSError) as exc:
            raise GraderError(f"the worker did not start: {exc}") from None
        message = json.loads(data) if data else {}
        if not message.get("ready"):
            raise GraderError("the worker did not start (it exited while importing)")
        found = message.get("sandbox") or {}
        self._sandbox = SandboxLevel(str(found.get("level", "partial")),
                                     tuple(str(m) for m in found.get("missing", [])),
                                     tuple(str(m) for m in found.get("layers", [])))
        self.ready = True
        if self.require_full and self._sandbox.level != "full":
            raise SandboxUnavailable(
                "the full sandbox is not available here (missing: "
                + "; ".join(self._sandbox.missing) + "); refusing to grade "
                "(--require-sandbox full)")

    def sandbox(self) -> SandboxLevel:
        """Return the sandbox level of this machine (waits for the zygote if needed)."""
        if not self.ready:
            self._wait_ready()
        assert self._sandbox is not None
        return self._sandbox

    def spawn(self) -> ChildProcess:
        """Fork a fresh child from the zygote (restarting the zygote once if it died)."""
        for attempt in (1, 2):
            try:
                return self._spawn()
            except SandboxUnavailable:
                raise
            except (GraderError, OSError, ValueError):
                if attempt == 2:
                    raise
                self._stop_zygote()
                self.start()
        raise AssertionError("unreachable")

    def _spawn(self) -> ChildProcess:
        if not self.ready:
            self._wait_ready()
        assert self.control is not None
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            socket.send_fds(self.control, [b'{"op": "spawn"}'], [theirs.fileno()])
            self.control.settimeout(30.0)
            data = self.control.recv(65536)
        except (TimeoutError, OSError) as exc:
            ours.close()
            raise GraderError(f"the worker did not fork: {exc}") from None
        finally:
            theirs.close()
        if not data:
            ours.close()
            raise GraderError("the worker exited")
        pid = int(json.loads(data)["pid"])
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:
            pidfd = -1  # it died already; the channel will say so
        child = ChildProcess(pid, pidfd, ours)
        self.children = [c for c in self.children if c.pidfd >= 0]  # forget the killed
        self.children.append(child)
        return child

    def _stop_zygote(self) -> None:
        if self.oracle is not None:
            with contextlib.suppress(OSError):
                self.oracle.close()
            self.oracle = None
        if self.control is not None:
            with contextlib.suppress(OSError):
                self.control.close()
            self.control = None
        if self.process is not None:
            exited_within(self.process.pid, 2.0)  # woken by the exit, not by polling
            try:
                self.process.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def for_exercise(self, exercise) -> WorkerPool:
        """The pool for an exercise's child: this one (see :class:`PoolSet`)."""
        return self

    def close(self) -> None:
        """Kill every child and stop the zygote; leave no process behind."""
        for child in self.children:
            child.kill()
        self.children.clear()
        self._stop_zygote()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class PoolSet:
    """Worker pools by what they preload: each exercise's child forks from the lightest one.

    A fork costs in proportion to the parent's memory: from a zygote holding NumPy and SciPy
    (about 90 MB) it takes a third of the time it takes from one that also holds torch and
    matplotlib (300 MB). Batch grading forks a child per exercise per submission, so each
    group of exercises that preloads the same libraries gets a zygote of its own, started
    the first time one of them is graded. Used where a :class:`WorkerPool` is (``runner.grade``
    asks either for the pool of an exercise with :meth:`for_exercise`).
    """

    def __init__(self, *, require_full: bool = False, read_paths: Iterable[str] = (),
                 keep_uid: bool | None = None) -> None:
        self.require_full = require_full
        self.read_paths = list(read_paths)
        self.keep_uid = keep_uid
        self.pools: dict[frozenset[str], WorkerPool] = {}

    def for_exercise(self, exercise) -> WorkerPool:
        """The pool whose zygote preloads what this exercise needs (started when first asked)."""
        key = frozenset(exercise.preload)
        if key not in self.pools:
            self.pools[key] = WorkerPool(preload=key, require_full=self.require_full,
                                         read_paths=self.read_paths, keep_uid=self.keep_uid)
        return self.pools[key]

    def sandbox(self) -> SandboxLevel:
        """The sandbox level (every zygote confines its children with the same plan)."""
        if not self.pools:
            from grader import catalog

            self.for_exercise(catalog.EXERCISES[0])
        levels = [pool.sandbox() for pool in self.pools.values()]
        return min(levels, key=lambda level: level.level != "partial")

    def close(self) -> None:
        """Stop every zygote and its children."""
        for pool in self.pools.values():
            pool.close()
        self.pools.clear()

    def __enter__(self) -> PoolSet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def exited_within(pid: int, timeout: float) -> bool:
    """Wait until process ``pid`` (our child) exits or ``timeout`` passes; True if it exited.

    ``Popen.wait(timeout)`` polls with growing sleeps, which costs a grading a few
    milliseconds after the zygote is gone; a pidfd wakes the wait when it goes.
    """
    try:
        pidfd = os.pidfd_open(pid)
    except OSError:
        return True  # gone (or never started): Popen.wait settles it
    try:
        readable, _, _ = select.select([pidfd], [], [], timeout)
        return bool(readable)
    finally:
        os.close(pidfd)


def wait_readable(sock: socket.socket, deadline: float) -> bool:
    """Wait until a socket has data or the deadline passes; True if it has data."""
    remaining = max(0.0, deadline - time.monotonic())
    readable, _, _ = select.select([sock], [], [], remaining)
    return bool(readable)
