"""Confine a freshly forked child before it runs any student code.

The zygote decides once what this machine offers (:func:`detect`, a :class:`Plan`); every
child then applies the layers in a fixed order (:func:`confine`):

1. its own session and process group, death with its parent;
2. every inherited descriptor closed but its channel; stdin/stdout/stderr to /dev/null
   (the child captures ``print`` in capped buffers itself);
3. resource limits: address space, file size, open files, no core dumps, CPU time, and
   the number of processes of the sandbox user;
4. an empty network namespace (as root);
5. Landlock: read-only the Python installation and system libraries minus the hidden
   suites and the reference; read-write only the child's private folder; no TCP; no
   signals or abstract sockets outside its domain;
6. a seccomp filter: no new processes (threads only), no exec, no ptrace, no
   unshare/setns/mount, no sockets other than Unix ones;
7. as root, the drop to an unprivileged user of its own (when the Python installation is
   readable by such a user).

What a layer could not do is reported, so the grader states the sandbox level.
"""

from __future__ import annotations

import ctypes
import errno
import os
import resource
import signal
import socket
import stat
import sys
from dataclasses import asdict, dataclass

from grader.worker import landlock

PR_SET_PDEATHSIG = 1
CLONE_NEWNET = 0x40000000
CLONE_THREAD = 0x00010000
SYSTEM_READ = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc",
               "/sys/devices/system/cpu", "/proc/cpuinfo")
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
DENIED_SYSCALLS = (
    "fork", "vfork", "execve", "execveat", "ptrace", "process_vm_readv", "process_vm_writev",
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "bpf", "perf_event_open",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "keyctl",
    "add_key", "request_key", "userfaultfd", "open_by_handle_at", "name_to_handle_at",
    "pidfd_getfd", "io_uring_setup", "fanotify_init", "acct", "swapon", "swapoff", "reboot",
    "sethostname", "setdomainname", "syslog",
)
LAYERS = ("rlimits", "network", "landlock", "seccomp", "uid")

_libc = ctypes.CDLL(None, use_errno=True)


@dataclass(frozen=True)
class Limits:
    """Resource limits for one child, in plain units."""

    memory_mib: int = 3072
    file_mib: int = 64
    open_files: int = 256
    cpu_seconds: int = 900        # the hard limit of a child's whole life
    processes: int = 256          # tasks (threads included) of the sandbox user

    @classmethod
    def from_dict(cls, data: dict) -> Limits:
        """Build limits from the load message, ignoring unknown keys."""
        known = {k: int(v) for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class Plan:
    """What every child applies, decided once by the zygote."""

    landlock_abi: int = 0
    seccomp: bool = False
    netns: bool = False
    uid: int | None = None
    read_paths: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    base: str = ""                 # the folder holding each child's private folder

    def to_dict(self) -> dict:
        """Return the plan as plain data."""
        return asdict(self)

    @property
    def level(self) -> str:
        """``full`` when every layer this machine needs is in place."""
        return "partial" if self.missing else "full"


# -- deciding -------------------------------------------------------------------------
def _readable_by_others(path: str) -> bool:
    """True when an unprivileged user (no group) can reach and read ``path``."""
    current = os.path.realpath(path)
    try:
        mode = os.stat(current).st_mode
    except OSError:
        return False
    if not mode & stat.S_IROTH:
        return False
    while True:
        try:
            if not os.stat(current).st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
        parent = os.path.dirname(current)
        if parent == current:
            return True
        current = parent


def secret_paths() -> list[str]:
    """The hidden suites and the reference: never readable from a child."""
    import importlib.util

    secrets = [os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                            "hidden")]
    spec = importlib.util.find_spec("reference")
    if spec is not None and spec.submodule_search_locations:
        secrets.extend(os.path.realpath(p) for p in spec.submodule_search_locations)
    return [os.path.realpath(p) for p in secrets]


def readable_roots() -> list[str]:
    """Folders a child may read: the system, the Python installation, the grader's worker."""
    import grader

    roots = list(SYSTEM_READ) + [sys.base_prefix, sys.prefix]
    roots += [p for p in sys.path if p and os.path.isdir(p)]
    roots.append(os.path.dirname(os.path.abspath(grader.__file__)))
    mpl = os.environ.get("MPLCONFIGDIR")
    if mpl:
        roots.append(mpl)
    return sorted({os.path.realpath(r) for r in roots if os.path.exists(r)})


def expand_without(roots: list[str], secrets: list[str]) -> list[str]:
    """Return paths covering ``roots`` except the secret ones (splitting folders as needed).

    Every path is resolved first: Landlock follows links when a rule is made, so a link to
    a folder holding a secret (a venv's ``lib64 -> lib``) must be split like the folder.
    """
    out: set[str] = set()
    seen: set[str] = set()

    def visit(path: str) -> None:
        path = os.path.realpath(path)
        if path in seen or path in secrets:
            return
        seen.add(path)
        if not any(s.startswith(path.rstrip(os.sep) + os.sep) for s in secrets):
            out.add(path)
            return
        try:
            entries = os.listdir(path)
        except OSError:
            return
        for entry in entries:
            visit(os.path.join(path, entry))

    for root in roots:
        visit(root)
    return sorted(out)


def _seccomp_available() -> bool:
    try:
        import pyseccomp

        pyseccomp.SyscallFilter(defaction=pyseccomp.ALLOW)
        return True
    except Exception:  # noqa: BLE001 - no binding, or no libseccomp behind it
        return False


def detect(base: str, extra_read: list[str] | None = None) -> Plan:
    """Decide which layers this machine offers; name what is missing and why."""
    missing = []
    abi = landlock.abi_version()
    if abi == 0:
        missing.append("landlock (the kernel has no Landlock)")
    elif abi < 6:
        missing.append(f"landlock network and signal rules (kernel ABI {abi} < 6)")
    seccomp = _seccomp_available()
    if not seccomp:
        missing.append("seccomp (pyseccomp/libseccomp not available)")
    uid = None
    netns = False
    if os.geteuid() == 0:
        netns = True
        unreadable = [p for p in (sys.executable, os.path.join(sys.base_prefix, "lib"))
                      if not _readable_by_others(p)]
        if unreadable:
            missing.append(f"uid drop (the Python installation at {unreadable[0]} is not "
                           "readable by an unprivileged user)")
        else:
            uid = 200_000 + os.getpid() % 100_000 * 10 + 7
    roots = readable_roots() + [os.path.realpath(p) for p in extra_read or [] if os.path.exists(p)]
    read_paths = expand_without(roots, secret_paths()) if abi else []
    return Plan(abi, seccomp, netns, uid, tuple(read_paths), tuple(missing), base)


# -- applying -------------------------------------------------------------------------
def die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent exits."""
    try:
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def isolate_descriptors(keep: int) -> None:
    """Close every inherited descriptor but ``keep``; stdin/stdout/stderr go to /dev/null."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        if fd != devnull:
            os.dup2(devnull, fd)
    low, high = sorted((keep, devnull))
    os.closerange(3, low)
    os.closerange(low + 1, high)
    os.closerange(high + 1, 1 << 16)
    if devnull > 2 and devnull != keep:
        os.close(devnull)


def apply_limits(limits: Limits, *, own_user: bool) -> list[str]:
    """Set resource limits; return the names of those the kernel refused."""
    mib = 1 << 20
    wanted = {
        "RLIMIT_CORE": (0, 0),
        "RLIMIT_AS": (limits.memory_mib * mib,) * 2,
        "RLIMIT_FSIZE": (limits.file_mib * mib,) * 2,
        "RLIMIT_NOFILE": (limits.open_files,) * 2,
        "RLIMIT_CPU": (limits.cpu_seconds, limits.cpu_seconds + 5),
    }
    if own_user:  # counts every task of the user: meaningful only for a user of our own
        wanted["RLIMIT_NPROC"] = (limits.processes,) * 2
    refused = []
    for name, (soft, hard) in wanted.items():
        which = getattr(resource, name)
        try:
            _, current = resource.getrlimit(which)
            if current != resource.RLIM_INFINITY:
                soft, hard = min(soft, current), min(hard, current)
            resource.setrlimit(which, (soft, hard))
        except (ValueError, OSError):
            refused.append(name)
    return refused


def cpu_budget(seconds: float) -> None:
    """Allow this much more CPU time from now (SIGXCPU after it, SIGKILL at the hard limit)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(used + seconds) + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    try:
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    except (ValueError, OSError):
        pass


def _landlock(plan: Plan, folder: str) -> None:
    ruleset = landlock.Ruleset(plan.landlock_abi)
    ruleset.allow(plan.read_paths, landlock.READ)
    ruleset.allow(DEVICES, landlock.READ_WRITE_DEVICE)
    ruleset.allow([f"/proc/{os.getpid()}"], landlock.READ_FILE | landlock.READ_DIR)
    ruleset.allow([folder], ruleset.fs)
    ruleset.restrict_self()


def _seccomp() -> None:
    import pyseccomp as sc

    deny = sc.ERRNO(errno.EPERM)
    rules = sc.SyscallFilter(defaction=sc.ALLOW)
    for name in DENIED_SYSCALLS:
        try:
            rules.add_rule(deny, name)
        except Exception:  # noqa: BLE001 - a system call this architecture does not have
            continue
    rules.add_rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))  # processes
    rules.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")  # glibc falls back to clone for threads
    rules.add_rule(deny, "socket", sc.Arg(0, sc.NE, socket.AF_UNIX))
    rules.add_rule(deny, "socketpair", sc.Arg(0, sc.NE, socket.AF_UNIX))
    rules.load()


def _drop_user(uid: int, folder: str) -> None:
    os.chown(folder, uid, uid)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def private_folder(plan: Plan) -> str:
    """Create this child's private folder (the only place it may write)."""
    folder = os.path.join(plan.base, f"child-{os.getpid()}")
    os.mkdir(folder, 0o700)
    return folder


def confine(channel_fd: int, plan: Plan, limits: Limits, folder: str) -> dict:
    """Apply every layer of the plan, in order; return ``{"failed": {layer: why}}``."""
    os.setsid()  # its own session and process group: the grader kills the whole group
    die_with_parent()
    isolate_descriptors(channel_fd)
    failed: dict[str, str] = {}
    refused = apply_limits(limits, own_user=plan.uid is not None)
    if refused:
        failed["rlimits"] = "refused: " + ", ".join(refused)
    steps = []
    if plan.netns:
        steps.append(("network", lambda: _check(_libc.unshare(CLONE_NEWNET), "unshare")))
    if plan.landlock_abi:
        steps.append(("landlock", lambda: _landlock(plan, folder)))
    if plan.seccomp:
        steps.append(("seccomp", _seccomp))
    if plan.uid is not None:
        steps.append(("uid", lambda: _drop_user(plan.uid, folder)))
    for name, step in steps:
        try:
            step()
        except Exception as exc:  # noqa: BLE001 - reported, and fatal when full is required
            failed[name] = f"{type(exc).__name__}: {exc}"
    die_with_parent()  # a change of credentials clears the parent-death signal
    os.environ.update(HOME=folder, TMPDIR=folder)
    import tempfile

    tempfile.tempdir = folder
    return {"failed": failed}


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


__all__ = ["LAYERS", "Limits", "Plan", "confine", "cpu_budget", "detect"]
