"""The hidden suites: where they are, how pytest runs them, which checks they hold."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

HIDDEN = Path(__file__).parent / "hidden"
PYTEST_ARGS = (
    "-p", "no:terminal", "-p", "no:cacheprovider", "-p", "no:warnings", "-p", "no:doctest",
    "-p", "no:junitxml", "-p", "no:pastebin", "-p", "no:stepwise", "-p", "no:debugging",
    "--assert=plain", "--noconftest", "--import-mode=importlib", "-c", os.devnull,
    "--rootdir", str(HIDDEN),
)


def suite_path(exercise_id: str) -> Path:
    """Return the path of an exercise's hidden suite."""
    return HIDDEN / f"test_{exercise_id}.py"


def gradable(exercise_ids: Sequence[str]) -> list[str]:
    """Return the exercises among these that have a hidden suite."""
    return [e for e in exercise_ids if suite_path(e).is_file()]


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


def run(exercise_ids: Sequence[str], plugin: object, *, collect_only: bool = False) -> int:
    """Run (or only collect) the suites of these exercises with a plugin; return pytest's code."""
    import pytest

    args = [str(suite_path(e)) for e in exercise_ids] + list(PYTEST_ARGS)
    if collect_only:
        args.append("--collect-only")
    with _isolated_environment():
        return int(pytest.main(args, plugins=[plugin]))


class _Collector:
    def __init__(self) -> None:
        self.checks: dict[str, list[tuple[str, float]]] = {}

    def pytest_configure(self, config: object) -> None:
        from grader.plugin import register_markers

        register_markers(config)

    def pytest_collection_modifyitems(self, items: list) -> None:
        from grader.plugin import check_name, check_points, exercise_of

        for item in items:
            self.checks.setdefault(exercise_of(item), []).append(
                (check_name(item), check_points(item) or 0.0))


def collect_checks(exercise_ids: Sequence[str]) -> dict[str, list[tuple[str, float]]]:
    """Return each exercise's checks as ``(name, points)``, in suite order."""
    collector = _Collector()
    run(gradable(exercise_ids), collector, collect_only=True)
    return collector.checks
