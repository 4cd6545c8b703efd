"""A minimal binding of Linux Landlock (file system, TCP and scope rules) over ctypes.

The ``landlock`` package on PyPI covers file-system rules only (ABI 1-3); the worker also
needs the TCP rules of ABI 4 and the signal/abstract-socket scoping of ABI 6, hence these
three system calls. See Documentation/userspace-api/landlock.rst in the kernel tree.
"""

from __future__ import annotations

import ctypes
import os
import stat
from collections.abc import Iterable

SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH, RULE_NET_PORT = 1, 2
PR_SET_NO_NEW_PRIVS = 38

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
READ = EXECUTE | READ_FILE | READ_DIR
READ_WRITE_DEVICE = READ_FILE | WRITE_FILE | IOCTL_DEV


class LandlockError(OSError):
    """A Landlock system call failed."""


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64),
                ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _check(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise LandlockError(err, f"{what}: {os.strerror(err)}")
    return result


def abi_version() -> int:
    """Return the kernel's Landlock ABI version, 0 when Landlock is unavailable."""
    result = _libc.syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0),
                           ctypes.c_uint32(CREATE_RULESET_VERSION))
    return max(0, int(result))


def fs_rights(abi: int) -> int:
    """Every file-system right the given ABI knows."""
    return FS_BY_ABI[max(k for k in FS_BY_ABI if k <= abi)]


class Ruleset:
    """Deny everything the ABI can express, then allow what is added; apply to this thread."""

    def __init__(self, abi: int) -> None:
        if abi < 1:
            raise LandlockError(0, "Landlock is not available")
        self.abi = abi
        self.fs = fs_rights(abi)
        attr = _RulesetAttr(self.fs, NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0,
                            SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0)
        size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
        self.fd = _check(_libc.syscall(SYS_CREATE_RULESET, ctypes.byref(attr),
                                       ctypes.c_size_t(size), ctypes.c_uint32(0)),
                         "landlock_create_ruleset")

    def allow(self, paths: Iterable[str], rights: int) -> None:
        """Allow ``rights`` beneath each existing path (file rights only on files)."""
        for path in paths:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue  # a path that does not exist needs no rule
            try:
                granted = rights & self.fs
                if not stat.S_ISDIR(os.fstat(fd).st_mode):
                    granted &= FILE_RIGHTS
                attr = _PathBeneathAttr(granted, fd)
                _check(_libc.syscall(SYS_ADD_RULE, ctypes.c_int(self.fd),
                                     ctypes.c_int(RULE_PATH_BENEATH), ctypes.byref(attr),
                                     ctypes.c_uint32(0)), f"landlock_add_rule({path})")
            finally:
                os.close(fd)

    def restrict_self(self) -> None:
        """Enforce the ruleset on the calling thread (and the threads it creates)."""
        _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
        try:
            _check(_libc.syscall(SYS_RESTRICT_SELF, ctypes.c_int(self.fd), ctypes.c_uint32(0)),
                   "landlock_restrict_self")
        finally:
            os.close(self.fd)
