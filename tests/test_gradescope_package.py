"""``grade gradescope-package``: the zip unpacked into a fake /autograder tree, then run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader import cli
from tests.conftest import REFERENCE, ROOT, SUBMISSIONS

pytestmark = pytest.mark.slow
GRADE = shutil.which("grade", path=str(Path(sys.executable).parent)) or shutil.which("grade")


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("package") / "autograder.zip"
    assert cli.main(["gradescope-package", "--out", str(out), "--source", str(ROOT)]) == 0
    return out


def _run(package: Path, tmp_path: Path, files: dict[str, Path], args: str) -> dict:
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(package) as archive:
        archive.extractall(root / "source")
    (root / "submission").mkdir()
    for name, path in files.items():
        shutil.copyfile(path, root / "submission" / name)
    script = root / "source" / "run_autograder"
    env = {**os.environ, "GRADE_AUTOGRADER_ROOT": str(root), "GRADE_BIN": GRADE,
           "GRADE_AUTOGRADER_ARGS": args}
    done = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_package_holds_the_scripts_and_the_wheel_with_hidden_suites(package, tmp_path):
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        assert {"setup.sh", "run_autograder"} <= set(names)
        wheel = next(n for n in names if n.endswith(".whl"))
        for script in ("setup.sh", "run_autograder"):
            assert archive.getinfo(script).external_attr >> 16 & 0o111  # executable
        setup = archive.read("setup.sh").decode()
        assert f"whl/cpu ./{wheel}" in setup and "pip install \\\n" in setup
        archive.extract(wheel, tmp_path)
    with zipfile.ZipFile(tmp_path / wheel) as inner:
        names = inner.namelist()
        for folder in ("hidden", "public"):   # every suite file of the checkout is shipped
            shipped = {n for n in names if n.startswith(f"grader/{folder}/test_ex")}
            assert shipped == {f"grader/{folder}/{p.name}"
                               for p in (ROOT / "grader" / folder).glob("test_ex*.py")}
    for script in ("setup.sh", "run_autograder"):
        with zipfile.ZipFile(package) as archive:
            (tmp_path / script).write_bytes(archive.read(script))
        assert subprocess.run(["bash", "-n", str(tmp_path / script)]).returncode == 0


def test_reference_gets_full_marks(package, tmp_path):
    results = _run(package, tmp_path, {"ex10.py": REFERENCE / "ex10.py"}, "ex10 --seed 3")
    assert results["score"] == 8.0
    assert results["tests"] and all(t["status"] == "passed" for t in results["tests"])


def test_a_typical_mistake_loses_its_points_with_feedback(package, tmp_path):
    results = _run(package, tmp_path, {"ex10.py": SUBMISSIONS / "ex10" / "kl_reversed.py"},
                   "ex10 --seed 3")
    assert 0 < results["score"] < 8.0
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    assert failed and all("kl_divergence" in t["name"] or "KL" in t["name"]
                          or "kl_divergence" in t["output"] for t in failed)
    assert any("wrong way round" in t["output"] for t in failed)


def test_an_ungradable_run_still_writes_results(package, tmp_path):
    results = _run(package, tmp_path, {}, "ex99")
    assert results["score"] == 0 and "could not be graded" in results["output"]
    assert "unknown target 'ex99'" in results["output"]
