"""The suites: where they are, how pytest runs them, which checks they hold.

Each exercise has a public suite (``grader/public/test_exNN.py``: checks that need no
reference code, shipped to students in source) and a hidden one (``grader/hidden/``: checks
that compare with the reference, kept sealed). A run collects the public file first, then the
hidden one; ``hidden=False`` (a student's release without the course key) collects only the
public checks.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.util
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType

HIDDEN = Path(__file__).parent / "hidden"
#: a private folder holding an opened sealed bundle (``hidden/``, ``reference/``), or None
_sealed: Path | None = None
PUBLIC = Path(__file__).parent / "public"
#: counts and points of the hidden checks of each exercise (their names stay secret)
HIDDEN_MANIFEST = PUBLIC / "hidden_manifest.json"
# pytest's own plugins that a grading run does not need (each costs start-up or, like the
# unraisable-exception and thread-exception plugins, a garbage collection per check)
PYTEST_ARGS = (
    "-p", "no:terminal", "-p", "no:cacheprovider", "-p", "no:warnings", "-p", "no:doctest",
    "-p", "no:junitxml", "-p", "no:pastebin", "-p", "no:stepwise", "-p", "no:debugging",
    "-p", "no:unraisableexception", "-p", "no:threadexception", "-p", "no:faulthandler",
    "-p", "no:logging", "-p", "no:unittest", "-p", "no:setuponly", "-p", "no:setupplan",
    "-p", "no:subtests", "-p", "no:legacypath",
    "--assert=plain", "--noconftest", "--import-mode=importlib", "-c", os.devnull,
    "--rootdir", str(HIDDEN.parent),
)


def use_sealed(folder: Path | None) -> None:
    """Take the hidden suites and the reference from an opened bundle (None: from here)."""
    global _sealed
    _sealed = None if folder is None else Path(folder)


def sealed_folder() -> Path | None:
    """The private folder of the opened bundle, if one is in use (never readable by a child)."""
    return _sealed


def hidden_folder() -> Path:
    """The folder of the hidden suites: the opened bundle's, else ``grader/hidden``."""
    return _sealed / "hidden" if _sealed is not None else HIDDEN


def reference_module(exercise_id: str) -> ModuleType:
    """Import the reference solution of an exercise: the opened bundle's, else ``reference``."""
    if _sealed is None:
        return importlib.import_module(f"reference.{exercise_id}")
    package = f"_grade_sealed_reference_{hashlib.sha256(str(_sealed).encode()).hexdigest()[:12]}"
    if package not in sys.modules:
        folder = _sealed / "reference"
        spec = importlib.util.spec_from_file_location(
            package, folder / "__init__.py", submodule_search_locations=[str(folder)])
        if spec is None or spec.loader is None or not (folder / "__init__.py").is_file():
            raise FileNotFoundError(f"the opened bundle holds no reference ({folder})")
        module = importlib.util.module_from_spec(spec)
        sys.modules[package] = module
        spec.loader.exec_module(module)
    return importlib.import_module(f"{package}.{exercise_id}")


def suite_path(exercise_id: str) -> Path:
    """Return the path of an exercise's hidden suite."""
    return hidden_folder() / f"test_{exercise_id}.py"


def public_suite_path(exercise_id: str) -> Path:
    """Return the path of an exercise's public suite."""
    return PUBLIC / f"test_{exercise_id}.py"


def hidden_available() -> bool:
    """Whether the hidden suites are here (False in a student's release without the key)."""
    return any(hidden_folder().glob("test_ex*.py"))


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


class Session:
    """One pytest session that collects the suites once and grades many submissions.

    ``pytest.main`` runs in a thread of its own for the session's whole life; our
    ``pytest_runtestloop`` takes the place of pytest's and waits for requests: each runs the
    collected checks of some exercises with the plugin's state of one grading (the same
    protocol, fixtures and hooks as :func:`run`, without importing and collecting the suites
    again). Module-level caches of the suites (fixtures, models, data sets) live as long as
    the session. ``--capture=no``: a session outlives any one grading, and pytest's capture of
    file descriptors 1 and 2 would swallow the caller's own output meanwhile. Use it from one
    thread at a time.
    """

    def __init__(self, exercise_ids: Sequence[str], plugin: object, *,
                 hidden: bool = True) -> None:
        import queue
        import threading

        self.plugin = plugin
        self.exercise_ids = tuple(exercise_ids)
        self.hidden = hidden
        self.problems: list[str] = []
        self._requests: queue.Queue = queue.Queue()
        self._done: queue.Queue = queue.Queue()
        self._items: list = []
        self._code: int | None = None
        self._cache_key: tuple | None = None
        self._cache: object = None
        paths = [str(p) for e in exercise_ids for p in suite_paths(e, hidden=hidden)]
        self._args = paths + list(PYTEST_ARGS) + ["--capture=no"]
        self._thread = threading.Thread(target=self._main, name="grade-pytest-session",
                                        daemon=True)
        self._thread.start()
        ready = self._done.get()
        if ready is not True:
            self._thread.join()
            raise RuntimeError(f"the suites could not be collected: pytest exit code "
                               f"{self._code}; {'; '.join(self.problems)}")

    def _main(self) -> None:
        import pytest

        try:
            with _isolated_environment():
                self._code = int(pytest.main(self._args, plugins=[self.plugin, self]))
        except BaseException as exc:  # noqa: BLE001 - reported to whoever waits
            self.problems.append(f"{type(exc).__name__}: {exc}")
        finally:
            self._done.put(None)  # wakes a caller waiting for the start or a run

    # -- pytest hooks (this object is a plugin of the session) ------------------------------
    def pytest_collection_modifyitems(self, items: list) -> None:  # noqa: D102
        from grader.plugin import collection_problems

        self.problems.extend(collection_problems(items))

    def pytest_runtestloop(self, session) -> bool:  # noqa: D102
        self._items = list(session.items)
        if session.testsfailed:  # a suite did not collect: pytest's own loop stops here too
            self.problems.append(f"{session.testsfailed} error(s) while collecting the suites")
            return True
        self._done.put(True)
        while True:
            request = self._requests.get()
            if request is None:
                return True
            exercise_ids, state = request
            try:
                self._done.put(self._run(session, exercise_ids, state))
            except BaseException as exc:  # noqa: BLE001 - a grader fault of this grading
                state.internal_errors.append(f"the pytest session failed: "
                                             f"{type(exc).__name__}: {exc}")
                self._done.put(3)

    def _run(self, session, exercise_ids: Sequence[str], state) -> int:
        from grader.plugin import exercise_of

        chosen = set(exercise_ids)
        items = [item for item in self._items if exercise_of(item) in chosen]
        self.plugin.state = state
        state.internal_errors.extend(self.problems)
        self.plugin.begin(items)
        failed = session.testsfailed
        for index, item in enumerate(items):
            following = items[index + 1] if index + 1 < len(items) else None
            item.config.hook.pytest_runtest_protocol(item=item, nextitem=following)
            exercise = exercise_of(item)
            if following is None or exercise_of(following) != exercise:
                module = state.modules.get(exercise)
                if module is not None:
                    module.release()  # its child may take the next exercise
        return 1 if session.testsfailed > failed else 0

    # -- the caller's side -----------------------------------------------------------------
    def cache_for(self, seed: int, options: dict | None) -> object:
        """The reference's remembered results for gradings with this seed and these options."""
        from grader.memo import Cache

        key = (seed, repr(sorted((options or {}).items())))
        if self._cache_key != key:
            self._cache_key, self._cache = key, Cache()
        return self._cache

    def run(self, exercise_ids: Sequence[str], state) -> int:
        """Run the checks of these exercises with ``state``; return a pytest-like exit code."""
        unknown = set(exercise_ids) - set(self.exercise_ids)
        if unknown:
            raise ValueError(f"this session did not collect {sorted(unknown)}")
        if not self._thread.is_alive():
            raise RuntimeError("the pytest session has stopped: "
                               + ("; ".join(self.problems) or f"exit code {self._code}"))
        self._requests.put((tuple(exercise_ids), state))
        code = self._done.get()
        if code is None:
            raise RuntimeError("the pytest session stopped while grading: "
                               + ("; ".join(self.problems) or f"exit code {self._code}"))
        return code

    def close(self) -> None:
        """End the session (pytest's own teardown runs)."""
        if self._thread.is_alive():
            self._requests.put(None)
            self._thread.join(timeout=60)

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
