"""The preloaded parent: imports the heavy libraries once and forks a child per request.

It is started by the trusted grader as ``python -I -m grader.worker.zygote``, with a
``SOCK_SEQPACKET`` control socket on ``--control-fd``. Each request is a small JSON
message carrying one descriptor (the child's channel, made by the grader); the zygote
forks, the child serves on that descriptor, the zygote answers with the child's pid.
When the control socket closes, the zygote kills its children and exits.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import socket
import sys

from grader.worker import sandbox

MAX_REQUEST = 65536


def preload(modules: list[str]) -> list[str]:
    """Import the modules children will need; return those that failed."""
    failed = []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a missing optional library only slows children
            failed.append(name)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)
    if "matplotlib" in sys.modules:
        sys.modules["matplotlib"].use("Agg")
    return failed


def serve(control: socket.socket) -> None:
    """Answer spawn requests until the grader closes the control socket."""
    children: set[int] = set()
    try:
        while True:
            try:
                data, fds, _, _ = socket.recv_fds(control, MAX_REQUEST, 1)
            except OSError:
                break
            if not data:
                break
            request = json.loads(data)
            if request.get("op") != "spawn" or len(fds) != 1:
                for fd in fds:
                    os.close(fd)
                control.send(json.dumps({"error": "bad request"}).encode())
                continue
            pid = os.fork()
            if pid == 0:
                control.close()
                from grader.worker import child

                child.main(fds[0])  # never returns
            os.close(fds[0])
            children.add(pid)
            control.send(json.dumps({"pid": pid}).encode())
    finally:
        for pid in children:
            for kill in (os.killpg, os.kill):
                try:
                    kill(pid, signal.SIGKILL)
                except OSError:
                    pass


def main(argv: list[str] | None = None) -> None:
    """Preload, report readiness, serve."""
    parser = argparse.ArgumentParser(prog="grader.worker.zygote")
    parser.add_argument("--control-fd", type=int, required=True)
    parser.add_argument("--preload", default="numpy")
    parser.add_argument("--parent", type=int, default=0)
    args = parser.parse_args(argv)
    sandbox.die_with_parent()
    if args.parent and os.getppid() != args.parent:
        os._exit(1)  # the grader is already gone
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    control = socket.socket(fileno=args.control_fd)
    failed = preload([m for m in args.preload.split(",") if m])
    control.send(json.dumps({"ready": True, "failed": failed}).encode())
    serve(control)
    os._exit(0)


if __name__ == "__main__":
    main()
