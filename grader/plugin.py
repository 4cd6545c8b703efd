"""The pytest plugin: markers, the ``student``/``ref``/``seed``/``rng`` fixtures, results.

A hidden suite is an ordinary pytest module ``test_exNN.py``. Each test is one check;
``@pytest.mark.points(2)`` gives its points and the first line of its docstring its
name. The plugin turns each test's outcome into a :class:`CheckRecord`; anything a hidden
test raises that is not a check failure or a submission problem is recorded as an
internal grader error, never blamed on the student.
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from grader.checks import CheckFailure
from grader.detail import PRINTED
from grader.problems import StudentError, SubmissionProblem
from grader.proxy import StudentModule
from grader.report import DETAILS

MAX_PRINTED_FEEDBACK = 600


@dataclass
class CheckRecord:
    """The outcome of one hidden test."""

    exercise: str
    name: str
    points: float
    status: str
    feedback: str = ""
    duration_s: float = 0.0
    not_implemented: bool = False
    credit: float = 0.0
    visibility: str = "hidden"
    detail: str = "full"


@dataclass
class GradingState:
    """What the plugin needs from the run and what it gives back."""

    seed: int
    modules: dict[str, StudentModule]
    options: dict[str, Any] = field(default_factory=dict)
    records: list[CheckRecord] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    printed: list[str] = field(default_factory=list)
    figures: dict[str, dict[str, bytes]] = field(default_factory=dict)
    #: the reference's remembered results (a batch's pytest session), or None
    reference_cache: Any = None

    def figure_recorder(self, exercise_id: str) -> Callable[[str, bytes], None]:
        """Return a callback that keeps an exercise's figures (one per function) for the report."""

        def record(caption: str, png: bytes) -> None:
            self.figures.setdefault(exercise_id, {})[caption] = png

        return record


def register_markers(config: pytest.Config) -> None:
    """Register the markers the hidden suites use."""
    config.addinivalue_line("markers", "points(n): the points a check is worth")
    config.addinivalue_line(
        "markers", "public: a check that needs no reference code and ships to students")
    config.addinivalue_line(
        "markers", "feedback(detail): what a student sees of the check: 'full' (the default), "
                   "'summary' (result and hints, no values) or 'after_due' (nothing of its "
                   "result before the due date)")


def check_visibility(item: pytest.Item) -> str:
    """Return ``"public"`` for a check marked ``@pytest.mark.public``, else ``"hidden"``."""
    return "public" if item.get_closest_marker("public") is not None else "hidden"


def check_detail(item: pytest.Item) -> str | None:
    """Return a check's ``@pytest.mark.feedback(...)`` detail (default ``"full"``); None if bad."""
    marker = item.get_closest_marker("feedback")
    if marker is None:
        return "full"
    if len(marker.args) != 1 or marker.kwargs or marker.args[0] not in DETAILS:
        return None
    return marker.args[0]


def public_uses_reference(item: pytest.Item) -> bool:
    """Whether a public check requests the ``ref`` fixture (directly or through a fixture)."""
    return check_visibility(item) == "public" and "ref" in getattr(item, "fixturenames", ())


def exercise_of(item: pytest.Item) -> str:
    """Return ``exNN`` for a test in ``test_exNN.py``."""
    stem = item.path.stem
    if not stem.startswith("test_ex"):
        raise ValueError(f"{item.nodeid} is not in a test_exNN.py suite")
    return stem.removeprefix("test_")


def check_name(item: pytest.Item) -> str:
    """Return a check's name: the docstring's first line, plus the parameter id if any."""
    doc = (getattr(item, "function", None).__doc__ or "").strip()
    name = doc.splitlines()[0].strip() if doc else item.name
    callspec = getattr(item, "callspec", None)
    if callspec is not None and callspec.id:
        name += f" [{callspec.id}]"
    return name


def check_points(item: pytest.Item) -> float | None:
    """Return the points of a check, or None when it has no valid points marker."""
    marker = item.get_closest_marker("points")
    if marker is None or len(marker.args) != 1:
        return None
    points = marker.args[0]
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
        return None
    return float(points)


def classify(error: BaseException) -> tuple[str, str, bool, bool]:
    """Return ``(status, feedback, not_implemented, internal)`` for a check's exception."""
    if isinstance(error, CheckFailure):
        return "failed", error.feedback, False, False
    if isinstance(error, SubmissionProblem):
        not_implemented = isinstance(error, StudentError) and error.not_implemented
        return error.status, error.feedback, not_implemented, False
    if isinstance(error, pytest.fail.Exception):
        return "failed", str(error.msg or "the check failed"), False, False
    if isinstance(error, AssertionError):
        return "failed", str(error) or "the result does not satisfy this check", False, False
    text = f"{type(error).__name__}: {error}"
    return ("error", f"internal grader error in this check (not your fault): {text}",
            False, True)


def collection_problems(items: list[pytest.Item]) -> list[str]:
    """What is wrong with collected checks (a grader's fault): points, markers, ``ref`` use."""
    problems = []
    for item in items:
        if check_points(item) is None:
            problems.append(f"{item.nodeid} has no valid @pytest.mark.points(n) marker")
        if check_detail(item) is None:
            problems.append(f"{item.nodeid} has a @pytest.mark.feedback marker that is not one "
                            "of 'full', 'summary' or 'after_due'")
        if public_uses_reference(item):
            problems.append(f"{item.nodeid} is a public check but requests the ref fixture")
    return problems


class GradingPlugin:
    """Registered with ``pytest.main(plugins=[...])`` by the runner."""

    def __init__(self, state: GradingState) -> None:
        self.state = state
        self._setup_s: dict[str, float] = {}

    # -- configuration and collection ------------------------------------------------
    def pytest_configure(self, config: pytest.Config) -> None:
        """Register the markers of the hidden suites."""
        register_markers(config)

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Check every test has points; start the exercises' children early."""
        self.state.internal_errors.extend(collection_problems(items))
        self.begin(items)

    def begin(self, items: list[pytest.Item]) -> None:
        """Start the children of the exercises these checks grade (before their set-up)."""
        self._setup_s.clear()
        reuses = set()  # a ChildReuse's later exercises wait for the child it hands on
        for exercise in dict.fromkeys(exercise_of(i) for i in items):
            module = self.state.modules.get(exercise)
            if module is None or module.reuse in reuses:
                continue
            module.start()  # the children import while the first checks are set up
            if module.reuse is not None:
                reuses.add(module.reuse)
        if "torch" in sys.modules:
            # one thread, as in the worker: a grader must not fight its neighbours for cores
            # (on a loaded machine torch's thread pool makes small operations 1000x slower)
            sys.modules["torch"].set_num_threads(1)

    # -- fixtures ------------------------------------------------------------------------
    @pytest.fixture
    def student(self, request: pytest.FixtureRequest) -> StudentModule:
        """The submission's module for this suite's exercise, living in the worker."""
        module = self.state.modules[exercise_of(request.node)]
        module.require()
        return module

    @pytest.fixture
    def ref(self, request: pytest.FixtureRequest) -> Any:
        """The reference solution of this suite's exercise (trusted process only)."""
        if check_visibility(request.node) == "public":
            raise RuntimeError("a public check may not use the reference (the ref fixture)")
        from grader import suites

        module = suites.reference_module(exercise_of(request.node))
        if self.state.reference_cache is None:
            return module
        from grader.memo import MemoReference

        return MemoReference(module, self.state.reference_cache)

    @pytest.fixture
    def seed(self) -> int:
        """The run's seed (``--seed``)."""
        return self.state.seed

    @pytest.fixture
    def options(self) -> dict[str, Any]:
        """Run options from the command line (``mnist``: a folder of IDX files, ``gpt2``)."""
        return dict(self.state.options)

    @pytest.fixture
    def rng(self, request: pytest.FixtureRequest) -> np.random.Generator:
        """A generator seeded by the run's seed and the check's name: same seed, same cases."""
        key = zlib.crc32(f"{exercise_of(request.node)}::{request.node.name}".encode())
        return np.random.default_rng([self.state.seed, key])

    # -- results -------------------------------------------------------------------------
    def pytest_runtest_logstart(self, nodeid: str) -> None:
        """Start a check: clear what the student printed."""
        self.state.printed.clear()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> Any:
        """Record each check's outcome when its call (or failed setup) ends."""
        outcome = yield
        report = outcome.get_result()
        if call.when == "setup":
            self._setup_s[item.nodeid] = call.duration
        if call.when == "teardown" and report.failed:
            self.state.internal_errors.append(f"{item.nodeid}: teardown failed")
        if call.when == "call" or (call.when == "setup" and not report.passed):
            self._record(item, call)

    @pytest.hookimpl(tryfirst=True, specname="pytest_runtest_makereport")
    def pytest_brief_report(self, item: pytest.Item, call: pytest.CallInfo
                            ) -> pytest.TestReport | None:
        """The report of a failed phase, without pytest's traceback text.

        pytest renders every failure's traceback with source excerpts (parsing each file of
        the traceback again), about 35 ms a failure; grading never shows it: the feedback
        is built from the exception itself (:meth:`_record`). Skips keep pytest's report.
        """
        if call.excinfo is None or isinstance(call.excinfo.value, pytest.skip.Exception):
            return None
        return pytest.TestReport(item.nodeid, item.location, dict.fromkeys(item.keywords, 1),
                                 "failed", f"{call.when} failed: {call.excinfo.typename}",
                                 call.when, (), call.duration, call.start, call.stop,
                                 user_properties=item.user_properties)

    def _record(self, item: pytest.Item, call: pytest.CallInfo) -> None:
        points = check_points(item) or 0.0
        # the check's own time: its set-up (fixtures) and its call, as pytest measured them
        duration = self._setup_s.pop(item.nodeid, 0.0) + (call.duration if call.when == "call"
                                                           else 0.0)
        record = CheckRecord(exercise_of(item), check_name(item), points, "passed",
                             duration_s=duration, visibility=check_visibility(item),
                             detail=check_detail(item) or "full")
        if call.excinfo is not None:
            error = call.excinfo.value
            if isinstance(error, pytest.skip.Exception):
                status, feedback, not_implemented, internal = (
                    "error", f"internal grader error: check skipped ({error})", False, True)
            else:
                status, feedback, not_implemented, internal = classify(error)
            if internal:
                self.state.internal_errors.append(f"{item.nodeid}: {feedback}")
            printed = "".join(self.state.printed).strip()
            if printed and not internal:
                if len(printed) > MAX_PRINTED_FEEDBACK:
                    printed = printed[:MAX_PRINTED_FEEDBACK] + " ..."
                feedback += f"{PRINTED}{printed}"
            record.status, record.feedback = status, feedback
            record.not_implemented = not_implemented
            record.credit = getattr(error, "credit", 0.0) if status == "failed" else 0.0
        self.state.records.append(record)
