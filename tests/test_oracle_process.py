"""The SciPy oracle process: the same values as SciPy here, and SciPy never in a student's run.

A single student's ``grade exNN`` has the zygote fork :mod:`grader.worker.oracle`, and the
suites' SciPy calls (``grader.oracles.special``) are evaluated there, so the grading process
never imports SciPy. These tests hold that to the values SciPy gives in this process, bit for
bit, and check what happens when the oracle process is missing, broken or asked for more.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.special

from grader import catalog, codec, oracles, wire
from grader.pool import WorkerPool
from grader.worker.oracle import FUNCTIONS, NICE

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def oracle_pool():
    with WorkerPool(preload=["numpy"], oracle=True) as pool:
        yield pool


@pytest.fixture
def remote(oracle_pool):
    assert oracle_pool.oracle is not None
    oracles.connect(oracle_pool.oracle)
    yield oracle_pool.oracle
    oracles.connect(None)


def calls():
    """(name, args, kwargs) covering what the suites pass: arrays, scalars, lists, axes."""
    rng = np.random.default_rng(11)
    p, q = rng.dirichlet(np.ones(7)), rng.dirichlet(np.ones(7) * 0.3)
    edge = np.array([0.0, 1e-300, 0.5, 1.0, np.inf, -1.0, np.nan])
    logits = rng.normal(0, 30, size=(5, 9))
    for x in (p, edge, 0.25, 0.0, [0.1, 0.9], p.astype(np.float32)):
        yield "entr", (x,), {}
    for a, b in ((p, q), (edge, edge[::-1]), (0.5, 0.0), (p[:, None], q[None, :])):
        yield "rel_entr", (a, b), {}
        yield "xlogy", (a, b), {}
    yield "xlogy", (0.0, 0.0), {}
    for axis in (-1, 0, None):
        yield "softmax", (logits,), {"axis": axis}
        yield "log_softmax", (logits,), {"axis": axis}
        yield "logsumexp", (logits,), {"axis": axis}
    yield "logsumexp", (np.array([-np.inf, -np.inf]),), {}
    yield "softmax", (logits.astype(np.float32),), {"axis": 1}


def same(ours, theirs):
    assert type(ours) is type(theirs), (type(ours), type(theirs))
    if isinstance(theirs, np.ndarray | np.generic):
        assert ours.dtype == theirs.dtype and np.shape(ours) == np.shape(theirs)
    np.testing.assert_array_equal(ours, theirs)


def test_every_function_gives_what_scipy_gives_here(remote, monkeypatch):
    computed_here = []
    monkeypatch.setattr(oracles, "_local", lambda name: computed_here.append(name))
    for name, args, kwargs in calls():
        same(getattr(oracles.special, name)(*args, **kwargs),
             getattr(scipy.special, name)(*args, **kwargs))
    assert computed_here == []  # every value came from the oracle process
    assert oracles._remote is remote


def test_entropy_through_the_oracle_process_equals_the_local_one(remote):
    rng = np.random.default_rng(5)
    for _ in range(20):
        p, q = rng.dirichlet(np.ones(12)), rng.dirichlet(np.ones(12))
        remote_values = (oracles.entropy(p), oracles.entropy(p, q, base=2))
        oracles.connect(None)
        same(remote_values[0], oracles.entropy(p))
        same(remote_values[1], oracles.entropy(p, q, base=2))
        oracles.connect(remote)


def test_scipys_errors_are_raised_as_scipy_raises_them(remote):
    with pytest.raises(TypeError):
        oracles.special.xlogy(1.0, 2.0, 3.0, 4.0)
    with pytest.raises(np.exceptions.AxisError):
        oracles.special.softmax(np.ones(3), axis=4)
    assert oracles._remote is remote  # an error of SciPy's does not drop the oracle
    same(oracles.special.entr(0.5), scipy.special.entr(0.5))


def test_a_gone_oracle_process_falls_back_to_scipy_here():
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    theirs.close()
    oracles.connect(ours)
    try:
        same(oracles.special.rel_entr(0.3, 0.2), scipy.special.rel_entr(0.3, 0.2))
        assert oracles._remote is None  # not asked again
    finally:
        oracles.connect(None)
        ours.close()


def test_a_garbled_answer_falls_back_to_scipy_here():
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    theirs.sendall(b"\x00" * 7 + b"\xff" * 20)  # a frame header announcing too much
    oracles.connect(ours)
    try:
        same(oracles.special.entr(0.5), scipy.special.entr(0.5))
        assert oracles._remote is None
    finally:
        oracles.connect(None)
        ours.close()
        theirs.close()


def test_only_the_listed_functions_exist():
    with pytest.raises(AttributeError, match="FUNCTIONS"):
        oracles.special.gamma  # noqa: B018
    assert set(dir(oracles.special)) == FUNCTIONS


def test_the_oracle_process_refuses_other_functions(oracle_pool):
    tree, blobs = codec.encode(((1.0,), {}))
    wire.send(oracle_pool.oracle, {"fn": "gamma", "args": tree}, blobs)
    answer, _ = wire.recv(oracle_pool.oracle, limit=1 << 20, deadline=None)
    assert "not an oracle function" in answer["error"]


def _children_of(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry))
    return found


def test_the_oracle_process_ends_with_its_pool():
    pool = WorkerPool(preload=["numpy"], oracle=True)
    zygote = pool.process.pid
    oracles.connect(pool.oracle)
    try:
        same(oracles.special.entr(0.25), scipy.special.entr(0.25))  # it is running
        assert len(_children_of(zygote)) == 1  # the oracle process, no child yet
        oracle_pid = next(iter(_children_of(zygote)))
    finally:
        oracles.connect(None)
        pool.close()
    status = Path(f"/proc/{oracle_pid}/stat")
    assert not status.exists() or status.read_text().rsplit(")", 1)[1].split()[0] == "Z"


def test_the_oracle_process_yields_the_cpu_to_the_zygote():
    """SciPy's import runs in the time the zygote and the grading process leave free."""
    pool = WorkerPool(preload=["numpy"], oracle=True)
    oracles.connect(pool.oracle)
    try:
        same(oracles.special.entr(0.25), scipy.special.entr(0.25))
        oracle_pid = next(iter(_children_of(pool.process.pid)))
        zygote_nice = os.getpriority(os.PRIO_PROCESS, pool.process.pid)
        oracle_nice = os.getpriority(os.PRIO_PROCESS, oracle_pid)
    finally:
        oracles.connect(None)
        pool.close()
    assert zygote_nice == os.getpriority(os.PRIO_PROCESS, 0)  # the zygote is not slowed
    assert oracle_nice == min(19, zygote_nice + NICE)


def test_without_asking_no_oracle_process_is_started():
    with WorkerPool(preload=["numpy"]) as pool:
        pool.sandbox()
        assert pool.oracle is None
        assert _children_of(pool.process.pid) == set()


def test_a_student_run_grades_without_importing_scipy(tmp_path):
    """The point of it all: SciPy stays out of a single student's grading process."""
    out = tmp_path / "report.json"
    code = (
        "import sys\n"
        "from grader import cli\n"
        "try:\n"
        f"    cli.main(['ex10', 'ex04', '--submission', {str(ROOT / 'reference')!r}, "
        f"'--seed', '4', '--format', 'json', '--output', {str(out)!r}, '--quiet'])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'scipy'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "[]"
    report = json.loads(out.read_text())
    assert report["score"] == report["max_score"] == 16


def test_the_catalog_names_the_exercises_whose_suites_call_scipy():
    uses = re.compile(r"\boracles\.(special|entropy)\b")
    for exercise in catalog.EXERCISES:
        text = "".join(path.read_text() for folder in ("public", "hidden")
                       if (path := ROOT / "grader" / folder / f"test_{exercise.id}.py").exists())
        assert bool(uses.search(text)) == exercise.scipy_oracle, exercise.id
        assert "import scipy" not in text, exercise.id  # through grader.oracles only


def test_a_repeated_request_is_answered_once_and_never_shared(remote, monkeypatch):
    sent = []
    real_send = wire.send
    monkeypatch.setattr(wire, "send", lambda *a, **k: (sent.append(a[1]), real_send(*a, **k)))
    p = np.array([0.2, 0.3, 0.5])
    first = oracles.special.entr(p)
    first[:] = -1.0  # a suite that writes into its answer
    second = oracles.special.entr(p)
    same(second, scipy.special.entr(p))
    same(oracles.special.entr(p.astype(np.float32)), scipy.special.entr(p.astype(np.float32)))
    same(oracles.special.entr(0.2), scipy.special.entr(0.2))
    same(oracles.special.entr(np.float64(0.2)), scipy.special.entr(np.float64(0.2)))
    assert len(sent) == 4  # p once, then float32, a float and a NumPy scalar: all different


def test_an_argument_the_codec_cannot_carry_is_computed_here(remote):
    z = np.array([0.5 + 0.5j, 1.0 + 0.0j])
    same(oracles.special.xlogy(z, z), scipy.special.xlogy(z, z))  # complex arrays travel
    same(oracles.special.xlogy(0.5j, 2.0), scipy.special.xlogy(0.5j, 2.0))  # a complex does not
    assert oracles._remote is remote  # and the oracle is still asked for the next call
