"""Grade one submission: start the worker, run the hidden suites, build the report."""

from __future__ import annotations

import base64
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import grader
from grader import catalog, suites, untouched
from grader.points import Outcome, check_score, exercise_score
from grader.pool import PoolSet, WorkerPool
from grader.problems import GraderError, StudentError, SubmissionProblem
from grader.report import (
    CheckResult,
    ExerciseResult,
    Figure,
    NotGraded,
    Report,
    Sandbox,
    diagnose,
)
from grader.submission import Submission

if TYPE_CHECKING:
    from grader.plugin import CheckRecord, GradingState
    from grader.proxy import StudentModule

MAX_WRITTEN = 20_000
WRITTEN_CHECK = "written answer (graded by the instructor)"
#: the check that names what a notebook's cells held and the grader did not run
NOTEBOOK_CHECK = "notebook: lines not run by the grader"


@dataclass(frozen=True)
class Outcomes:
    """A report, and the grader's own problems met while making it."""

    report: Report
    internal_errors: tuple[str, ...] = ()
    #: seconds each exercise spent waiting on the student's code (import and calls)
    spent: dict[str, float] | None = None


def preload_for(exercise_ids: Sequence[str], submission: Submission | None = None) -> set[str]:
    """Return the modules a worker should import before forking for these exercises.

    With a ``submission`` (one grading, a cold start), a library is preloaded only when the
    exercise's file imports it: the zygote then starts as fast as the submission allows (a
    NumPy-only solution does not wait for SciPy). NumPy and fixtures are always preloaded; a
    library imported some other way is still imported by the child when the code asks for it.
    """
    wanted = set()
    for exercise_id in exercise_ids:
        preload = catalog.get(exercise_id).preload
        imported = _imported(submission, exercise_id) if submission is not None else None
        for name in preload:
            if (imported is None or name == "numpy" or name.startswith("fixture:")
                    or name.split(".")[0] in imported):
                wanted.add(name)
    return wanted


def needs_oracle(exercise_ids: Sequence[str]) -> bool:
    """Whether these exercises' suites call SciPy (the zygote then forks the oracle process)."""
    return any(catalog.get(e).scipy_oracle for e in exercise_ids)


def _imported(submission: Submission, exercise_id: str) -> set[str] | None:
    """The top-level packages an exercise's file imports anywhere (None: cannot tell)."""
    import ast

    source = submission.source(exercise_id)
    if source is None or source.text is None:
        return set()
    try:
        tree = ast.parse(source.text)
    except (SyntaxError, ValueError):
        return None
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def read_paths_for(exercise_ids: Sequence[str], options: dict[str, Any]) -> list[str]:
    """Further folders the worker must read: GPT-2's local files for ``--gpt2``."""
    if not options.get("gpt2") or "ex13" not in exercise_ids:
        return []
    from grader.fixtures.language_model import find_gpt2

    folder = find_gpt2()[0]
    if folder is None:
        return []
    snapshot = Path(folder)
    # a snapshot's files are links into the repository's blobs/: allow the whole repository
    return [str(snapshot.parents[1] if snapshot.parent.name == "snapshots" else snapshot)]


def grade(submission: Submission, *, exercise_ids: Sequence[str], seed: int,
          call_timeout: float | None = None, pool: WorkerPool | PoolSet | None = None,
          options: dict[str, Any] | None = None, require_full: bool = False,
          skip_untouched: bool = True, hidden_available: bool | None = None,
          session: suites.Session | None = None, reuse_children: bool = False) -> Outcomes:
    """Grade the given exercises of a submission with the given seed.

    ``options`` reach the hidden suites through the ``options`` fixture (``mnist``: a
    folder of MNIST IDX files; ``gpt2``: use a locally cached GPT-2). A ``pool`` may be
    shared by many gradings (batch grading, the project's tests); without one, a worker is
    started first thing so that its imports overlap with pytest's.

    An exercise whose file is still the untouched stub (``grader.untouched``) is reported
    ``not_attempted`` with the checks its suite would list, without a child or its suite
    (``skip_untouched=False`` runs them anyway: the project's tests compare the two).

    ``hidden_available=False`` (default: whether ``grader/hidden`` holds suites) grades the
    public checks only, as a student's release without the course key does: ``max_score``
    then counts public points, and the report says how many hidden checks (and points,
    from ``grader/public/hidden_manifest.json``) were not graded.

    ``reuse_children`` (batch grading, with a ``session``): an exercise's child imports the
    submission's next exercise of the same zygote when its checks are done, instead of a
    child per exercise (:class:`grader.proxy.ChildReuse`).
    """
    started = time.monotonic()
    hidden = suites.hidden_available() if hidden_available is None else hidden_available
    if session is not None and session.hidden != hidden:
        raise ValueError("the pytest session was collected with other suites (hidden="
                         f"{session.hidden}) than this grading needs (hidden={hidden})")
    stubs = _untouched(submission, exercise_ids, hidden=hidden) if skip_untouched else {}
    to_run = [e for e in exercise_ids if e not in stubs]
    own_pool = pool is None
    if pool is None:
        pool = WorkerPool(preload=preload_for(to_run, submission), require_full=require_full,
                          read_paths=read_paths_for(to_run, options or {}),
                          oracle=needs_oracle(to_run))
    oracle = getattr(pool, "oracle", None) if to_run else None  # a PoolSet has none
    if oracle is not None:
        from grader import oracles

        oracles.connect(oracle)
    modules: dict[str, StudentModule] = {}
    reuses: dict[int, Any] = {}  # a ChildReuse per zygote (reuse_children)
    try:
        if require_full:
            pool.sandbox()  # refuses (SandboxUnavailable) before anything is graded
        state = None
        if to_run:  # pytest and the plugin are imported only when a suite runs
            from grader.plugin import GradingPlugin, GradingState
            from grader.proxy import StudentModule

            state = GradingState(seed=seed, modules=modules, options=dict(options or {}),
                                 reference_cache=session.cache_for(seed, options)
                                 if session is not None else None)
            files = {s.filename: s.text for s in submission.sources.values()
                     if s.text is not None}
            for exercise_id in to_run:
                exercise = catalog.get(exercise_id)
                source = submission.source(exercise_id)
                exercise_pool = pool.for_exercise(exercise)
                reuse = None
                if reuse_children:
                    from grader.proxy import ChildReuse

                    reuse = reuses.setdefault(id(exercise_pool), ChildReuse())
                modules[exercise_id] = StudentModule(
                    pool=exercise_pool, exercise=exercise, files=files,
                    problem=source.problem if source is not None else None,
                    call_timeout=call_timeout, on_printed=state.printed.append,
                    on_figure=state.figure_recorder(exercise_id), reuse=reuse)
                if reuse is not None:
                    reuse.cpu_seconds += modules[exercise_id].cpu_seconds()
            if session is not None:
                code = session.run(to_run, state)
            else:
                code = suites.run(to_run, GradingPlugin(state), hidden=hidden)
            if code not in (0, 1):
                state.internal_errors.append(f"pytest stopped with exit code {code}")
        results = tuple(_with_notes(_untouched_result(catalog.get(e), stubs[e]) if e in stubs
                                    else _exercise_result(catalog.get(e), state),
                                    submission.source(e)) for e in exercise_ids)
        level = pool.sandbox()
    finally:
        spent = {e: m.spent for e, m in modules.items()}
        for module in modules.values():
            module.close()
        for reuse in reuses.values():
            reuse.close()
        if oracle is not None:
            oracles.connect(None)
        if own_pool:
            pool.close()
    report = Report(submission=submission.name, seed=seed,
                    score=round(sum(r.score for r in results), 6),
                    max_score=float(sum(r.max_score for r in results)),
                    duration_s=time.monotonic() - started,
                    grader_version=grader.__version__, exercises=results,
                    sandbox=Sandbox(level.level, level.missing, level.layers),
                    hidden_not_graded=None if hidden else _not_graded(exercise_ids))
    return Outcomes(report, tuple(state.internal_errors) if state is not None else (), spent)


def new_session(exercise_ids: Sequence[str], *, hidden: bool | None = None) -> suites.Session:
    """A pytest session that collects these exercises' suites once, for many gradings.

    Pass it to :func:`grade` as ``session`` (with the same exercises or fewer): each grading
    then runs the collected checks again instead of starting pytest and importing the suites
    (batch grading; ``close()`` it at the end).
    """
    from grader.plugin import GradingPlugin, GradingState

    hidden = suites.hidden_available() if hidden is None else hidden
    plugin = GradingPlugin(GradingState(seed=0, modules={}))
    return suites.Session(suites.gradable(exercise_ids, hidden=hidden), plugin, hidden=hidden)


def _with_notes(result: ExerciseResult, source) -> ExerciseResult:
    """Add a notebook's notes (magics, top-level statements not run) as a manual check."""
    notes = getattr(source, "notes", ()) if source is not None else ()
    if not notes:
        return result
    shown = list(notes[:30]) + ([f"... and {len(notes) - 30} more"] if len(notes) > 30 else [])
    check = CheckResult(NOTEBOOK_CHECK, 0.0, 0.0, "manual", "\n".join(shown))
    return replace(result, checks=(*result.checks, check))


def _not_graded(exercise_ids: Sequence[str]) -> NotGraded:
    """The hidden checks of these exercises, counted from the manifest (names stay secret)."""
    manifest = suites.hidden_manifest()
    entries = [manifest.get(e, {}) for e in exercise_ids]
    return NotGraded(sum(int(m.get("checks", 0)) for m in entries),
                     round(sum(float(m.get("points", 0.0)) for m in entries), 6))


def _untouched(submission: Submission, exercise_ids: Sequence[str], *, hidden: bool = True
               ) -> dict[str, untouched.Untouched]:
    """The exercises whose file is still the stub, with the checks their suites hold."""
    found = {}
    for exercise_id in exercise_ids:
        source = submission.source(exercise_id)
        if source is None or source.problem is not None or source.text is None:
            continue
        plan = untouched.plan(catalog.get(exercise_id), source.text,
                              suites.suite_paths(exercise_id, hidden=hidden))
        if plan is not None:
            found[exercise_id] = plan
    return found


def _untouched_result(exercise: catalog.Exercise, plan: untouched.Untouched
                      ) -> ExerciseResult:
    """The result of running an untouched stub's suite: each check meets NotImplementedError."""
    checks, outcomes = [], []
    for stub in plan.checks:
        error = StudentError(stub.function, {"type": "NotImplementedError"})
        outcome = Outcome(error.status, stub.points, not_implemented=error.not_implemented)
        outcomes.append(outcome)
        checks.append(CheckResult(stub.name, check_score(outcome), stub.points, error.status,
                                  error.feedback, 0.0, stub.visibility, stub.detail))
    score, max_score, status = exercise_score(outcomes, module="ok")
    written = None
    if exercise.written:
        written, check = _written_check(plan.written, exercise.filename)
        checks.append(check)
    return ExerciseResult(exercise.id, exercise.title, score, max_score, status,
                          tuple(checks), written=written)


def _exercise_result(exercise: catalog.Exercise, state: GradingState) -> ExerciseResult:
    records = [r for r in state.records if r.exercise == exercise.id]
    if not records:
        raise GraderError(f"the hidden suite of {exercise.id} produced no checks")
    module = state.modules[exercise.id]
    status = module.status()
    state_name = "ok" if status.ok else ("missing" if status.missing else "error")
    outcomes = [Outcome(r.status, r.points, fraction=r.credit,
                        not_implemented=r.not_implemented) for r in records]
    score, max_score, ex_status = exercise_score(outcomes, module=state_name)
    checks = [_check_result(r, o, state_name) for r, o in zip(records, outcomes, strict=True)]
    written = None
    if exercise.written and status.ok:
        written, check = _written_answer(module)
        checks.append(check)
    figures = tuple(Figure(caption, base64.b64encode(png).decode("ascii"))
                    for caption, png in state.figures.get(exercise.id, {}).items())
    return ExerciseResult(exercise.id, exercise.title, score, max_score, ex_status,
                          tuple(checks), message=None if status.ok else status.problem,
                          written=written, figures=figures, diagnosis=diagnose(checks))


def _check_result(record: CheckRecord, outcome: Outcome, module: str) -> CheckResult:
    if module != "ok":
        why = ("not submitted" if module == "missing"
               else "not graded (see the exercise's message)")
        return CheckResult(record.name, 0.0, record.points, "error", why, record.duration_s,
                           record.visibility, record.detail)
    return CheckResult(record.name, check_score(outcome), record.points, record.status,
                       record.feedback, record.duration_s, record.visibility, record.detail)


def _written_answer(module: StudentModule) -> tuple[str | None, CheckResult]:
    """Fetch ``WRITTEN_ANSWER`` for the instructor; it earns no automatic points."""
    if "WRITTEN_ANSWER" not in module.status().names:
        return None, CheckResult(WRITTEN_CHECK, 0.0, 0.0, "manual",
                                 f"{module.exercise.filename} has no WRITTEN_ANSWER: keep it "
                                 "from the stub and write your answer in it")
    try:
        text = module.attribute("WRITTEN_ANSWER")
    except SubmissionProblem as problem:
        return None, CheckResult(WRITTEN_CHECK, 0.0, 0.0, "manual",
                                 f"could not read WRITTEN_ANSWER: {problem.feedback}")
    return _written_check(text, module.exercise.filename)


def _written_check(text: Any, filename: str) -> tuple[str | None, CheckResult]:
    """The manual check of a ``WRITTEN_ANSWER`` value (None: the module has none)."""
    if text is None:
        return None, CheckResult(WRITTEN_CHECK, 0.0, 0.0, "manual",
                                 f"{filename} has no WRITTEN_ANSWER: keep it "
                                 "from the stub and write your answer in it")
    if not isinstance(text, str):
        return None, CheckResult(WRITTEN_CHECK, 0.0, 0.0, "manual",
                                 "WRITTEN_ANSWER should be a string of prose")
    text = text.strip()[:MAX_WRITTEN]
    if not text or catalog.WRITTEN_PLACEHOLDER in text:
        return text, CheckResult(WRITTEN_CHECK, 0.0, 0.0, "manual",
                                 "no written answer yet: write it in WRITTEN_ANSWER")
    return text, CheckResult(WRITTEN_CHECK, 0.0, 0.0, "manual", "")
