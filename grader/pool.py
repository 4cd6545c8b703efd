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
import time
from collections.abc import Iterable
from dataclasses import dataclass

from grader.problems import GraderError

READY_TIMEOUT = 120.0
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

    def __init__(self, *, preload: Iterable[str], python: str = sys.executable) -> None:
        self.preload = sorted(set(preload))
        self.python = python
        self.process: subprocess.Popen | None = None
        self.control: socket.socket | None = None
        self.ready = False
        self.children: list[ChildProcess] = []
        self.start()

    def start(self) -> None:
        """Start the zygote without waiting for its imports."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        command = [self.python, "-I", "-m", "grader.worker.zygote",
                   "--control-fd", str(theirs.fileno()), "--preload", ",".join(self.preload),
                   "--parent", str(os.getpid())]
        try:
            self.process = subprocess.Popen(
                command, pass_fds=(theirs.fileno(),), env=WORKER_ENV, cwd="/",
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            raise GraderError(f"cannot start the worker: {exc}") from None
        finally:
            theirs.close()
        self.control = ours
        self.ready = False

    def _wait_ready(self) -> None:
        assert self.control is not None
        self.control.settimeout(READY_TIMEOUT)
        try:
            data = self.control.recv(65536)
        except (TimeoutError, OSError) as exc:
            raise GraderError(f"the worker did not start: {exc}") from None
        if not data or not json.loads(data).get("ready"):
            raise GraderError("the worker did not start (it exited while importing)")
        self.ready = True

    def spawn(self) -> ChildProcess:
        """Fork a fresh child from the zygote (restarting the zygote once if it died)."""
        for attempt in (1, 2):
            try:
                return self._spawn()
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
        self.children.append(child)
        return child

    def _stop_zygote(self) -> None:
        if self.control is not None:
            with contextlib.suppress(OSError):
                self.control.close()
            self.control = None
        if self.process is not None:
            try:
                self.process.wait(timeout=2.0)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

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


def wait_readable(sock: socket.socket, deadline: float) -> bool:
    """Wait until a socket has data or the deadline passes; True if it has data."""
    remaining = max(0.0, deadline - time.monotonic())
    readable, _, _ = select.select([sock], [], [], remaining)
    return bool(readable)
