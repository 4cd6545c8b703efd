"""The suites: where they are, how pytest runs them, which checks they hold.

Each exercise has a public suite (``grader/public/test_exNN.py``: checks that need no
reference code, shipped to students in source) and a hidden one (``grader/hidden/``: checks
that compare with the reference, kept sealed). A run collects the public file first, then the
hidden one; ``hidden=False`` (a student's release without the course key) collects only the
public checks.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

HIDDEN = Path(__file__).parent / "hidden"
PUBLIC = Path(__file__).parent / "public"
#: counts and points of the hidden checks of each exercise (their names stay secret)
HIDDEN_MANIFEST = PUBLIC / "hidden_manifest.json"
# pytest's own plugins that a grading run does not need (each costs start-up or, like the
# unraisable-exception and thread-exception plugins, a garbage collection per check)
PYTEST_ARGS = (
    "-p", "no:terminal", "-p", "no:cacheprovider", "-p", "no:warnings", "-p", "no:doctest",
    "-p", "no:junitxml", "-p", "no:pastebin", "-p", "no:stepwise", "-p", "no:debugging",
    "-p", "no:unraisableexception", "-p", "no:threadexception", "-p", "no:faulthandler",
    "-p", "no:logging",
    "--assert=plain", "--noconftest", "--import-mode=importlib", "-c", os.devnull,
    "--rootdir", str(HIDDEN.parent),
)


def suite_path(exercise_id: str) -> Path:
    """Return the path of an exercise's hidden suite."""
    return HIDDEN / f"test_{exercise_id}.py"


def public_suite_path(exercise_id: str) -> Path:
    """Return the path of an exercise's public suite."""
    return PUBLIC / f"test_{exercise_id}.py"


def hidden_available() -> bool:
    """Whether the hidden suites are here (False in a student's release without the key)."""
    return any(HIDDEN.glob("test_ex*.py"))


def suite_paths(exercise_id: str, *, hidden: bool = True) -> list[Path]:
    """Return the suites of an exercise that exist, public first (only it if not ``hidden``)."""
    paths = [public_suite_path(exercise_id)] + ([suite_path(exercise_id)] if hidden else [])
    return [p for p in paths if p.is_file()]


def gradable(exercise_ids: Sequence[str], *, hidden: bool = True) -> list[str]:
    """Return the exercises among these that have a suite."""
    return [e for e in exercise_ids if suite_paths(e, hidden=hidden)]


def hidden_manifest() -> dict[str, dict[str, float]]:
    """Return ``{exNN: {"checks": N, "points": P}}`` for the hidden checks (empty if absent)."""
    try:
        data = json.loads(HIDDEN_MANIFEST.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def build_hidden_manifest(exercise_ids: Sequence[str]) -> dict[str, dict[str, float]]:
    """Collect the hidden suites and count each exercise's hidden checks and points."""
    manifest: dict[str, dict[str, float]] = {}
    for exercise_id, checks in collect_checks(exercise_ids, visibility=True).items():
        hidden = [points for _, points, visibility in checks if visibility == "hidden"]
        manifest[exercise_id] = {"checks": len(hidden), "points": round(sum(hidden), 6)}
    return {e: manifest.get(e, {"checks": 0, "points": 0.0}) for e in exercise_ids}


def write_hidden_manifest(exercise_ids: Sequence[str]) -> Path:
    """Regenerate ``grader/public/hidden_manifest.json`` from the hidden suites."""
    text = json.dumps(build_hidden_manifest(exercise_ids), indent=1, sort_keys=True)
    HIDDEN_MANIFEST.write_text(text + "\n", encoding="utf-8")
    return HIDDEN_MANIFEST


@contextlib.contextmanager
def _isolated_environment() -> Iterator[None]:
    """Keep the user's pytest settings and third-party plugins out of a grading run."""
    keys = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    saved = {k: os.environ.get(k) for k in keys}
    os.environ.pop("PYTEST_ADDOPTS", None)
    os.environ.pop("PYTEST_PLUGINS", None)
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run(exercise_ids: Sequence[str], plugin: object, *, collect_only: bool = False,
        hidden: bool = True) -> int:
    """Run (or only collect) the suites of these exercises with a plugin; return pytest's code."""
    import pytest

    paths = [str(p) for e in exercise_ids for p in suite_paths(e, hidden=hidden)]
    args = paths + list(PYTEST_ARGS)
    if collect_only:
        args.append("--collect-only")
    with _isolated_environment():
        return int(pytest.main(args, plugins=[plugin]))


class _Collector:
    def __init__(self) -> None:
        self.checks: dict[str, list[tuple[str, float, str]]] = {}

    def pytest_configure(self, config: object) -> None:
        from grader.plugin import register_markers

        register_markers(config)

    def pytest_collection_modifyitems(self, items: list) -> None:
        from grader.plugin import check_name, check_points, check_visibility, exercise_of

        for item in items:
            self.checks.setdefault(exercise_of(item), []).append(
                (check_name(item), check_points(item) or 0.0, check_visibility(item)))


def collect_checks(exercise_ids: Sequence[str], *, hidden: bool = True,
                   visibility: bool = False) -> dict[str, list]:
    """Return each exercise's checks as ``(name, points)``, in suite order (public first).

    With ``visibility`` each is ``(name, points, "public" | "hidden")``.
    """
    collector = _Collector()
    run(gradable(exercise_ids, hidden=hidden), collector, collect_only=True, hidden=hidden)
    if visibility:
        return collector.checks
    return {e: [(n, p) for n, p, _ in c] for e, c in collector.checks.items()}
