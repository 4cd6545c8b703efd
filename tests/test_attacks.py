"""The adversarial corpus: every attack in tests/attacks/ is contained.

Each attack is a folder (the submission's files) with ``expect.json``. It is graded by the
real command line, as a user would, with a random canary planted in the hidden suite and
the reference it targets, and the test asserts: ``grade`` exits 0 or 1 with a valid
report; the attack earns no points it did not honestly earn; no canary (nor a secret from
the grader's environment) appears in the report or the output; no file of the project
changed; no process of the attack survives; its marker files were never created.

An attack whose containment needs a layer this machine lacks (``needs`` in expect.json,
checked against the report's ``sandbox.missing``) is still graded and checked for
everything else, but its leak assertions are skipped, with the reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import ROOT
from tests.test_report import SCHEMA

ATTACKS = Path(__file__).parent / "attacks"
TARGETS = ("grader/hidden/test_ex10.py", "reference/ex10.py")
SKIP_DIRS = {".git", "__pycache__", ".ci-venv", ".venv", "build", "dist", ".pytest_cache",
             ".ruff_cache"}
CANARY_PREFIX = "# grade-canary: "


def planted_paths() -> list[Path]:
    """The files to plant in: the checkout's, and the installed copies the worker sees."""
    found = subprocess.run(
        [sys.executable, "-I", "-c", "import grader, importlib.util as u; "
         "print(grader.__file__); print(u.find_spec('reference').origin)"],
        cwd="/", capture_output=True, text=True, check=True).stdout.split()
    roots = {ROOT} | {Path(found[0]).parent.parent, Path(found[1]).parent.parent}
    return sorted({(root / target).resolve() for root in roots for target in TARGETS
                   if (root / target).is_file()})


@pytest.fixture(scope="module")
def canary():
    """Plant a random canary line at the end of the hidden suite and reference of ex10."""
    token = f"CANARY-{secrets.token_hex(16)}"
    originals = {}
    for path in planted_paths():
        text = path.read_text()
        clean = "".join(line for line in text.splitlines(keepends=True)
                        if not line.startswith(CANARY_PREFIX))
        originals[path] = clean
        path.write_text(clean + f"{CANARY_PREFIX}{token}\n")
    try:
        yield token
    finally:
        for path, text in originals.items():
            path.write_text(text)


def project_digest() -> dict[str, str]:
    digests = {}
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info")]
        for name in files:
            path = Path(folder) / name
            try:
                digests[str(path.relative_to(ROOT))] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                continue
    return digests


def processes() -> dict[int, tuple[str, int, str]]:
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
            status = (entry / "status").read_text()
        except OSError:
            continue
        uid = int(status.split("Uid:")[1].split()[0])
        state = status.split("State:")[1].split()[0]
        found[int(entry.name)] = (cmdline, uid, state)
    return found


def leftovers(before: dict, grade_pid: int) -> list[str]:
    """Processes of this run still alive: the zygote and its forks name the grader's pid."""
    alive = []
    for pid, (cmdline, uid, state) in processes().items():
        if pid in before or state == "Z":
            continue
        if f"--parent {grade_pid}" in cmdline or "grade-attack" in cmdline:
            alive.append(f"{pid} uid={uid} {cmdline}")
    return alive


class Listener:
    """TCP servers on loopback that record whatever reaches them."""

    def __init__(self, ports: list[int]) -> None:
        self.received: list[bytes] = []
        self.servers = []
        for port in ports:
            server = socket.socket()
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                server.bind(("127.0.0.1", port))
            except OSError:
                server.close()
                continue
            server.listen()
            server.settimeout(0.2)
            self.servers.append(server)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.stop.is_set():
            for server in self.servers:
                try:
                    conn, _ = server.accept()
                except OSError:
                    continue
                with conn:
                    conn.settimeout(0.5)
                    try:
                        self.received.append(conn.recv(65536))
                    except OSError:
                        self.received.append(b"(connected)")

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        for server in self.servers:
            server.close()


def missing_layers(report: dict) -> list[str]:
    return list((report.get("sandbox") or {}).get("missing", []))


def unmet(needs: list[str], missing: list[str]) -> list[str]:
    """The needed layers this machine lacks (``network`` is met by any of three layers)."""
    lacking = []
    for need in needs:
        if need == "network":
            layers = ("landlock", "seccomp")
            if all(any(m.startswith(layer) for m in missing) for layer in layers):
                lacking.append(need)
        elif any(m.startswith(need) for m in missing):
            lacking.append(need)
    return lacking


def marker_paths(marker: str) -> list[Path]:
    import site

    folders = [Path("/tmp")] + [Path(p) for p in site.getsitepackages()]
    return [f / marker for f in folders] + [f / f"{marker}.txt" for f in folders]


def make_submission(folder: Path, expect: dict, tmp_path: Path) -> Path:
    """Copy the attack's files; add its ``links`` (to files of the project); zip if asked.

    ``links`` maps a file name to a path relative to the project (``reference/ex10.py``):
    the link is made to that file's absolute path, as a student's pull request or a
    ``zip -y`` of their folder would hold it. ``"zip": true`` grades a zip of the folder
    in which every link is stored as a link.
    """
    submission = tmp_path / "submission"
    shutil.copytree(folder, submission, ignore=shutil.ignore_patterns("expect.json"))
    for name, target in expect.get("links", {}).items():
        (submission / name).symlink_to(ROOT / target)
    if not expect.get("zip"):
        return submission
    archive = tmp_path / "submission.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(submission.iterdir()):
            if path.is_symlink():
                info = zipfile.ZipInfo(f"submission/{path.name}")
                info.create_system = 3
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                out.writestr(info, os.readlink(path))
            else:
                out.write(path, f"submission/{path.name}")
    return archive


ALL = sorted(p.name for p in ATTACKS.iterdir() if (p / "expect.json").is_file())


def test_the_corpus_is_large_enough():
    assert len(ALL) >= 25


@pytest.mark.slow
@pytest.mark.parametrize("name", ALL)
def test_attack_is_contained(name, canary, tmp_path):
    contained(name, canary, tmp_path)


#: the attacks on what uid 0 could still reach: run again with uid 0 kept (no capabilities)
UID0_ATTACKS = ("read_hidden_tests", "read_parent_environ", "signals_to_parent",
                "write_outside", "unshare_ptrace_setsid", "pickle_to_descriptors",
                "network_loopback_and_dns", "symlink_to_reference_folder")


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="uid 0 is kept only when grading as root")
@pytest.mark.parametrize("name", UID0_ATTACKS)
def test_attack_is_contained_with_uid0_kept(name, canary, tmp_path):
    contained(name, canary, tmp_path, {"GRADE_SANDBOX_KEEP_UID": "1"})


def contained(name: str, canary: str, tmp_path: Path, extra_env: dict | None = None) -> None:
    """Grade one attack with the real command line and assert it is contained."""
    folder = ATTACKS / name
    expect = json.loads((folder / "expect.json").read_text())
    submission = make_submission(folder, expect, tmp_path)
    out = tmp_path / "attack-report.json"
    out.write_text("{}")
    secret = f"SECRET-{secrets.token_hex(8)}"
    env = dict(os.environ, GRADE_ATTACK_SECRET=secret, **(extra_env or {}))
    before_digest = project_digest()
    before = processes()
    listener = Listener(expect.get("listen_ports", []))
    started = time.monotonic()
    command = [sys.executable, "-m", "grader.cli", "ex10", "--submission", str(submission),
               "--format", "json", "--output", str(out), "--seed", "1", "--timeout", "2"]
    try:
        with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) as grade:
            out_bytes, err_bytes = grade.communicate(timeout=240)
    finally:
        listener.close()
    done = subprocess.CompletedProcess(command, grade.returncode, out_bytes, err_bytes)
    elapsed = time.monotonic() - started
    stdout = done.stdout.decode(errors="replace")
    stderr = done.stderr.decode(errors="replace")

    assert done.returncode in (0, 1), f"exit code {done.returncode}: {stderr[-2000:]}"
    text = out.read_text()
    report = json.loads(text)
    jsonschema.validate(report, SCHEMA)
    ex10 = next(e for e in report["exercises"] if e["id"] == "ex10")
    assert ex10["score"] <= expect.get("max_points", 0) + 1e-9, ex10
    assert ex10["score"] >= expect.get("min_points", 0) - 1e-9, ex10
    if "status" in expect:
        assert ex10["status"] == expect["status"], ex10
    if "feedback" in expect:
        words = [ex10.get("message", "")] + [c["feedback"] for c in ex10["checks"]]
        assert any(expect["feedback"] in w for w in words), words
    if "max_output_bytes" in expect:
        assert len(done.stdout) + len(done.stderr) < expect["max_output_bytes"]
    if "max_seconds" in expect:
        assert elapsed < expect["max_seconds"], f"graded in {elapsed:.1f} s"

    time.sleep(0.3)
    assert leftovers(before, grade.pid) == [], "processes survived the grader"
    for marker in filter(None, [expect.get("marker")]):
        created = [p for p in marker_paths(marker) if p.exists()]
        for path in created:
            path.unlink()
        assert created == [], f"the attack created {created}"
    assert project_digest() == before_digest, "a file of the project changed"

    lacking = unmet(expect.get("needs", []), missing_layers(report))
    everything = stdout + stderr + text
    if lacking:
        pytest.skip(f"{name}: no leak assertions without {', '.join(lacking)} "
                    f"(graded and contained otherwise, in {elapsed:.1f} s)")
    assert canary not in everything, "hidden test or reference text leaked"
    assert secret not in everything, "the grader's environment leaked"
    assert listener.received == [], f"data reached loopback: {listener.received[:3]}"


@pytest.mark.slow
def test_reference_gets_full_marks_under_the_full_sandbox():
    done = subprocess.run([sys.executable, "-m", "grader.cli", "--submission", "reference",
                           "--require-sandbox", "full", "--format", "json", "--seed", "3"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    if done.returncode == 2 and "full sandbox is not available" in done.stderr:
        pytest.skip(done.stderr.strip())
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["sandbox"]["level"] == "full" and report["sandbox"]["missing"] == []
    assert report["score"] == report["max_score"], [
        (e["id"], c["name"], c["feedback"]) for e in report["exercises"] for c in e["checks"]
        if c["status"] not in ("passed", "manual")]
