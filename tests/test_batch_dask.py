"""``grade batch --executor dask``: a LocalCluster of two worker processes grades a class.

The gradebook must be the local executor's, byte for byte (the same seed, the same
``SOURCE_DATE_EPOCH``), and a worker killed while it grades must cost nothing: dask sends
its submission again, or (no retries allowed) that submission is a ``grader_error`` that
the next run grades again.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, STUBS, SUBMISSIONS
from tests.test_batch import gradebook, looping_ex10, reference, student

distributed = pytest.importorskip("distributed")

TARGETS = ("ex01", "ex10")
EPOCH = {"SOURCE_DATE_EPOCH": "1300000000"}


def batch(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader.cli", "batch", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **EPOCH})


def mixed_class(folder: Path) -> None:
    """Reference copies, a typical mistake, stubs, a broken file, an infinite loop."""
    student(folder, "a_ref", reference("ex01", "ex10"))
    student(folder, "b_ref", reference("ex01", "ex10"))
    student(folder, "c_kl_reversed", {**reference("ex01"),
                                      "ex10.py": SUBMISSIONS / "ex10" / "kl_reversed.py"})
    student(folder, "d_nats", {"ex01.py": SUBMISSIONS / "ex01" / "nats_instead_of_bits.py"})
    student(folder, "e_stub", {"ex01.py": STUBS / "ex01.py", "ex10.py": STUBS / "ex10.py"})
    student(folder, "f_syntax", {**reference("ex01"), "ex10.py": "def entropy(p:\n"})
    student(folder, "g_loop", {"ex10.py": looping_ex10()})
    (folder / "h_broken.zip").write_bytes(b"not a zip")


@pytest.fixture(scope="module")
def local_book(tmp_path_factory) -> tuple[Path, bytes]:
    """The class and the gradebook the local executor gives it."""
    root = tmp_path_factory.mktemp("dask")
    folder = root / "class"
    mixed_class(folder)
    out = root / "local"
    done = batch(str(folder), *TARGETS, "--out", str(out), "--seed", "11", "--jobs", "2",
                 "--timeout", "0.5")
    assert done.returncode == 0, done.stderr
    return folder, (out / "gradebook.csv").read_bytes()


@pytest.fixture
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local, \
            distributed.Client(local) as client:
        yield local, client


def _reports(out: Path) -> dict[str, dict]:
    found = {}
    for path in sorted((out / "reports").glob("*.json")):
        data = json.loads(path.read_text())
        data.pop("duration_s", None)
        if "sandbox" in data:  # each pool drops to an unprivileged uid of its own
            data["sandbox"]["layers"] = [re.sub(r"uid \d+", "uid N", layer)
                                         for layer in data["sandbox"].get("layers", [])]
        for exercise in data.get("exercises", []):
            for check in exercise["checks"]:
                check.pop("duration_s")
        found[path.stem] = data
    return found


@pytest.mark.slow
def test_a_local_cluster_gives_the_local_executors_gradebook(local_book, cluster, tmp_path):
    folder, expected = local_book
    local, _ = cluster
    out = tmp_path / "dask"
    done = batch(str(folder), *TARGETS, "--out", str(out), "--seed", "11", "--timeout", "0.5",
                 "--executor", "dask", "--scheduler", local.scheduler_address)
    assert done.returncode == 0, done.stderr
    assert "8 submissions" in done.stderr and "7 graded now" in done.stderr
    assert "0 grader errors" in done.stderr
    assert all(line.startswith("grade batch: ") for line in done.stderr.splitlines())
    assert (out / "gradebook.csv").read_bytes() == expected
    book = gradebook(out)
    assert (book["a_ref"]["total"], book["e_stub"]["total"]) == ("12", "0")
    assert 0 < float(book["c_kl_reversed"]["ex10"]) < 8
    assert book["h_broken"]["status"] == "invalid"
    loop = json.loads((out / "reports" / "g_loop.json").read_text())
    assert any(c["status"] == "timeout" for e in loop["exercises"] for c in e["checks"])
    assert {r["sandbox"]["level"] for r in _reports(out).values() if "sandbox" in r} \
        <= {"full", "partial"}

    # the reports are the local ones too (but for the time each took)
    again = tmp_path / "local"
    done = batch(str(folder), *TARGETS, "--out", str(again), "--seed", "11", "--jobs", "1",
                 "--timeout", "0.5", "--quiet")
    assert done.returncode == 0, done.stderr
    assert _reports(out) == _reports(again)

    # resume on the cluster: nothing changed, nothing is sent
    resumed = batch(str(folder), *TARGETS, "--out", str(out), "--executor", "dask",
                    "--scheduler", local.scheduler_address)
    assert resumed.returncode == 0, resumed.stderr
    assert "0 graded now, 7 already graded" in resumed.stderr


@pytest.mark.slow
def test_without_a_scheduler_a_local_cluster_of_jobs_workers_is_started(tmp_path):
    folder = tmp_path / "class"
    student(folder, "alice", reference("ex01"))
    student(folder, "bob", {"ex01.py": SUBMISSIONS / "ex01" / "sign_flipped.py"})
    out = tmp_path / "out"
    done = batch(str(folder), "ex01", "--out", str(out), "--executor", "dask", "--jobs", "2",
                 "--seed", "3")
    assert done.returncode == 0, done.stderr
    assert "2 graded now" in done.stderr and "Traceback" not in done.stderr
    book = gradebook(out)
    assert book["alice"]["total"] == "4" and float(book["bob"]["total"]) < 4


def _kill_the_worker_grading(client, process: subprocess.Popen, name: str) -> None:
    """SIGKILL the worker process that holds this student's submission (seconds of work)."""
    pids = client.run(os.getpid)
    deadline = time.monotonic() + 120
    while True:
        assert process.poll() is None, "the batch ended before a worker was killed"
        assert time.monotonic() < deadline, f"{name} never reached a worker"
        holders = [w for w, keys in client.processing().items()
                   if any(str(k).startswith(f"grade-{name}-") for k in keys)]
        if holders and holders[0] in pids:
            os.kill(pids[holders[0]], signal.SIGKILL)
            return
        time.sleep(0.02)


def _class_for_kill(folder: Path) -> None:
    for index in range(4):
        student(folder, f"s{index}", reference("ex01", "ex10"))
    student(folder, "t_mistake", {**reference("ex01"),
                                  "ex10.py": SUBMISSIONS / "ex10" / "kl_reversed.py"})
    student(folder, "u_loop", {"ex10.py": looping_ex10()})   # seconds of timeouts
    student(folder, "v_ref", reference("ex01", "ex10"))


@pytest.mark.slow
@pytest.mark.parametrize("allowed_failures", [3, 0])
def test_a_worker_killed_while_grading_costs_nothing(tmp_path, allowed_failures):
    folder = tmp_path / "class"
    _class_for_kill(folder)
    whole = tmp_path / "whole"
    done = batch(str(folder), *TARGETS, "--out", str(whole), "--seed", "5", "--jobs", "2",
                 "--timeout", "0.5", "--quiet")
    assert done.returncode == 0, done.stderr
    expected = (whole / "gradebook.csv").read_bytes()

    import dask

    out = tmp_path / "out"
    with dask.config.set({"distributed.scheduler.allowed-failures": allowed_failures}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=None) as local, \
            distributed.Client(local) as client:
        command = [sys.executable, "-m", "grader.cli", "batch", str(folder), *TARGETS,
                   "--out", str(out), "--seed", "5", "--timeout", "0.5", "--executor", "dask",
                   "--scheduler", local.scheduler_address]
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **EPOCH},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   text=True)
        _kill_the_worker_grading(client, process, "u_loop")
        _, stderr = process.communicate(timeout=240)
        assert process.returncode == 0, stderr
        book = gradebook(out)
        assert len(book) == 7                                 # every submission is in
        errors = [n for n, row in book.items() if row["status"] == "grader_error"]
        if allowed_failures:
            assert errors == [] and (out / "gradebook.csv").read_bytes() == expected
        else:
            # what the killed worker held: the loop, perhaps one queued after it
            assert "u_loop" in errors and len(errors) <= 2, errors
            for name in errors:
                report = json.loads((out / "reports" / f"{name}.json").read_text())
                assert "KilledWorker" in report["message"]
            assert f"{len(errors)} grader errors" in stderr
            client.wait_for_workers(2, timeout=60)            # the nanny started another
            again = batch(str(folder), *TARGETS, "--out", str(out), "--timeout", "0.5",
                          "--executor", "dask", "--scheduler", local.scheduler_address)
            assert again.returncode == 0, again.stderr
            assert f"{len(errors)} graded now, {7 - len(errors)} already graded" \
                in again.stderr
            assert (out / "gradebook.csv").read_bytes() == expected


@pytest.mark.parametrize("case", ["local_with_scheduler", "unreachable"])
def test_bad_executor_options_exit_2_with_one_line(tmp_path, monkeypatch, case):
    folder = tmp_path / "class"
    student(folder, "alice", reference("ex01"))
    args = [str(folder), "ex01", "--out", str(tmp_path / "out")]
    if case == "local_with_scheduler":
        args += ["--executor", "local", "--scheduler", "tcp://127.0.0.1:9"]
    else:  # nothing listens on the discard port of the loopback
        args += ["--executor", "dask", "--scheduler", "tcp://127.0.0.1:9"]
    monkeypatch.setenv("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT", "2s")  # not dask's 30 s
    done = batch(*args, timeout=120)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert ("needs --executor dask" if case == "local_with_scheduler"
            else "cannot reach the dask scheduler") in done.stderr


def test_the_dask_extra_is_declared():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    assert any(r.startswith("distributed") for r in extras["dask"])
    assert any(r.startswith("distributed") for r in extras["test"])


def test_remote_grading_takes_the_submission_as_data(tmp_path, monkeypatch):
    """A worker grades what it is sent, never a path: the folder may be gone."""
    from grader import submission
    from grader.batch import remote
    from grader.batch.executor import Settings, settings_to_dict, submission_to_dict

    monkeypatch.setattr(remote, "_settled", True)  # no gc.freeze() of the test session

    folder = student(tmp_path, "alice", reference("ex01"))
    data = submission_to_dict(submission.load(folder))
    shutil.rmtree(folder)
    answer = remote.grade_task(json.loads(json.dumps(data)),
                               settings_to_dict(Settings(("ex01",), 3)),
                               __import__("grader").__version__)
    try:
        assert answer["status"] == "graded", answer["message"]
        assert answer["report"]["score"] == 4.0 and answer["duration_s"] > 0
        wrong = remote.grade_task(data, settings_to_dict(Settings(("ex01",), 3)), "0.0.0")
        assert wrong["status"] == "grader_error" and "runs grader" in wrong["message"]
    finally:
        remote.close_pool()


def test_a_notebook_submission_travels_whole(tmp_path):
    """What grading reads of a notebook, the notes of lines not run included, is sent."""
    import nbformat

    from grader import submission
    from grader.batch.executor import submission_from_dict, submission_to_dict

    path = tmp_path / "alice.ipynb"
    code = "%matplotlib inline\n# ex01\n" + (ROOT / "reference" / "ex01.py").read_text()
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)]),
                   str(path))
    sub = submission.load(path)
    assert sub.sources["ex01"].notes                         # the magic is not run
    sent = submission_from_dict(json.loads(json.dumps(submission_to_dict(sub))))
    assert sent.sources == sub.sources and sent.name == sub.name
