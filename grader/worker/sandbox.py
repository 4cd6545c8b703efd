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
7. as root, every capability dropped (effective, permitted, inheritable, ambient and the
   bounding set; securebits locked so that no exec or uid change brings one back) and the
   drop to an unprivileged user of its own when the Python installation is readable by
   such a user. When it is not (a pyenv Python under a home folder of mode 700, the
   README's first command run as root), the child keeps uid 0 without any capability
   (``capabilities`` layer, ``uid 0 kept``) in an IPC namespace of its own, and may not
   create sockets at all (a uid-0 peer could be trusted by a root service's Unix socket).
   A uid 0 without capabilities is held off the grader by Landlock (no file outside its
   read list, no signal or ptrace outside its domain: ABI 6 or later) and seccomp (no
   ptrace, no process_vm_*, no new processes): the level is ``full`` only with all of them.

What a layer could not do is reported, so the grader states the sandbox level; the plan's
``layers`` name exactly what holds.
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
from dataclasses import asdict, dataclass, replace

from grader.worker import landlock

PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_SECUREBITS = 28
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
CAPABILITY_VERSION_3 = 0x20080522
SECBIT_NOROOT, SECBIT_NOROOT_LOCKED = 1 << 0, 1 << 1
SECBIT_NO_SETUID_FIXUP, SECBIT_NO_SETUID_FIXUP_LOCKED = 1 << 2, 1 << 3
SECBIT_KEEP_CAPS_LOCKED = 1 << 5
SECBIT_NO_CAP_AMBIENT_RAISE, SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED = 1 << 6, 1 << 7
CLONE_NEWNET = 0x40000000
CLONE_NEWIPC = 0x08000000
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
LAYERS = ("rlimits", "network", "landlock", "seccomp", "capabilities", "uid")
# "1" in the grader's environment: as root, keep uid 0 without capabilities even where the
# drop to another uid would work (to test that mode; the zygote gets --keep-uid)
KEEP_UID_ENV = "GRADE_SANDBOX_KEEP_UID"

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
    caps: bool = False             # as root: drop every capability (uid 0 kept if uid is None)
    read_paths: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    base: str = ""                 # the folder holding each child's private folder
    layers: tuple[str, ...] = ()   # what holds, in words (the report's sandbox.layers)

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
    from grader import suites  # the opened sealed bundle (the grading process's own view;

    sealed = suites.sealed_folder()  # a zygote is told it with --secret)
    if sealed is not None:
        secrets.append(str(sealed))
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


def detect(base: str, extra_read: list[str] | None = None, *, keep_uid: bool = False,
           extra_secret: list[str] | None = None) -> Plan:
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
    netns = caps = False
    if os.geteuid() == 0:
        netns = caps = True
        unreadable = [p for p in (sys.executable, os.path.join(sys.base_prefix, "lib"))
                      if not _readable_by_others(p)]
        if not unreadable and not keep_uid:
            uid = 200_000 + os.getpid() % 100_000 * 10 + 7
        elif abi < 6 or not seccomp:
            # uid 0 without capabilities is contained only by Landlock's scopes and seccomp
            why = (f"the Python installation at {unreadable[0]} is not readable by an "
                   "unprivileged user" if unreadable else f"{KEEP_UID_ENV}=1")
            missing.append(f"uid drop ({why}; uid 0 is kept without capabilities, which "
                           "needs Landlock ABI 6 and seccomp)")
    roots = readable_roots() + [os.path.realpath(p) for p in extra_read or [] if os.path.exists(p)]
    secrets = secret_paths() + [os.path.realpath(p) for p in extra_secret or []]
    read_paths = expand_without(roots, secrets) if abi else []
    plan = Plan(abi, seccomp, netns, uid, caps, tuple(read_paths), tuple(missing), base)
    return replace(plan, layers=describe_layers(plan))


def describe_layers(plan: Plan) -> tuple[str, ...]:
    """Name the layers a plan applies, in words (the limits are always applied)."""
    layers = ["rlimits"]
    if plan.netns:
        layers.append("network (empty network namespace)")
    if plan.landlock_abi:
        scoped = "; signals and abstract sockets scoped" if plan.landlock_abi >= 6 else ""
        layers.append(f"landlock (ABI {plan.landlock_abi}{scoped})")
    if plan.seccomp:
        layers.append("seccomp")
    if plan.caps:
        layers.append("capabilities (all dropped, bounding and ambient sets included)")
    if plan.uid is not None:
        layers.append(f"uid (drop to the unprivileged uid {plan.uid})")
    elif plan.caps:
        layers.append("uid 0 kept (no capabilities, own IPC namespace, no new sockets)")
    return tuple(layers)


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


def _seccomp(no_sockets: bool = False) -> None:
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
    if no_sockets:  # uid 0 kept: a root service's Unix socket would trust the peer's uid
        rules.add_rule(deny, "socket")
    else:
        rules.add_rule(deny, "socket", sc.Arg(0, sc.NE, socket.AF_UNIX))
    rules.add_rule(deny, "socketpair", sc.Arg(0, sc.NE, socket.AF_UNIX))
    rules.load()


def _drop_user(uid: int, folder: str) -> None:
    os.chown(folder, uid, uid)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)  # clears the effective and permitted capabilities
    _clear_capabilities()


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def _last_capability() -> int:
    try:
        with open("/proc/sys/kernel/cap_last_cap") as handle:
            return int(handle.read())
    except (OSError, ValueError):
        return 63  # the loop below stops at the first capability the kernel does not know


LAST_CAP = _last_capability()  # read when the zygote imports this, before any confinement


def drop_bounding_and_ambient(*, keep_uid: bool) -> None:
    """Lock the securebits, empty the bounding and ambient sets (needs CAP_SETPCAP).

    With ``keep_uid`` the securebits also stop the kernel from giving uid 0 capabilities
    again (on exec, or on a later change of uid); without it, the drop to another uid must
    still clear the capabilities, so ``NO_SETUID_FIXUP`` stays unset.
    """
    bits = (SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_KEEP_CAPS_LOCKED
            | SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED)
    if keep_uid:
        bits |= SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED
    _check(_libc.prctl(PR_SET_SECUREBITS, bits, 0, 0, 0), "prctl(SET_SECUREBITS)")
    _check(_libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "prctl(CAP_AMBIENT)")
    for cap in range(LAST_CAP + 1):
        if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            if ctypes.get_errno() == errno.EINVAL and cap > 0:
                break  # past the kernel's last capability
            _check(-1, f"prctl(CAPBSET_DROP, {cap})")


def _clear_capabilities() -> None:
    """Empty the effective, permitted and inheritable sets of this thread."""
    header = _CapHeader(CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")


def _drop_capabilities(keep_uid: bool) -> None:
    drop_bounding_and_ambient(keep_uid=keep_uid)
    if keep_uid:
        _clear_capabilities()


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
    if plan.netns:  # with uid 0 kept, SysV IPC of the machine's root processes too
        flags = CLONE_NEWNET | (CLONE_NEWIPC if plan.caps and plan.uid is None else 0)
        steps.append(("network", lambda: _check(_libc.unshare(flags), "unshare")))
    if plan.landlock_abi:
        steps.append(("landlock", lambda: _landlock(plan, folder)))
    if plan.seccomp:
        steps.append(("seccomp", lambda: _seccomp(no_sockets=plan.caps and plan.uid is None)))
    if plan.caps:
        steps.append(("capabilities", lambda: _drop_capabilities(keep_uid=plan.uid is None)))
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
