"""The preloaded parent: imports the heavy libraries once and forks a child per request.

It is started by the trusted grader as ``python -I -m grader.worker.zygote`` in a session
of its own, with a ``SOCK_SEQPACKET`` control socket on ``--control-fd``. At start it
decides the sandbox plan (what this machine offers, checked by confining a probe child)
and reports it. Each request is a small JSON message carrying one descriptor (the
child's channel, made by the grader); the zygote forks, the child confines itself and
serves on that descriptor, the zygote answers with the child's pid. When the control
socket closes, the zygote kills every process it started (and any orphan they left) and
removes the children's private folders.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import importlib
import json
import os
import select
import shutil
import signal
import socket
import sys
import tempfile
from dataclasses import replace

from grader.worker import sandbox

MAX_REQUEST = 65536
PR_SET_CHILD_SUBREAPER = 36


def preload(modules: list[str], *, finish: bool = True) -> list[str]:
    """Import (or build) what children will need; return what failed.

    ``fixture:NAME`` builds a fixture's default objects once, shared by every child.
    ``finish=False`` leaves out what follows the last library (more come later).
    """
    failed = []
    for name in modules:
        try:
            if name == "matplotlib":
                importlib.import_module("matplotlib").use("Agg")
                importlib.import_module("matplotlib.pyplot")
            elif name.startswith("fixture:"):
                importlib.import_module("grader.fixtures").prebuild(name.removeprefix("fixture:"))
            else:
                importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a missing optional library only slows children
            failed.append(name)
    if not finish:
        return failed
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        torch.set_num_threads(1)
        # detect the CPU's vector units now: a confined child cannot read /proc/cpuinfo and
        # would fall back to slower (and numerically different) kernels
        torch.backends.cpu.get_cpu_capability()
    importlib.import_module("grader.worker.figures")
    importlib.import_module("grader.worker.child")
    return failed


def probe(plan: sandbox.Plan) -> sandbox.Plan:
    """Confine a throw-away child with the plan; drop (and name) the layers that failed."""
    return finish_probe(plan, start_probe(plan))


def start_probe(plan: sandbox.Plan) -> tuple[int, int]:
    """Fork the child of :func:`probe`; it confines itself while the zygote preloads."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            folder = sandbox.private_folder(plan)
            result = sandbox.confine(write_end, plan, sandbox.Limits(), folder)
            os.write(write_end, json.dumps(result).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    return pid, read_end


def finish_probe(plan: sandbox.Plan, started: tuple[int, int]) -> sandbox.Plan:
    """The plan without the layers the probe of :func:`start_probe` saw fail."""
    pid, read_end = started
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    with contextlib.suppress(OSError):
        os.waitpid(pid, 0)
    shutil.rmtree(os.path.join(plan.base, f"child-{pid}"), ignore_errors=True)
    try:
        failed = json.loads(data)["failed"]
    except (ValueError, KeyError, TypeError):
        failed = {"probe": "the probe child did not report"}
    missing = list(plan.missing) + [f"{layer} (failed: {why})" for layer, why in failed.items()]
    if plan.caps and plan.uid is None and failed and not any(
            m.startswith("uid drop") for m in missing):  # uid 0 is safe only with every layer
        missing.append("uid drop (uid 0 is kept without capabilities, which needs every "
                       "other layer)")
    probed = replace(
        plan, missing=tuple(missing),
        landlock_abi=0 if "landlock" in failed else plan.landlock_abi,
        seccomp=plan.seccomp and "seccomp" not in failed,
        netns=plan.netns and "network" not in failed,
        caps=plan.caps and "capabilities" not in failed,
        uid=None if "uid" in failed else plan.uid,
    )
    return replace(probed, layers=sandbox.describe_layers(probed))


def start_oracle(fd: int, control: socket.socket) -> dict[int, int]:
    """Fork the SciPy oracle process on ``fd`` (:mod:`grader.worker.oracle`); its pidfd."""
    pid = os.fork()
    if pid == 0:
        try:
            control.close()
            sandbox.die_with_parent()
            from grader.worker import oracle

            oracle.main(fd)
        finally:
            os._exit(0)
    os.close(fd)
    try:
        return {pid: os.pidfd_open(pid)}
    except OSError:
        return {}


def serve(control: socket.socket, plan: sandbox.Plan,
          children: dict[int, int] | None = None) -> None:
    """Answer spawn requests until the grader closes the control socket."""
    children = {} if children is None else children  # pid -> pidfd: never a recycled pid
    try:
        while True:
            try:
                data, fds, _, _ = socket.recv_fds(control, MAX_REQUEST, 1)
            except OSError:
                break
            if not data:
                break
            if len(fds) != 1:
                for fd in fds:
                    os.close(fd)
                control.send(b'{"error": "bad request"}')
                continue
            pid = os.fork()
            if pid == 0:
                control.close()
                for pidfd in children.values():
                    os.close(pidfd)
                from grader.worker import child

                child.main(fds[0], plan)  # never returns
            os.close(fds[0])
            with contextlib.suppress(OSError):
                children[pid] = os.pidfd_open(pid)
            control.send(json.dumps({"pid": pid}).encode())
            _forget_exited(children, plan)  # after the answer: the grader need not wait
    finally:
        cleanup(children, plan)


def _exited(pidfd: int) -> bool:
    readable, _, _ = select.select([pidfd], [], [], 0)
    return bool(readable)


def _forget_exited(children: dict[int, int], plan: sandbox.Plan) -> None:
    """Close the pidfds of children that exited and remove their private folders."""
    for pid, pidfd in list(children.items()):
        if _exited(pidfd):
            os.close(pidfd)
            del children[pid]
            shutil.rmtree(os.path.join(plan.base, f"child-{pid}"), ignore_errors=True)


def cleanup(children: dict[int, int], plan: sandbox.Plan) -> None:
    """Kill every process the children started, orphans included; remove their folders."""
    for pid, pidfd in children.items():
        if not _exited(pidfd):  # the group leader is alive, so its group id is not reused
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        os.close(pidfd)
    if plan.uid is not None:  # everything running as the sandbox user is ours
        killer = os.fork()
        if killer == 0:
            try:
                os.setresuid(plan.uid, plan.uid, plan.uid)
                os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        with contextlib.suppress(OSError):
            os.waitpid(killer, 0)
    for pid in _adopted():  # orphans re-parented to us (we are their subreaper)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    shutil.rmtree(plan.base, ignore_errors=True)


def _adopted() -> list[int]:
    me = str(os.getpid())
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me:
            found.append(int(entry))
    return found


def main(argv: list[str] | None = None) -> None:
    """Preload, decide the sandbox, report readiness, serve."""
    parser = argparse.ArgumentParser(prog="grader.worker.zygote")
    parser.add_argument("--control-fd", type=int, required=True)
    parser.add_argument("--preload", default="numpy")
    parser.add_argument("--parent", type=int, default=0)
    parser.add_argument("--read", action="append", default=[],
                        help="a further folder children may read (e.g. a local model)")
    parser.add_argument("--keep-uid", action="store_true",
                        help="as root, keep uid 0 without capabilities even where the drop "
                             "to an unprivileged uid would work (to test that mode)")
    parser.add_argument("--secret", action="append", default=[], metavar="PATH",
                        help="a further folder no child may read (an opened sealed bundle)")
    parser.add_argument("--oracle-fd", type=int, default=-1,
                        help="serve SciPy to the grading process on this socket "
                             "(grader.worker.oracle)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="only for measuring the sandbox's cost (bench/isolation.py)")
    args = parser.parse_args(argv)
    sandbox.die_with_parent()
    if args.parent and os.getppid() != args.parent:
        os._exit(1)  # the grader is already gone
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    control = socket.socket(fileno=args.control_fd)
    modules = [m for m in args.preload.split(",") if m]
    # what the SciPy oracle process also needs comes first: it is forked then, and imports
    # SciPy itself (if the children do not need it) while the rest is preloaded here
    first = [m for m in ("numpy", "scipy.special") if m in modules]
    failed = preload(first, finish=False)
    oracle = start_oracle(args.oracle_fd, control) if args.oracle_fd >= 0 else None
    base = tempfile.mkdtemp(prefix="grade-worker-")
    os.chmod(base, 0o711)
    probing = None
    if args.no_sandbox:
        plan = sandbox.Plan(base=base, missing=("every layer (disabled for a benchmark)",))
    else:  # the probe confines itself on the other core while the rest is preloaded
        plan = sandbox.detect(base, extra_read=args.read, keep_uid=args.keep_uid,
                              extra_secret=args.secret)
        probing = start_probe(plan)
    failed += preload([m for m in modules if m not in first])
    # what a child imports from the grader itself, imported here before any confinement:
    # Landlock lets a child read the grader's folder only entry by entry (its hidden suites
    # are cut out), so an import that must list that folder again (after a file in it
    # changed, as in a checkout being edited) would find nothing there
    for name in ("grader.fixtures", "grader.worker.child", "grader.worker.figures"):
        importlib.import_module(name)
    if probing is not None:
        plan = finish_probe(plan, probing)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    control.send(json.dumps({"ready": True, "failed": failed,
                             "sandbox": {"level": plan.level,
                                         "missing": list(plan.missing),
                                         "layers": list(plan.layers)}}).encode())
    serve(control, plan, oracle)
    os._exit(0)


if __name__ == "__main__":
    main()
