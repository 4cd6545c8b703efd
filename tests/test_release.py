"""The student release: no solutions in it, public checks without the key, the instructor's
grades with it, the key never in the worker, and the pull-request grading command."""

from __future__ import annotations

import ast
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from grader import catalog, runner, submission, suites
from grader.release import bundle, sealed
from grader.release.cli import build
from tests.conftest import REFERENCE, ROOT, STUBS, SUBMISSIONS

IDS = [e.id for e in catalog.EXERCISES]
#: lines of the reference that are everyday numpy idioms, found in the engine as well
GENERIC = {
    "except (TypeError, ValueError):",
    "array = array.astype(np.float64)",
    "array = np.asarray(values, dtype=np.float64)",
    'with np.errstate(divide="ignore", invalid="ignore"):',
    "from matplotlib.figure import Figure",
}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def reference_lines() -> dict[str, set[str]]:
    """Each reference function's body lines (30 characters or more, docstring left out)."""
    functions: dict[str, set[str]] = {}
    for path in sorted(REFERENCE.glob("ex*.py")):
        text = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.FunctionDef):
                continue
            body = node.body
            if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:]
            lines = {_norm(line) for stmt in body
                     for line in (ast.get_source_segment(text, stmt) or "").splitlines()}
            functions[f"{path.stem}.{node.name}"] = {
                line for line in lines if len(line) >= 30 and line not in GENERIC}
    return {name: lines for name, lines in functions.items() if lines}


def hidden_check_names() -> set[str]:
    """The names of the hidden checks (the first line of each hidden test's docstring)."""
    names = set()
    for path in sorted(suites.HIDDEN.glob("test_ex*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                doc = ast.get_docstring(node)
                if doc:
                    names.add(_norm(doc.splitlines()[0]))
    return names


def _expand(name: str, data: bytes, depth: int = 0):
    """Yield (name, text) of a file and, for archives, of every member (recursively)."""
    yield name, data.decode("utf-8", "replace")
    if depth > 3:
        return
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                yield from _expand(f"{name}!{member}", archive.read(member), depth + 1)
        return
    try:  # a tar, compressed or not
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            members = [(m.name, archive.extractfile(m).read()) for m in archive.getmembers()
                       if m.isfile()]
    except tarfile.TarError:
        members = None
    if members is not None:
        for member, content in members:
            yield from _expand(f"{name}!{member}", content, depth + 1)
    elif data[:2] == b"\x1f\x8b":
        yield from _expand(f"{name}!gunzip", gzip.decompress(data), depth + 1)


def leaks(folder: Path) -> list[str]:
    """What of the reference's bodies and the hidden checks' names lies in ``folder``'s files."""
    texts = [(n, _norm(t)) for path in sorted(folder.rglob("*")) if path.is_file()
             for n, t in _expand(str(path.relative_to(folder)), path.read_bytes())]
    found = []
    for function, lines in reference_lines().items():
        for name, text in texts:
            inside = [line for line in lines if line in text]
            if inside:
                found.append(f"{name}: body of reference {function}: {inside[0][:60]}")
    for check in hidden_check_names():
        found += [f"{name}: hidden check {check!r}" for name, text in texts if check in text]
    return found


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    folder = tmp_path_factory.mktemp("release")
    key_file = folder / "course.key"
    bundle.write_key(key_file)
    out = folder / "students"
    counts = build(ROOT, out, bundle.read_key(key_file))
    assert counts["hidden_checks"] > 16
    return out, key_file


def test_the_release_holds_the_students_files_and_no_solution(release):
    out, _ = release
    assert sorted(p.name for p in (out / "exercises").glob("ex*.py")) == \
        sorted(p.name for p in STUBS.glob("ex*.py"))
    assert (out / "exercises" / "ch04.ipynb").is_file()
    assert (out / ".github" / "workflows" / "grade.yml").is_file()
    assert (out / "hidden.bundle").is_file()
    assert not (out / "reference").exists() and not (out / "grader" / "hidden").exists()
    assert not (out / "tests").exists() and not list(out.rglob("*_rubric.md"))
    assert not list(out.rglob("__pycache__"))
    assert "reference" not in (out / "pyproject.toml").read_text(encoding="utf-8")
    assert leaks(out) == []
    # the bundle is sealed: neither a tar nor readable names without the key
    data = (out / "hidden.bundle").read_bytes()
    assert not tarfile.is_tarfile(io.BytesIO(data)) and b"def test_" not in data


def test_the_scan_finds_solutions_where_they_are(tmp_path):
    """The scan is not blind: the reference, the hidden suites and a zip of them are found."""
    shutil.copytree(REFERENCE, tmp_path / "reference")
    shutil.copy(suites.HIDDEN / "test_ex10.py", tmp_path / "test_ex10.py")
    with zipfile.ZipFile(tmp_path / "inner.zip", "w") as archive:
        archive.write(REFERENCE / "ex04.py", "ex04.py")
    with tarfile.open(tmp_path / "outer.tar.gz", "w:gz") as archive:
        archive.add(tmp_path / "inner.zip", "inner.zip")
    (tmp_path / "inner.zip").unlink()
    found = leaks(tmp_path)
    assert any(f.startswith("reference/ex13.py: body of reference ex13.") for f in found)
    assert any(f.startswith("test_ex10.py: hidden check") for f in found)
    assert any(f.startswith("outer.tar.gz!inner.zip!ex04.py: body of reference ex04.")
               for f in found)
    assert len({f.split(": body of reference ")[1].split(":")[0] for f in found
                if ": body of reference " in f}) >= 30


def _grade(folder_or_files, exercises, pool, seed=11):
    outcomes = runner.grade(submission.load(folder_or_files), exercise_ids=exercises, seed=seed,
                            pool=pool)
    assert outcomes.internal_errors == ()
    return outcomes.report


def _scores(report):
    return {e.id: (e.score, e.max_score, e.status) for e in report.exercises}


CASES = {
    "reference": REFERENCE,
    "stubs": STUBS,
    "ex10_kl_reversed": {"ex10.py": SUBMISSIONS / "ex10" / "kl_reversed.py"},
    "ex04_no_max_subtraction": {"ex04.py": SUBMISSIONS / "ex04" / "no_max_subtraction.py"},
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_with_the_key_the_release_grades_like_the_instructors_repository(
        release, pool, tmp_path, case):
    out, key_file = release
    source = CASES[case]
    if isinstance(source, dict):
        folder = tmp_path / "sub"
        folder.mkdir()
        for name, path in source.items():
            shutil.copy(path, folder / name)
        source = folder
    exercises = ["ex01", "ex04", "ex05", "ex10"]
    instructor = _grade(source, exercises, pool)
    with sealed.opened(bundle.read_key(key_file), out / "hidden.bundle") as opened:
        assert suites.hidden_folder() == opened / "hidden"
        assert Path(suites.reference_module("ex10").__file__).parent == opened / "reference"
        sealed_report = _grade(source, exercises, pool)
        sandbox_secrets = __import__("grader.worker.sandbox", fromlist=["x"]).secret_paths()
        assert str(opened.resolve()) in sandbox_secrets
    assert not opened.exists()  # removed after grading
    assert suites.hidden_folder() == suites.HIDDEN
    assert _scores(sealed_report) == _scores(instructor)
    assert [c.name for e in sealed_report.exercises for c in e.checks] == \
        [c.name for e in instructor.exercises for c in e.checks]
    assert sealed_report.hidden_not_graded is None


def test_without_the_key_only_public_checks_run_and_say_so(release, tmp_path):
    out, _ = release
    env = {k: v for k, v in os.environ.items() if k != sealed.KEY_ENV}
    env["PYTHONPATH"] = str(out)
    done = subprocess.run([sys.executable, "-m", "grader.cli", "ex10", "--submission",
                           str(REFERENCE), "--format", "json", "--seed", "4"], cwd=out, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["hidden_not_graded"]["checks"] > 0
    checks = report["exercises"][0]["checks"]
    assert checks and {c.get("visibility") for c in checks if c["status"] != "manual"} == \
        {"public"}
    table = subprocess.run([sys.executable, "-m", "grader.cli", "ex10", "--submission",
                            str(REFERENCE)], cwd=out, env=env, capture_output=True, text=True,
                           timeout=300)
    assert "are graded when you open a pull request" in " ".join(table.stdout.split())


@pytest.mark.parametrize("problem", ["wrong key", "tampered", "truncated", "bad key text",
                                     "no bundle"])
def test_a_wrong_key_or_a_damaged_bundle_is_one_line_and_exit_2(release, tmp_path, problem):
    out, key_file = release
    data = (out / "hidden.bundle").read_bytes()
    target = tmp_path / "hidden.bundle"
    key = key_file.read_text().strip()
    if problem == "wrong key":
        key = bundle.generate_key().hex()
    elif problem == "tampered":
        data = data[:100] + bytes([data[100] ^ 1]) + data[101:]
    elif problem == "truncated":
        data = data[:len(data) // 2]
    elif problem == "bad key text":
        key = "not a key"
    if problem != "no bundle":
        target.write_bytes(data)
    env = {**os.environ, sealed.KEY_ENV: key, "PYTHONPATH": str(out)}
    done = subprocess.run([sys.executable, "-m", "grader.cli", "ex01", "--submission",
                           str(REFERENCE)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("grade: error: "), lines
    assert key not in done.stderr or problem == "bad key text"


ATTACK = r'''
import os, re

def surprisal(p, base=None):
    seen = dict(os.environ)
    for path in ("/proc/self/environ", f"/proc/{os.getppid()}/environ", "/proc/1/environ"):
        try:
            seen[path] = open(path, "rb").read().decode("latin-1")
        except OSError as exc:
            seen[path] = f"refused: {exc}"
    found = []
    try:
        maps = open("/proc/self/maps").read().splitlines()
        with open("/proc/self/mem", "rb", 0) as mem:
            for line in maps:
                start, end = (int(x, 16) for x in line.split()[0].split("-"))
                if "r" not in line.split()[1] or end - start > 1 << 28:
                    continue
                try:
                    mem.seek(start)
                    chunk = mem.read(end - start)
                except (OSError, OverflowError, ValueError):
                    continue
                found += [m.group().decode() for m in re.finditer(rb"[0-9a-f]{64}", chunk)]
    except OSError as exc:
        found.append(f"memory refused: {exc}")
    try:
        found += os.listdir("/tmp")
    except OSError as exc:
        found.append(f"tmp refused: {exc}")
    raise ValueError(repr(seen) + " FOUND " + " ".join(found))
'''


def test_the_key_never_reaches_the_worker(release, tmp_path):
    out, key_file = release
    key = key_file.read_text().strip()
    folder = tmp_path / "attack"
    folder.mkdir()
    stub = (STUBS / "ex01.py").read_text(encoding="utf-8")  # every function, then the attack
    (folder / "ex01.py").write_text(stub + ATTACK, encoding="utf-8")
    env = {**os.environ, sealed.KEY_ENV: key, "PYTHONPATH": str(out)}
    done = subprocess.run([sys.executable, "-m", "grader.cli", "ex01", "--submission",
                           str(folder), "--format", "json", "--seed", "2"], cwd=out, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report.get("hidden_not_graded") is None  # graded with the bundle
    feedback = json.dumps(report)
    assert "FOUND" in feedback  # the attack ran and reported what it saw
    assert key not in feedback and key.upper() not in feedback
    assert sealed.KEY_ENV not in feedback
    assert "grade-sealed-" not in feedback  # it could not even list the opened bundle


def test_the_key_is_taken_out_of_the_environment(monkeypatch):
    monkeypatch.setenv(sealed.KEY_ENV, "ab" * 32)
    assert sealed.take_key(None) == bytes.fromhex("ab" * 32)
    assert sealed.KEY_ENV not in os.environ
    assert sealed.take_key(None) is None


@pytest.mark.slow
def test_pip_install_of_the_release_grades_ex04(release, tmp_path):
    """``pip install .`` in the release and ``grade ex04`` there (dependencies from this venv)."""
    out, key_file = release
    copy = tmp_path / "students"
    shutil.copytree(out, copy)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = next((venv / "lib").glob("python3*")) / "site-packages"
    here = [p for p in sys.path if p.endswith("site-packages")]
    (purelib / "deps.pth").write_text("\n".join(here) + "\n", encoding="utf-8")
    python = venv / "bin" / "python"
    done = subprocess.run([str(python), "-m", "pip", "install", "--no-deps",
                           "--no-build-isolation", "--quiet", "."], cwd=copy,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    shutil.rmtree(copy / "grader")  # the installed package, not the folder, is what runs
    grade = venv / "bin" / "grade"
    env = {k: v for k, v in os.environ.items() if k not in (sealed.KEY_ENV, "PYTHONPATH")}
    done = subprocess.run([str(grade), "ex04", "--format", "json"], cwd=copy, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["exercises"][0]["status"] == "not_attempted"
    assert report["hidden_not_graded"]["checks"] > 0
    shutil.copy(REFERENCE / "ex04.py", copy / "exercises" / "ex04.py")
    done = subprocess.run([str(grade), "ex04", "--format", "json", "--key-file",
                           str(key_file)], cwd=copy, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["exercises"][0]["status"] == "passed"
    assert "hidden_not_graded" not in report
    assert {c.get("visibility") for c in report["exercises"][0]["checks"]} >= {"public",
                                                                              "hidden"}


ACTIONLINT = shutil.which("actionlint", path=os.path.dirname(sys.executable)) or \
    shutil.which("actionlint")


@pytest.mark.skipif(ACTIONLINT is None, reason="actionlint is in the test extra")
def test_the_release_workflow_passes_actionlint_and_an_unsafe_one_does_not(release, tmp_path):
    out, _ = release
    workflow = out / ".github" / "workflows" / "grade.yml"
    done = subprocess.run([ACTIONLINT, str(workflow)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    text = workflow.read_text(encoding="utf-8")
    assert "pull_request_target" in text and "grade ci --head-ref" in text
    assert "secrets.GRADE_COURSE_KEY" in text
    unsafe = tmp_path / ".github" / "workflows" / "unsafe.yml"
    unsafe.parent.mkdir(parents=True)
    unsafe.write_text(text.replace("run: git fetch", 'run: echo "${{ github.event.pull_request'
                                   '.title }}" && git fetch'), encoding="utf-8")
    done = subprocess.run([ACTIONLINT, str(unsafe)], capture_output=True, text=True)
    assert done.returncode == 1 and "potentially untrusted" in done.stdout


def test_the_opened_bundle_is_secret_even_inside_a_readable_folder(release, pool, tmp_path,
                                                                  monkeypatch):
    """The zygote is told the opened bundle's folder: Landlock cuts it out of what a child may
    read even where everything around it is readable (here: inside the Python installation,
    which every child reads)."""
    import tempfile

    out, key_file = release
    readable = Path(sys.prefix) / f"_test_readable_{os.getpid()}"
    readable.mkdir()
    try:
        (readable / "public.txt").write_text("PUBLIC-TEXT")
        monkeypatch.setattr(tempfile, "tempdir", str(readable))
        # as root, keep uid 0 (without capabilities): the folder's owner could read it, so
        # Landlock alone must keep it out (the uid drop would hide a hole here)
        monkeypatch.setenv("GRADE_SANDBOX_KEEP_UID", "1")
        with sealed.opened(bundle.read_key(key_file), out / "hidden.bundle") as opened:
            assert opened.parent == readable
            target = opened / "reference" / "ex01.py"
            folder = tmp_path / "attack"
            folder.mkdir()
            (folder / "ex01.py").write_text((STUBS / "ex01.py").read_text() + f'''
def surprisal(p, base=None):
    seen = []
    for path in ({str(readable / "public.txt")!r}, {str(target)!r}):
        try:
            seen.append(open(path).read()[:40])
        except OSError as exc:
            seen.append(f"refused {{exc.errno}}")
    raise ValueError(" | ".join(seen))
''')
            # a pool of its own: the zygote must start while the bundle is open
            report = runner.grade(submission.load(folder), exercise_ids=["ex01"], seed=1).report
        feedback = report.exercises[0].checks[0].feedback
        assert "PUBLIC-TEXT | refused 13" in feedback, feedback
        assert "def surprisal" not in feedback
    finally:
        shutil.rmtree(readable, ignore_errors=True)
