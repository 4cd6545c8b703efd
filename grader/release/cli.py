"""``grade release``: the students' repository, built from the instructor's.

What goes in: ``exercises/`` (the stubs) and the notebook made from them, the grader engine
with the public checks and the hidden checks' counts (``grader/public/hidden_manifest.json``),
a ``pyproject.toml`` that packages exactly that, the students' README, the pull-request
workflow ``.github/workflows/grade.yml`` and ``hidden.bundle`` (the hidden suites, the
reference and the rubrics, sealed with the course key). What never goes in: ``reference/``,
``grader/hidden/``, the project's tests and goldens, benchmarks, CI scripts, caches.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

from grader.release import sealed
from grader.release.bundle import BundleError, read_key

TEMPLATES = Path(__file__).parent / "templates"
#: the only top-level folders of the instructor's repository that a release takes
ENGINE = "grader"
STUBS = "exercises"
#: never copied into a release, wherever they are
IGNORED = ("__pycache__", "*.pyc", "*.egg-info", "hidden", ".*")
#: the pyproject lines that a release changes, and what they become
PYPROJECT_EDITS = (
    ('include = ["grader*", "reference*", "exercises*"]', 'include = ["grader*", "exercises*"]'),
    ('grader = ["hidden/*.py", "public/*.py", ', 'grader = ["public/*.py", '),
    ('reference = ["*.md"]\n', ''),
    ('testpaths = ["tests"]\n', ''),
)


class ReleaseError(Exception):
    """The release cannot be built (one line; exit 2)."""


def release_parser() -> argparse.ArgumentParser:
    """Return the parser of ``grade release``."""
    parser = argparse.ArgumentParser(
        prog="grade release",
        description="Build the students' repository: stubs, notebook, grader with the public "
                    "checks, README, pull-request workflow, and the hidden suites and reference "
                    "sealed in hidden.bundle.")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="the folder to create (must not exist, or be empty)")
    parser.add_argument("--key-file", required=True, metavar="FILE",
                        help="the course key (grade keygen) that seals hidden.bundle")
    parser.add_argument("--source", metavar="DIR",
                        help="the instructor's repository (default: the one this grader runs "
                             "from, or the current folder)")
    return parser


def _ignore(folder: str, names: list[str]) -> set[str]:
    ignored = set(shutil.ignore_patterns(*IGNORED)(folder, names))
    if Path(folder).name == "release":
        ignored.discard("templates")
    return ignored


def _pyproject(text: str) -> str:
    for old, new in PYPROJECT_EDITS:
        if old not in text:
            raise ReleaseError(f"pyproject.toml has no line {old.strip()!r} to adapt for the "
                               "release (update PYPROJECT_EDITS in grader/release/cli.py)")
        text = text.replace(old, new)
    return text


_POINTS_LINE = re.compile(r"^- ([0-9.]+)\s+(.+)$")


def release_stub(text: str, hidden: set[str]) -> str:
    """A stub for the release: its points list names the public checks only.

    The instructor's stub ends its docstring with every check (``- 1.5  entropy matches the
    reference ...``); the hidden ones become one line with their count and points, so no
    hidden check's name leaves the instructor's repository.
    """
    lines = text.splitlines(keepends=True)
    kept: list[str] = []
    count, points, last = 0, 0.0, None
    for line in lines:
        match = _POINTS_LINE.match(line.rstrip("\n"))
        if match and match.group(2).strip() in hidden:
            count += 1
            points += float(match.group(1))
            last = len(kept)
            continue
        kept.append(line)
    if count:
        checks = "check" if count == 1 else "checks"
        kept.insert(last, f"- {points:g}  {count} hidden {checks}, graded when you open a "
                          "pull request\n")
    return "".join(kept)


def build(source: Path, out: Path, key: bytes) -> dict[str, int]:
    """Write the release of ``source`` into ``out``; return counts for the summary line."""
    from grader import catalog, suites
    from grader.notebook import generate

    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ReleaseError(f"--out {out} exists and is not an empty folder")
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source / ENGINE, out / ENGINE, ignore=_ignore, dirs_exist_ok=True)
    (out / STUBS).mkdir()
    ids = [e.id for e in catalog.EXERCISES]
    hidden = {e: {name for name, _, visibility in checks if visibility == "hidden"}
              for e, checks in suites.collect_checks(ids, visibility=True).items()}
    for stub in sorted((source / STUBS).glob("*.py")):
        text = stub.read_text(encoding="utf-8")
        (out / STUBS / stub.name).write_text(release_stub(text, hidden.get(stub.stem, set())),
                                             encoding="utf-8")
    manifest = suites.build_hidden_manifest(ids)
    (out / ENGINE / "public" / "hidden_manifest.json").write_text(
        json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    generate.write(out / STUBS / "ch04.ipynb", ids, out / STUBS)
    (out / "pyproject.toml").write_text(
        _pyproject((source / "pyproject.toml").read_text(encoding="utf-8")), encoding="utf-8")
    shutil.copy2(TEMPLATES / "README.md", out / "README.md")
    workflows = out / ".github" / "workflows"
    workflows.mkdir(parents=True)
    shutil.copy2(TEMPLATES / "grade.yml", workflows / "grade.yml")
    (out / ".gitignore").write_text("__pycache__/\n*.pyc\n*.egg-info/\nbuild/\n.venv/\n"
                                    "grade-report/\n", encoding="utf-8")
    size = sealed.seal_repository(source, key, out / sealed.BUNDLE_NAME)
    files = sum(1 for p in out.rglob("*") if p.is_file())
    return {"files": files, "bundle_bytes": size,
            "hidden_checks": int(sum(m["checks"] for m in manifest.values()))}


def find_source(given: str | None) -> Path:
    """The instructor's repository: ``given``, else the grader's own checkout, else ``.``."""
    from grader.gradescope_package import PackageError, find_project

    try:
        return find_project(Path(given) if given else None)
    except PackageError as exc:
        raise ReleaseError(str(exc)) from None


def run_release(args: argparse.Namespace) -> int:
    """Build the release; exit 2 with one line when it cannot be built."""
    try:
        key = read_key(args.key_file)
        source = find_source(args.source)
        counts = build(source, Path(args.out), key)
    except (ReleaseError, BundleError, sealed.SealedError) as exc:
        print(f"grade release: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote the students' repository to {args.out}: {counts['files']} files, "
          f"{counts['hidden_checks']} hidden checks sealed in {sealed.BUNDLE_NAME} "
          f"({counts['bundle_bytes']} bytes)", file=sys.stderr)
    return 0
