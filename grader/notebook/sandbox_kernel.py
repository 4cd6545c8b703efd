"""The Jupyter kernel of ``grade --execute``: an IPython kernel confined like a worker child.

The grader's kernel manager (:mod:`grader.notebook.execute`) starts this module as
``python -I -m grader.notebook.sandbox_kernel -f CONNECTION --folder FOLDER ...`` instead of
``ipykernel_launcher``. This process, the launcher, is trusted and runs no student code:

1. it decides the sandbox plan exactly as the zygote does (:func:`grader.worker.sandbox.detect`,
   then a probe child, :func:`grader.worker.zygote.probe`) and imports ipykernel;
2. it forks the kernel, which confines itself with :func:`grader.worker.sandbox.confine`
   (the same layers, in the same order, as a worker child: its own session, descriptors
   closed, rlimits, an empty network namespace, Landlock, seccomp, no capabilities, the
   unprivileged uid) and only then starts ipykernel's ``IPKernelApp`` in the same process:
   seccomp forbids ``execve``, so the kernel is never exec'd, and no student code runs
   before the last layer is in place;
3. it forwards the kernel manager's interrupt (``SIGINT``) to the kernel, waits for it, and
   writes why it ended (its exit code or signal) to ``status.json`` next to the folder.

The kernel talks ZeroMQ over ``ipc`` (Unix sockets in its private folder): Landlock forbids
TCP, seccomp every socket family but ``AF_UNIX``, and the empty network namespace has no
loopback. The kernel dies with the launcher (``PR_SET_PDEATHSIG``); the launcher is killed
by the kernel manager with its process group. Where the sandbox keeps uid 0 without
capabilities, seccomp forbids sockets altogether: the kernel cannot be reached, and the
launcher says so in ``status.json`` without starting it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
from typing import NoReturn

from grader.worker import sandbox

STATUS = "status.json"
#: every descriptor the kernel needs: ZeroMQ sockets and its threads' pipes, a few files
OPEN_FILES = 512


def write_status(folder: str, **fields) -> None:
    """Record the launcher's outcome in ``status.json`` beside the kernel's folder."""
    path = os.path.join(os.path.dirname(folder), STATUS)
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(fields, handle)
    os.replace(temporary, path)


def _kernel(fd: int, plan: sandbox.Plan, limits: sandbox.Limits, folder: str,
            connection: dict, require_full: bool) -> NoReturn:
    """The forked kernel: confine, report the confinement on ``fd``, serve. Never returns."""
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        confinement = sandbox.confine(fd, plan, limits, folder)
        failed = confinement["failed"]
        broken = {k: v for k, v in failed.items() if k != "rlimits"}
        refuse = bool(broken) or (bool(failed) and require_full)
        os.write(fd, (json.dumps({"failed": failed, "refused": refuse}) + "\n").encode())
        if refuse:
            os._exit(0)
        path = os.path.join(folder, "connection.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(connection, handle)
        os.chdir(folder)
        os.environ.pop("JPY_PARENT_PID", None)  # the launcher is the parent; PDEATHSIG is set
        from ipykernel import iostream
        from ipykernel.kernelapp import IPKernelApp

        # IOPub's "pipe" collects the output of forked subprocesses over TCP loopback: the
        # kernel can neither fork nor open a TCP socket (libzmq would abort), so it is off
        iostream.IOPubThread._setup_pipe_in = _no_subprocess_pipe

        app = IPKernelApp.instance()
        app.initialize(["-f", path, "--HistoryManager.enabled=False",
                        "--IPKernelApp.parent_handle=0"])
        app.start()
    except BaseException:  # noqa: BLE001 - the kernel never returns into the launcher's code
        os._exit(70)
    os._exit(0)


def _no_subprocess_pipe(thread) -> None:
    thread._pipe_flag = False


def _describe_exit(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ \
            else str(number)
        if number == signal.SIGXCPU:
            return f"it was stopped by {name}: its CPU time ran out"
        return f"it was killed by {name}"
    return f"it exited with code {os.WEXITSTATUS(status)}"


def _preload_matplotlib() -> None:
    """Read matplotlib's font cache and styles before confinement, as the zygote does.

    The confined kernel (another uid, Landlock) can neither reach the cache folder nor
    afford to rebuild the font list on its CPU budget; its pyplot then starts from what this
    process loaded. The backend is not chosen here: the kernel picks its inline one.
    """
    # what ipykernel would set at its start: matplotlib reads it once, when imported
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    with contextlib.suppress(Exception):  # no matplotlib: notebooks that plot fail there
        import matplotlib.font_manager  # noqa: F401
        import matplotlib.style  # noqa: F401 - reads the user's style folder once, here


def main(argv: list[str] | None = None) -> int:
    """Decide the sandbox, fork the confined kernel, wait for it."""
    parser = argparse.ArgumentParser(prog="grader.notebook.sandbox_kernel")
    parser.add_argument("-f", dest="connection_file", required=True)
    parser.add_argument("--folder", required=True,
                        help="the kernel's private folder (its sockets, its only writable place)")
    parser.add_argument("--cpu-seconds", type=int, default=900)
    parser.add_argument("--memory-mib", type=int, default=sandbox.Limits.memory_mib)
    parser.add_argument("--require-full", action="store_true")
    parser.add_argument("--keep-uid", action="store_true")
    parser.add_argument("--secret", action="append", default=[], metavar="PATH",
                        help="a further folder the kernel may not read (an opened bundle)")
    args = parser.parse_args(argv)
    sandbox.die_with_parent()
    folder = os.path.realpath(args.folder)
    with open(args.connection_file, encoding="utf-8") as handle:
        connection = json.load(handle)
    from grader.worker import zygote

    plan = zygote.probe(sandbox.detect(os.path.dirname(folder), keep_uid=args.keep_uid,
                                       extra_secret=args.secret))
    sandboxed = {"level": plan.level, "missing": list(plan.missing), "layers": list(plan.layers)}
    if plan.caps and plan.uid is None:
        write_status(folder, error="the sandbox keeps uid 0 without capabilities here, and in "
                     "that mode it forbids every socket, which a Jupyter kernel needs",
                     sandbox=sandboxed)
        return 1
    if args.require_full and plan.missing:
        write_status(folder, error="the full sandbox is not available here (missing: "
                     + "; ".join(plan.missing) + ")", sandbox=sandboxed)
        return 1
    try:
        import ipykernel.kernelapp  # noqa: F401 - imported before any confinement
    except ImportError as exc:
        write_status(folder, error=f"ipykernel is not installed ({exc})", sandbox=sandboxed)
        return 1
    _preload_matplotlib()
    limits = sandbox.Limits(memory_mib=args.memory_mib, open_files=OPEN_FILES,
                            cpu_seconds=max(1, args.cpu_seconds))
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _kernel(write_end, plan, limits, folder, connection, args.require_full)
    os.close(write_end)
    pidfd = os.pidfd_open(pid)

    def forward(signum: int, frame) -> None:
        with contextlib.suppress(OSError):
            signal.pidfd_send_signal(pidfd, signal.SIGINT if signum == signal.SIGINT
                                     else signal.SIGKILL)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    with os.fdopen(read_end, "rb") as pipe:
        line = pipe.readline(65536)
    try:
        confined = json.loads(line)
    except ValueError:
        confined = {"failed": {"kernel": "the kernel did not report its confinement"},
                    "refused": True}
    if confined.get("refused"):
        forward(signal.SIGTERM, None)
        failed = "; ".join(f"{k}: {v}" for k, v in dict(confined.get("failed") or {}).items())
        write_status(folder, error=f"the kernel's sandbox failed ({failed})", sandbox=sandboxed)
        os.waitpid(pid, 0)
        return 1
    write_status(folder, started=True, sandbox=sandboxed)
    _, status = os.waitpid(pid, 0)
    write_status(folder, started=True, sandbox=sandboxed, exit=_describe_exit(status))
    return 0


if __name__ == "__main__":
    sys.exit(main())
