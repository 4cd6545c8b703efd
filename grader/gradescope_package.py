"""``grade gradescope-package``: the zip Gradescope's autograder expects.

The zip holds ``setup.sh`` (run once when the image is built: installs Python 3.11 when the
image lacks it and the grader from the wheel inside the zip, its dependencies from PyPI) and
``run_autograder`` (run per submission: grades ``/autograder/submission`` into
``/autograder/results/results.json``). The wheel carries the hidden suites and the reference,
so the package is the whole grader; nothing is fetched at grading time.

``GRADE_AUTOGRADER_ROOT`` replaces ``/autograder`` and ``GRADE_BIN`` the ``grade`` command
(tests run the package against a fake tree); ``GRADE_AUTOGRADER_ARGS`` adds arguments (for
example ``ex10 --seed 3``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

#: What the wheel is built from: the project's own files, nothing else of the checkout.
PROJECT_FILES = ("pyproject.toml", "README.md", "LICENSE")
PROJECT_FOLDERS = ("grader", "reference", "exercises")

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=python3.11
if ! command -v "$PYTHON" >/dev/null 2>&1; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y python3.11 python3.11-venv \
        || { apt-get install -y software-properties-common \
             && add-apt-repository -y ppa:deadsnakes/ppa && apt-get update \
             && DEBIAN_FRONTEND=noninteractive apt-get install -y python3.11 python3.11-venv; }
fi
# the worker drops to an unprivileged user: the venv must be readable by everyone
"$PYTHON" -m venv /autograder/grade-venv
/autograder/grade-venv/bin/python -m pip install --upgrade pip
# torch's CPU build (PyPI's default Linux wheel pulls several GB of CUDA libraries)
/autograder/grade-venv/bin/python -m pip install \
    --extra-index-url https://download.pytorch.org/whl/cpu ./{wheel}
chmod -R a+rX /autograder/grade-venv
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for each submission: grade it into results/results.json.
set -uo pipefail
ROOT="${GRADE_AUTOGRADER_ROOT:-/autograder}"
GRADE="${GRADE_BIN:-$ROOT/grade-venv/bin/grade}"
SUBMISSION="$ROOT/submission"
mkdir -p "$ROOT/results"
# the files may come as exNN.py, inside an exercises/ folder, or as one notebook
if [ -d "$SUBMISSION/exercises" ]; then
    SUBMISSION="$SUBMISSION/exercises"
elif ! ls "$SUBMISSION"/ex[0-9][0-9].py >/dev/null 2>&1; then
    shopt -s nullglob
    notebooks=("$SUBMISSION"/*.ipynb)
    zips=("$SUBMISSION"/*.zip)
    if [ "${#notebooks[@]}" -eq 1 ]; then SUBMISSION="${notebooks[0]}";
    elif [ "${#zips[@]}" -eq 1 ]; then SUBMISSION="${zips[0]}"; fi
fi
# shellcheck disable=SC2086
"$GRADE" ${GRADE_AUTOGRADER_ARGS:-} --submission "$SUBMISSION" --format gradescope \
    --output "$ROOT/results/results.json" --quiet 2>"$ROOT/results/grade-stderr.txt"
status=$?
cat "$ROOT/results/grade-stderr.txt" >&2
if [ "$status" -ge 2 ] || [ ! -s "$ROOT/results/results.json" ]; then
    # could not grade (unreadable submission, grader error): say so on Gradescope
    PYTHON="$(dirname "$GRADE")/python"
    [ -x "$PYTHON" ] || PYTHON=python3
    "$PYTHON" - "$ROOT/results" "$status" <<'PY'
import json, pathlib, sys
folder = pathlib.Path(sys.argv[1])
message = (folder / "grade-stderr.txt").read_text(errors="replace")[-4000:]
(folder / "results.json").write_text(json.dumps({
    "score": 0, "output_format": "text", "visibility": "visible",
    "stdout_visibility": "hidden", "tests": [],
    "output": f"The submission could not be graded (exit code {sys.argv[2]}):\n{message}",
}))
PY
fi
exit 0
"""


class PackageError(Exception):
    """The package cannot be built (no project source, the wheel does not build)."""


def find_project(start: Path | None = None) -> Path:
    """Return the folder holding the grader's ``pyproject.toml`` (the checkout)."""
    candidates = [Path(__file__).resolve().parent.parent]
    if start is not None:
        candidates.insert(0, start.resolve())
    candidates.append(Path.cwd())
    for folder in candidates:
        project = folder / "pyproject.toml"
        if project.is_file() and 'name = "grade"' in project.read_text(encoding="utf-8") \
                and (folder / "grader" / "hidden").is_dir():
            return folder
    raise PackageError("cannot find the grader's source (a pyproject.toml of 'grade' beside "
                       "grader/hidden/): run from the repository or pass --source DIR")


def build_wheel(project: Path, out: Path) -> Path:
    """Build the grader's wheel from a clean copy of ``project`` into ``out``."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    with tempfile.TemporaryDirectory(prefix="grade-wheel-") as tmp:
        copy = Path(tmp) / "src"
        copy.mkdir()
        for name in PROJECT_FILES:
            if (project / name).is_file():
                shutil.copy2(project / name, copy / name)
        for name in PROJECT_FOLDERS:
            shutil.copytree(project / name, copy / name, ignore=ignore)
        done = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out),
             str(copy)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise PackageError("the grader's wheel did not build: " + " | ".join(tail))
    wheels = sorted(out.glob("grade-*.whl"))
    if not wheels:
        raise PackageError("the grader's wheel did not build (no .whl written)")
    return wheels[-1]


def build(out: Path, project: Path | None = None) -> Path:
    """Write the Gradescope autograder zip to ``out``; return its path."""
    project = find_project(project)
    with tempfile.TemporaryDirectory(prefix="grade-gradescope-") as tmp:
        wheel = build_wheel(project, Path(tmp))
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, text in (("setup.sh", SETUP_SH.replace("{wheel}", wheel.name)),
                               ("run_autograder", RUN_AUTOGRADER)):
                info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
                info.external_attr = 0o100755 << 16  # executable, as Gradescope runs them
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, text)
            archive.write(wheel, wheel.name)
    return out
