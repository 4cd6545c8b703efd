"""The "uid 0 without capabilities" mode: as root, when the Python installation cannot be
read by an unprivileged user (a pyenv Python under /root), the child keeps uid 0 but holds
no capability, and Landlock, seccomp and the namespaces keep it off the grader.

``GRADE_SANDBOX_KEEP_UID=1`` selects that mode where the uid drop would work (here), so the
same promises are tested on any machine run as root; the attack corpus runs in that mode
with ``GRADE_SANDBOX_KEEP_UID=1 python -m pytest tests/test_attacks.py``.
"""

from __future__ import annotations

import os
import sys

import pytest

from grader import catalog
from grader.pool import KEEP_UID_ENV, WorkerPool
from grader.proxy import StudentModule
from grader.worker import sandbox
from tests.conftest import REFERENCE

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the mode exists only as root")

PROBE = (REFERENCE / "ex10.py").read_text() + '''
import errno, os, signal, socket


def _errno(action):
    try:
        action()
    except OSError as exc:
        return errno.errorcode.get(exc.errno, str(exc.errno))
    return "allowed"


def _read(path):
    with open(path, "rb") as handle:
        return handle.read(1)


def entropy(p, base=None):
    if p == "status":
        with open("/proc/self/status") as handle:
            fields = dict(line.split(":", 1) for line in handle if ":" in line)
        keys = ("Uid", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs",
                "Seccomp")
        return {k: fields[k].split()[0] for k in keys}
    pid, path = p
    here = os.path.join(os.environ["HOME"], "mine.txt")
    with open(here, "w") as handle:
        handle.write("x")
    return {
        "signal": _errno(lambda: os.kill(pid, signal.SIGWINCH)),
        "signal0": _errno(lambda: os.kill(pid, 0)),
        "environ": _errno(lambda: _read(f"/proc/{pid}/environ")),
        "mem": _errno(lambda: _read(f"/proc/{pid}/mem")),
        "reference": _errno(lambda: _read(path)),
        "unix_socket": _errno(lambda: socket.socket(socket.AF_UNIX)),
        "chown": _errno(lambda: os.chown(here, 1, 1)),
        "setuid": _errno(lambda: os.setuid(1)),
        "write_tmp": _errno(lambda: open("/tmp/grade-uid0-probe", "w").close()),
    }
'''


@pytest.fixture(scope="module")
def uid0_pool():
    with WorkerPool(preload=["numpy"], keep_uid=True) as pool:
        yield pool


def test_the_mode_is_reported_exactly_and_counts_as_full(uid0_pool):
    level = uid0_pool.sandbox()
    assert level.level == "full", level.missing
    assert level.missing == ()
    assert any(layer.startswith("uid 0 kept") for layer in level.layers), level.layers
    assert not any(layer.startswith("uid (drop") for layer in level.layers)
    assert any(layer.startswith("capabilities") for layer in level.layers)
    assert any("signals and abstract sockets scoped" in layer for layer in level.layers)


def test_the_child_is_uid_0_with_every_capability_set_empty(uid0_pool):
    mod = StudentModule(pool=uid0_pool, exercise=catalog.get("ex10"), files={"ex10.py": PROBE})
    try:
        status = mod.entropy("status")
    finally:
        mod.close()
    assert status["Uid"] == "0"
    for key in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        assert int(status[key], 16) == 0, (key, status)
    assert status["NoNewPrivs"] == "1" and status["Seccomp"] == "2"


def test_uid_0_cannot_touch_the_grader_or_read_the_reference(uid0_pool):
    mod = StudentModule(pool=uid0_pool, exercise=catalog.get("ex10"), files={"ex10.py": PROBE})
    try:
        found = mod.entropy([os.getpid(), str(REFERENCE / "ex10.py")])
    finally:
        mod.close()
    assert os.path.exists(REFERENCE / "ex10.py")
    assert found["signal"] == found["signal0"] == "EPERM", found
    for key in ("environ", "mem", "reference", "write_tmp"):
        assert found[key] == "EACCES", (key, found)
    assert found["unix_socket"] == "EPERM", found
    assert found["chown"] == "EPERM" and found["setuid"] == "EPERM", found
    assert not os.path.exists("/tmp/grade-uid0-probe")


def test_the_uid_drop_is_still_the_default_where_it_works(pool):
    if os.environ.get(KEEP_UID_ENV) == "1":
        pytest.skip(f"{KEEP_UID_ENV}=1 selects uid 0 for the whole run")
    level = pool.sandbox()
    assert level.level == "full"
    readable = all(sandbox._readable_by_others(p) for p in
                   (sys.executable, os.path.join(sys.base_prefix, "lib")))
    dropped = any(layer.startswith("uid (drop") for layer in level.layers)
    kept = any(layer.startswith("uid 0 kept") for layer in level.layers)
    assert (dropped, kept) == (readable, not readable), level.layers
