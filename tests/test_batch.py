"""``grade batch``: intake, the database, resume after SIGKILL, grader faults, the outputs.

Small classes graded on ex01 and ex10 only, so the whole file stays well under 90 s.
"""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader import runner, submission
from grader.batch import cli as batch_cli
from grader.batch import executor, intake
from grader.batch.store import FILENAME, SCHEMA_VERSION
from tests.conftest import REFERENCE, ROOT, STUBS, SUBMISSIONS

TARGETS = ("ex01", "ex10")
MISTAKE = SUBMISSIONS / "ex10" / "kl_reversed.py"
LOOP = "    while True:\n        pass\n"


def batch(*args: str, env: dict | None = None, timeout: float = 120
          ) -> subprocess.CompletedProcess:
    """Run ``grade batch`` as a subprocess."""
    return subprocess.run([sys.executable, "-m", "grader.cli", "batch", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def student(folder: Path, name: str, files: dict[str, Path | str]) -> Path:
    """Write a student folder of exercise files (a Path is copied, a str is the text)."""
    target = folder / name
    target.mkdir(parents=True)
    for filename, content in files.items():
        if isinstance(content, Path):
            shutil.copyfile(content, target / filename)
        else:
            (target / filename).write_text(content, encoding="utf-8")
    return target


def reference(*ids: str) -> dict[str, Path]:
    return {f"{e}.py": REFERENCE / f"{e}.py" for e in ids}


def looping_ex10() -> str:
    text = (REFERENCE / "ex10.py").read_text()
    head = "def kl_divergence(p, q, base=None) -> float:\n"
    assert head in text
    return text.replace(head, head + LOOP, 1)


def gradebook(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def zip_folder(source: Path, target: Path, prefix: str = "") -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + path.relative_to(source).as_posix())


# --- intake ---------------------------------------------------------------------------------
def test_intake_reads_every_kind_of_entry_and_records_the_others(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    student(folder, "alice", reference("ex01", "ex10"))
    student(folder / "bob", "exercises", reference("ex01"))           # bob/exercises/ex01.py
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("# ex01\n" + (REFERENCE / "ex01.py").read_text())])
    nbformat.write(notebook, str(folder / "carol.ipynb"))
    zip_folder(folder / "alice", folder / "dave.zip")
    zip_folder(folder / "bob", folder / "erin.zip", prefix="erin/")    # erin/exercises/ex01.py
    with zipfile.ZipFile(folder / "fred.zip", "w") as archive:
        archive.write(folder / "carol.ipynb", "fred.ipynb")
    (folder / "notes.txt").write_text("not a submission")
    (folder / "broken.zip").write_bytes(b"this is not a zip")
    (folder / "empty").mkdir()
    (folder / ".DS_Store").write_bytes(b"\0")
    (folder / "alice.zip").write_bytes((folder / "dave.zip").read_bytes())  # id taken
    os.symlink(folder / "alice", folder / "link")
    with zipfile.ZipFile(folder / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ex01.py", "#" * (8 << 20))                     # ~1000 to 1

    found = intake.scan(folder)

    by_id = {c.student: c for c in found.candidates}
    assert sorted(by_id) == ["alice", "bob", "carol", "dave", "erin", "fred"]
    assert sorted(by_id["alice"].submission.sources) == ["ex01", "ex10"]
    for name in ("bob", "carol", "erin", "fred"):
        assert sorted(by_id[name].submission.sources) == ["ex01"], name
        assert by_id[name].submission.name == name
    assert by_id["alice"].content_hash == by_id["dave"].content_hash
    assert by_id["bob"].content_hash == by_id["erin"].content_hash
    assert by_id["alice"].content_hash != by_id["bob"].content_hash
    invalid = {i.student: i.reason for i in found.invalid}
    assert sorted(invalid) == ["bomb", "broken", "empty"]
    assert "not a valid zip" in invalid["broken"]
    assert "no exercise files" in invalid["empty"]
    assert "compressed more than" in invalid["bomb"]
    skipped = {s.entry: s.reason for s in found.skipped}
    assert sorted(skipped) == [".DS_Store", "alice.zip", "link", "notes.txt"]
    assert "already taken by alice" in skipped["alice.zip"]
    assert "symbolic link" in skipped["link"]
    assert "not a folder, a .ipynb or a .zip" in skipped["notes.txt"]


def test_intake_names_an_undecodable_file_name(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    bad = os.fsdecode(b"caf\xe9")
    student(folder, bad, reference("ex01"))
    (candidate,) = intake.scan(folder).candidates
    assert candidate.student == "caf\\xe9"
    candidate.student.encode("utf-8")  # storable in SQLite, writable in a CSV


# --- usage errors ---------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["no_dir", "out_is_file", "report_only_empty", "not_a_db",
                                  "busy"])
def test_bad_dir_or_out_exits_2_with_one_line(tmp_path, case):
    folder = tmp_path / "class"
    student(folder, "alice", reference("ex01"))
    out = tmp_path / "out"
    args = [str(folder), "--out", str(out)]
    if case == "no_dir":
        args[0] = str(tmp_path / "missing")
    elif case == "out_is_file":
        out.write_text("x")
    elif case == "report_only_empty":
        args = ["--out", str(out), "--report-only"]
    elif case == "not_a_db":
        out.mkdir()
        (out / FILENAME).write_bytes(b"not a database at all, just text" * 100)
    else:  # another batch holds the lock
        out.mkdir()
        holder = open(out / ".grade-batch.lock", "a")  # noqa: SIM115
        fcntl.flock(holder, fcntl.LOCK_EX)
    done = batch(*args, "ex01")
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert not (out / "gradebook.csv").exists()


# --- a class ---------------------------------------------------------------------------------
def test_a_class_gets_the_right_gradebook_and_resume_regrades_only_what_changed(tmp_path):
    folder = tmp_path / "class"
    student(folder, "ref", reference("ex01", "ex10"))
    student(folder, "mistake", {**reference("ex01"), "ex10.py": MISTAKE})
    student(folder, "stub", {"ex01.py": STUBS / "ex01.py", "ex10.py": STUBS / "ex10.py"})
    student(folder, "syntax", {**reference("ex01"), "ex10.py": "def entropy(p:\n"})
    student(folder, "loop", {**reference("ex01"), "ex10.py": looping_ex10()})
    (folder / "broken.zip").write_bytes(b"not a zip")
    out = tmp_path / "out"

    done = batch(str(folder), *TARGETS, "--out", str(out), "--jobs", "2",
                 env={"SOURCE_DATE_EPOCH": "1000000000"})

    assert done.returncode == 0, done.stderr
    assert "6 submissions" in done.stderr and "0 grader errors" in done.stderr
    book = gradebook(out)
    assert list(book) == ["broken", "loop", "mistake", "ref", "stub", "syntax"]  # sorted
    assert (book["broken"]["status"], book["broken"]["total"]) == ("invalid", "0")
    assert {k: book["ref"][k] for k in ("ex01", "ex10", "total", "status")} == \
        {"ex01": "4", "ex10": "8", "total": "12", "status": "graded"}
    assert book["ref"]["ex02"] == ""                                  # not graded at all
    assert 0 < float(book["mistake"]["ex10"]) < 8 and book["mistake"]["ex01"] == "4"
    assert (book["stub"]["ex01"], book["stub"]["ex10"], book["stub"]["total"]) == \
        ("0", "0", "0")
    assert (book["syntax"]["ex01"], book["syntax"]["ex10"]) == ("4", "0")
    assert book["loop"]["ex01"] == "4" and float(book["loop"]["ex10"]) < 8
    assert {row["graded_at"] for row in book.values()} == {"2001-09-09T01:46:40Z"}
    loop = json.loads((out / "reports" / "loop.json").read_text())
    assert any(c["status"] == "timeout" for e in loop["exercises"] for c in e["checks"])
    seeds = set()
    for name in set(book) - {"broken"}:
        report = json.loads((out / "reports" / f"{name}.json").read_text())
        assert report["schema"] == "grade-report/1" and report["submission"] == name
        seeds.add(report["seed"])
        assert (out / "reports" / f"{name}.md").read_text().startswith("#")
    (seed,) = seeds                                                  # one seed per batch
    with sqlite3.connect(out / FILENAME) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("SELECT value FROM batch WHERE key='seed'").fetchone()[0] == str(seed)

    # resume: only the changed submission is graded again, with the stored seed
    (folder / "mistake" / "ex10.py").write_bytes((REFERENCE / "ex10.py").read_bytes())
    again = batch(str(folder), *TARGETS, "--out", str(out), "--jobs", "1",
                  env={"SOURCE_DATE_EPOCH": "1100000000"})
    assert again.returncode == 0, again.stderr
    assert "1 graded now, 4 already graded" in again.stderr
    book2 = gradebook(out)
    assert book2["mistake"]["ex10"] == "8" and book2["mistake"]["graded_at"] != \
        book["mistake"]["graded_at"]
    for name in ("broken", "loop", "ref", "stub", "syntax"):
        assert book2[name] == book[name]                            # graded_at from the db
    assert json.loads((out / "reports" / "mistake.json").read_text())["seed"] == seed

    # the outputs are rebuilt from the database alone, byte for byte
    before = (out / "gradebook.csv").read_bytes()
    shutil.rmtree(out / "reports")
    (out / "gradebook.csv").unlink()
    rebuilt = batch("--out", str(out), "--report-only")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert (out / "gradebook.csv").read_bytes() == before
    assert (out / "reports" / "loop.md").is_file()

    # --no-resume starts afresh: everything is graded again
    fresh = batch(str(folder), "ex01", "--out", str(out), "--no-resume", "--seed", "5",
                  "--quiet")
    assert fresh.returncode == 0 and fresh.stderr == ""
    assert {r["ex10"] for r in gradebook(out).values()} == {""}


# --- SIGKILL and resume ----------------------------------------------------------------------
def _small_class(folder: Path) -> None:
    student(folder, "a_ref", reference("ex01", "ex10"))
    student(folder, "b_mistake", {**reference("ex01"), "ex10.py": MISTAKE})
    student(folder, "c_stub", {"ex01.py": STUBS / "ex01.py", "ex10.py": STUBS / "ex10.py"})
    student(folder, "d_syntax", {"ex10.py": "def entropy(p:\n"})
    student(folder, "e_nats", {"ex01.py": SUBMISSIONS / "ex01" / "nats_instead_of_bits.py",
                               **reference("ex10")})
    student(folder, "f_where", {"ex10.py": SUBMISSIONS / "ex10" / "correct_where.py"})
    student(folder, "g_nan", {"ex10.py": SUBMISSIONS / "ex10" / "nan_for_zeros.py"})
    student(folder, "h_sign", {"ex01.py": SUBMISSIONS / "ex01" / "sign_flipped.py"})


def test_sigkill_at_random_moments_then_resume_gives_the_same_gradebook(tmp_path):
    folder = tmp_path / "class"
    _small_class(folder)
    env = {"SOURCE_DATE_EPOCH": "1234567890"}
    whole = tmp_path / "whole"
    done = batch(str(folder), *TARGETS, "--out", str(whole), "--seed", "7", "--jobs", "1",
                 env=env)
    assert done.returncode == 0, done.stderr
    expected = (whole / "gradebook.csv").read_bytes()

    out = tmp_path / "killed"
    command = [sys.executable, "-m", "grader.cli", "batch", str(folder), *TARGETS, "--out",
               str(out), "--seed", "7", "--jobs", "2", "--quiet"]
    first = random.randint(1, 3)
    moments = [("seconds", random.uniform(0.05, 0.6)), ("graded", first),
               ("graded", random.randint(first + 2, 6))]
    for kind, when in moments:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if kind == "seconds":
            time.sleep(when)
        else:
            _wait_until_graded(out / FILENAME, when, process)
        grading = _children(process.pid)
        assert process.poll() is None, "the batch ended before it was killed"
        process.send_signal(signal.SIGKILL)
        process.wait()
        _assert_gone(grading)  # the grading processes die with the batch
    resumed = batch(str(folder), *TARGETS, "--out", str(out), "--jobs", "2", env=env)
    assert resumed.returncode == 0, resumed.stderr
    assert "already graded" in resumed.stderr
    assert (out / "gradebook.csv").read_bytes() == expected


def _graded(database: Path) -> int:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT count(*) FROM submissions WHERE status = 'graded'"
                              ).fetchone()[0]
    except sqlite3.Error:
        return 0


def _wait_until_graded(database: Path, count: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while _graded(database) < count:
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _assert_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + 10
    for pid in pids:
        while Path(f"/proc/{pid}").exists():
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] \
                if Path(f"/proc/{pid}/stat").exists() else "X"
            if state in ("Z", "X"):
                break
            assert time.monotonic() < deadline, f"process {pid} outlived the killed batch"
            time.sleep(0.05)


# --- a grader fault --------------------------------------------------------------------------
def test_a_grader_fault_on_one_submission_is_recorded_and_the_batch_goes_on(
        tmp_path, monkeypatch, capsys):
    folder = tmp_path / "class"
    student(folder, "alice", reference("ex01"))
    student(folder, "bob", reference("ex01"))
    student(folder, "carol", reference("ex01"))
    real = runner.grade

    def faulty(sub: submission.Submission, **kwargs):
        if sub.name == "bob":
            raise RuntimeError("simulated grader fault")
        return real(sub, **kwargs)

    monkeypatch.setattr(runner, "grade", faulty)
    out = tmp_path / "out"
    code = batch_cli.main([str(folder), "ex01", "--out", str(out), "--jobs", "1"])
    assert code == 0
    assert "1 grader errors" in capsys.readouterr().err
    book = gradebook(out)
    assert (book["alice"]["status"], book["alice"]["total"]) == ("graded", "4")
    assert (book["carol"]["status"], book["carol"]["total"]) == ("graded", "4")
    assert (book["bob"]["status"], book["bob"]["total"]) == ("grader_error", "0")
    bob = json.loads((out / "reports" / "bob.json").read_text())
    assert "simulated grader fault" in bob["message"]

    # a grader error is retried on the next run, once the fault is gone
    monkeypatch.setattr(runner, "grade", real)
    assert batch_cli.main([str(folder), "ex01", "--out", str(out), "--jobs", "1"]) == 0
    assert "1 graded now, 2 already graded" in capsys.readouterr().err
    assert gradebook(out)["bob"]["status"] == "graded"


def test_written_answers_and_skipped_entries_are_listed(tmp_path):
    folder = tmp_path / "class"
    text = (REFERENCE / "ex02.py").read_text()
    student(folder, "alice", {"ex02.py": text})
    (folder / "readme.md").write_text("hello")
    out = folder / "results"  # inside the folder of submissions: not a student
    done = batch(str(folder), "ex02", "--out", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO((out / "written.csv").read_text())))
    assert rows[0] == ["student", "exercise", "max_points", "points", "comment",
                       "written_answer"]
    assert rows[1][:5] == ["alice", "ex02", "4", "", ""] and len(rows[1][5]) > 20
    skipped = (out / "skipped.csv").read_text()
    assert "readme.md" in skipped and "results,the output folder" in skipped
    assert list(gradebook(out)) == ["alice"]


def test_a_grading_process_that_dies_costs_one_submission_only(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "class"
    for name in ("alice", "bob", "carol", "dave"):
        student(folder, name, reference("ex01"))
    real_send, real_receive = executor._Process.send, executor._Process.receive
    killed = []  # (the job being graded, the job queued behind it)

    def send(self, job):
        self.__dict__.setdefault("order", []).append(job.student)
        return real_send(self, job)

    def receive(self):
        current = self.order.pop(0)
        if not killed and self.order:
            killed.append((current, self.order[0]))
            self.process.kill()  # the grading process dies while it grades `current`
        return real_receive(self)

    monkeypatch.setattr(executor._Process, "send", send)
    monkeypatch.setattr(executor._Process, "receive", receive)
    out = tmp_path / "out"
    assert batch_cli.main([str(folder), "ex01", "--out", str(out), "--jobs", "2"]) == 0
    book = gradebook(out)
    [(victim, queued)] = killed
    assert book[victim]["status"] == "grader_error"
    assert "grading process exited" in json.loads(
        (out / "reports" / f"{victim}.json").read_text())["message"]
    # the job that waited in the dead process's input is graded by a new process
    assert book[queued]["status"] == "graded"
    assert all(book[n]["status"] == "graded" and book[n]["total"] == "4"
               for n in ("alice", "bob", "carol", "dave") if n != victim)


def test_a_grading_process_that_gives_no_result_in_time_is_killed(tmp_path, monkeypatch):
    folder = tmp_path / "class"
    for name in ("alice", "bob"):
        student(folder, name, reference("ex01"))
    assert executor.grading_limit(executor.Settings(("ex01", "ex10"), 1)) > 60
    # a grading process that never answers (a fault of the trusted side); it exits by itself
    # after a minute, so that a batch that stopped killing it fails here instead of hanging
    monkeypatch.setattr(executor, "worker_command", lambda settings: [
        sys.executable, "-c", "import time; time.sleep(60)"])
    monkeypatch.setattr(executor, "grading_limit", lambda settings: 0.3)
    out = tmp_path / "out"
    started = time.monotonic()
    assert batch_cli.main([str(folder), "ex01", "--out", str(out), "--jobs", "2",
                           "--quiet"]) == 0
    book = gradebook(out)
    assert {row["status"] for row in book.values()} == {"grader_error"}
    message = json.loads((out / "reports" / "alice.json").read_text())["message"]
    assert "no result in 0 s (killed)" in message
    assert time.monotonic() - started < 30  # killed, not waited for


HOSTILE = ("stdout_flood", "crash_interpreter", "signals_to_parent", "forged_channel_replies")


def test_hostile_submissions_get_their_result_and_the_batch_goes_on(tmp_path):
    folder = tmp_path / "class"
    student(folder, "a_ref", reference("ex10"))
    for name in HOSTILE:
        student(folder, name, {"ex10.py": ROOT / "tests" / "attacks" / name / "ex10.py"})
    student(folder, "z_ref", reference("ex10"))
    out = tmp_path / "out"
    done = batch(str(folder), "ex10", "--out", str(out), "--jobs", "2")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout) + len(done.stderr) < 10_000  # no flood reaches the terminal
    book = gradebook(out)
    assert (book["a_ref"]["total"], book["z_ref"]["total"]) == ("8", "8")
    for name in HOSTILE:
        assert (book[name]["status"], book[name]["total"]) == ("graded", "0"), name
