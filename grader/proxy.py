"""Trusted side of a call: ``student.entropy(p)`` becomes a request to a sandboxed child.

One :class:`StudentModule` per exercise owns one child at a time. A call that runs past
its time limit, crashes the child or answers with something that is not plain data kills
the child (with its process group); the next call forks a fresh one and imports the
module again, so one bad call fails one check only.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from grader import codec, wire
from grader.catalog import Exercise
from grader.figures import FigureFacts, parse_figure
from grader.pool import ChildProcess, WorkerPool
from grader.problems import (
    ArgumentsUnavailable,
    BadResult,
    GraderError,
    ImportFailed,
    MemoryLimit,
    NoResult,
    NotSubmitted,
    StudentTimeout,
    SubmissionProblem,
    raise_student_error,
)

MAX_ANSWER = (64 << 20) + (1 << 20)
MEMORY_MIB = 3072
IMPORT_TIMEOUT = 10.0


@dataclass(frozen=True)
class ImportStatus:
    """How the exercise's module imported: ``ok``, or the problem in the student's terms."""

    ok: bool
    problem: str = ""
    names: dict[str, str] = field(default_factory=dict)
    missing: bool = False          # the submission has no file for the exercise


@dataclass(frozen=True)
class GradResult:
    """A tensor-valued call with the gradients its backward pass produced."""

    value: Any
    grads: list[Any] | None
    facts: dict[str, Any]


class ChildReuse:
    """One grading's children of one zygote, handed on from exercise to exercise.

    Batch grading: when an exercise's checks are done its child imports the submission's
    next exercise of the same zygote (a ``load`` request) instead of a new child being
    forked and confined for it. All the children's code is the same student's, so nothing
    crosses between students; a child that died, timed out or still runs a thread of its
    own is never handed on (a fresh child takes the next exercise). ``cpu_seconds`` is the
    CPU limit of a child that may serve them all (the sum of their own limits).
    """

    def __init__(self) -> None:
        self.idle: ChildProcess | None = None
        self.cpu_seconds = 0

    def take(self) -> ChildProcess | None:
        """The child the last exercise left, if it is still alive."""
        child, self.idle = self.idle, None
        if child is not None and not child.alive():
            child.kill()
            return None
        return child

    def give(self, child: ChildProcess) -> None:
        """Keep a child for the next exercise."""
        if self.idle is not None:
            self.idle.kill()
        self.idle = child

    def close(self) -> None:
        """Kill the child no exercise took."""
        if self.idle is not None:
            self.idle.kill()
            self.idle = None


class StudentModule:
    """The student's module for one exercise, living in a child process."""

    def __init__(self, *, pool: WorkerPool, exercise: Exercise, files: dict[str, str],
                 problem: str | None = None, call_timeout: float | None = None,
                 limits: dict | None = None, import_timeout: float | None = None,
                 on_printed: Callable[[str], None] | None = None,
                 on_figure: Callable[[str, bytes], None] | None = None,
                 reuse: ChildReuse | None = None) -> None:
        self._pool = pool
        self.reuse = reuse
        self._kept: dict[str, tuple[bool, Any]] = {}  # attributes read before handing on
        self.exercise = exercise
        self._files = files
        self._problem = problem
        self.call_timeout = call_timeout or exercise.call_timeout
        # a longer --timeout (a slow machine) stretches the exercise's budget alike
        self.budget = exercise.budget * max(1.0, self.call_timeout / exercise.call_timeout)
        self.import_timeout = import_timeout or max(IMPORT_TIMEOUT, self.call_timeout)
        self._limits = limits or {}
        self._on_printed = on_printed or (lambda text: None)
        self.on_figure = on_figure or (lambda caption, png: None)
        self._child: ChildProcess | None = None
        self._reused = False
        self._loading = False
        self._status: ImportStatus | None = None
        self.spent = 0.0
        self.figures: dict[tuple[str, str], FigureFacts] = {}
        self.memo: dict[tuple[str, str], tuple[bool, Any]] = {}

    # -- loading ---------------------------------------------------------------------
    def cpu_seconds(self) -> int:
        """The CPU limit of this exercise's own child."""
        return int(self.budget * 2 + 30)

    def start(self, *, fresh: bool = False) -> None:
        """Fork a child (or take the one the last exercise left) and send it the module.

        Does not wait for the import.
        """
        if self._child is not None or self._problem is not None:
            return
        if self.exercise.filename not in self._files:
            return
        taken = None if fresh or self.reuse is None else self.reuse.take()
        self._reused = taken is not None
        self._child = taken or self._pool.spawn()
        cpu_seconds = self.cpu_seconds()
        if self.reuse is not None:
            cpu_seconds = max(cpu_seconds, self.reuse.cpu_seconds)
        limits = {"memory_mib": MEMORY_MIB, "cpu_per_call": self.call_timeout + 1,
                  "cpu_seconds": cpu_seconds, **self._limits}
        message = {"op": "load", "exercise": self.exercise.id, "files": self._files,
                   "limits": limits, "require_full": self._pool.require_full}
        try:
            wire.send(self._child.sock, message, deadline=time.monotonic() + self.import_timeout)
        except (OSError, TimeoutError):
            pass  # the answer (or its absence) says what happened
        self._loading = True

    def status(self) -> ImportStatus:
        """Import the module if that is not done yet; return how it went."""
        if self._status is None:
            self._status = self._load()
        return self._status

    def _load(self) -> ImportStatus:
        filename = self.exercise.filename
        if self._problem is not None:
            return ImportStatus(False, self._problem)
        if filename not in self._files:
            return ImportStatus(False, f"the submission has no {filename}", missing=True)
        self.start()
        assert self._child is not None
        self._loading = False
        timeout = self.import_timeout
        started = time.monotonic()
        try:
            reply, _ = wire.recv(self._child.sock, limit=MAX_ANSWER,
                                 deadline=started + timeout)
        except TimeoutError:
            self._discard()
            return ImportStatus(False, f"importing {filename} took longer than {timeout:g} s "
                                       "(is there a long computation or a loop at the top "
                                       "level of the file?)")
        except (wire.WireError, OSError):
            self._discard()
            return ImportStatus(False, f"{filename} exited or crashed while being imported "
                                       "(os._exit() or a crash at the top level?)")
        finally:
            self.spent += time.monotonic() - started
        if not isinstance(reply, dict):
            self._discard()
            return ImportStatus(False, f"{filename} did not import (no valid answer)")
        if self._reused and reply.get("not_reusable"):
            self._discard()  # the last exercise left a thread running: a fresh child
            self.start(fresh=True)
            return self._load()
        if "sandbox_failed" in reply:
            self._discard()
            raise GraderError(f"the sandbox could not be applied: {reply['sandbox_failed']}")
        self._report_printed(reply)
        if not reply.get("ok"):
            self._discard()
            return ImportStatus(False, _import_problem(filename, reply.get("error", {})))
        names = reply.get("names")
        names = {str(k): str(v) for k, v in names.items()} if isinstance(names, dict) else {}
        absent = [n for n in self.exercise.names if names.get(n) != "function"]
        if absent:
            listed = ", ".join(absent)
            return ImportStatus(False, f"{filename} does not define {listed} as a function "
                                       "(keep every function of the stub, even unfinished)",
                                names=names)
        return ImportStatus(True, names=names)

    def require(self) -> None:
        """Raise the problem that stops this exercise from being graded, if any."""
        status = self.status()
        if status.missing:
            raise NotSubmitted(status.problem)
        if not status.ok:
            raise ImportFailed(f"not graded: {status.problem}")

    def _discard(self) -> None:
        if self._child is not None:
            self._child.kill()
            self._child = None

    def close(self) -> None:
        """Kill the child."""
        self._discard()

    def release(self) -> None:
        """The exercise's checks are done: hand the child on to the next exercise.

        What the report still reads from the module afterwards (``WRITTEN_ANSWER``) is read
        first. Without a :class:`ChildReuse`, or with no healthy child, nothing happens.
        """
        if self.reuse is None or self._child is None or self._loading:
            return
        status = self.status()
        if self.exercise.written and status.ok and "WRITTEN_ANSWER" in status.names:
            try:
                self._kept["WRITTEN_ANSWER"] = (True, self.attribute("WRITTEN_ANSWER"))
            except SubmissionProblem as problem:
                self._kept["WRITTEN_ANSWER"] = (False, problem)
        if self._child is not None and self._child.alive():
            self.reuse.give(self._child)
            self._child = None

    # -- calls -----------------------------------------------------------------------
    def request(self, op: str, name: str, payload: dict, *, what: str) -> dict:
        """Send one request and return the decoded answer; raise a SubmissionProblem."""
        self.require()
        remaining = self.budget - self.spent
        if remaining <= 0:
            self._discard()  # whatever it still runs (a thread, a loop) stops here
            raise StudentTimeout(f"not run: the time budget of {self.exercise.id} "
                                 f"({self.budget:g} s) is used up")
        if self._child is None:
            self._status = None
            self.require()  # a fresh child after a crash or a timeout
        assert self._child is not None
        tree, blobs = codec.encode(payload)
        started = time.monotonic()
        timeout = min(self.call_timeout, remaining)
        deadline = started + timeout
        try:
            wire.send(self._child.sock, {"op": op, "name": name, **tree_fields(tree)}, blobs,
                      deadline=deadline)
            reply, answer_blobs = wire.recv(self._child.sock, limit=MAX_ANSWER,
                                            deadline=deadline)
        except TimeoutError:
            self._discard()
            if timeout < self.call_timeout:
                raise StudentTimeout(f"{what} was stopped: the time budget of "
                                     f"{self.exercise.id} ({self.budget:g} s) is "
                                     "used up") from None
            raise StudentTimeout(f"{what} did not finish within {timeout:g} s and was stopped"
                                 ) from None
        except wire.FrameTooLarge as exc:
            self._discard()
            raise BadResult(f"{what} returned a result that is too large ({exc})") from None
        except (wire.WireError, OSError):
            self._discard()
            raise NoResult(f"no result from {what} (the function exited or crashed)") from None
        finally:
            self.spent += time.monotonic() - started
        if not isinstance(reply, dict):
            self._discard()
            raise BadResult(f"no valid answer from {what}")
        self._report_printed(reply)
        if "too_large" in reply:
            raise BadResult(f"{what} returned a result that is too large: {reply['too_large']}")
        if "unsendable" in reply:
            raise BadResult(f"{what} returned a value the grader cannot read: "
                            f"{reply['unsendable']}")
        if "arguments_failed" in reply:
            raise ArgumentsUnavailable(f"the worker could not build the arguments of {what}: "
                                       f"{reply['arguments_failed']}")
        if not reply.get("ok"):
            error = reply.get("error")
            error = error if isinstance(error, dict) else {}
            self._resource_problem(error, what)
            _unrendered(error, what)
            raise_student_error(name, error)
        try:
            answer = codec.decode(reply.get("result"), answer_blobs, tensor=codec.torch_tensor)
        except codec.CodecError as exc:
            self._discard()
            raise BadResult(f"{what} returned something that is not plain data: {exc}"
                            ) from None
        if not isinstance(answer, dict):
            raise BadResult(f"no valid answer from {what}")
        return answer

    def _resource_problem(self, error: dict, what: str) -> None:
        """Turn running out of memory or CPU time into a clear problem (and a fresh child)."""
        kind, message = str(error.get("type", "")), str(error.get("message", ""))
        if kind == "MemoryError" or "can't allocate memory" in message:
            self._discard()
            raise MemoryLimit(f"{what}: memory limit ({MEMORY_MIB} MiB) exceeded")
        if kind == "CpuTimeExceeded":
            self._discard()
            raise StudentTimeout(f"{what} used more than {self.call_timeout:g} s of CPU time "
                                 "and was stopped")

    def _report_printed(self, reply: dict) -> None:
        printed = reply.get("printed")
        if isinstance(printed, str) and printed:
            self._on_printed(printed[:8192])

    def __getattr__(self, name: str) -> StudentFunction:
        if name.startswith("_"):
            raise AttributeError(name)
        return StudentFunction(self, name)

    def attribute(self, name: str) -> Any:
        """Return the value of a module attribute (e.g. ``WRITTEN_ANSWER``)."""
        if name in self._kept:
            ok, value = self._kept[name]
            if not ok:
                raise value
            return value
        return self.request("get", name, {}, what=f"reading {name}")["value"]


def _fingerprint(value: Any) -> str:
    """A digest of a value's plain-data encoding (arrays included)."""
    tree, blobs = codec.encode(value)
    digest = hashlib.sha256(json.dumps(tree, sort_keys=True, allow_nan=False).encode())
    for blob in blobs:
        digest.update(blob)
    return digest.hexdigest()


def tree_fields(tree: Any) -> dict:
    """Spread an encoded payload dict into request fields (its keys are plain strings)."""
    return {str(k): v for k, v in tree["d"]} if isinstance(tree, dict) and "d" in tree else {}


class StudentFunction:
    """A function of the student's module; calling it calls it in the child."""

    def __init__(self, module: StudentModule, name: str) -> None:
        self.module = module
        self.name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the student's function in the worker; return its plain-data value."""
        answer = self.module.request("call", self.name, {"args": (args, kwargs)},
                                     what=f"{self.name}()")
        return answer.get("value")

    def once(self, *args: Any, **kwargs: Any) -> Any:
        """Call once per module and arguments; later calls give the same value or problem.

        For expensive calls (training) that several checks read: a failure or a timeout is
        reported by each of them without running the call again.
        """
        key = (self.name, _fingerprint((args, kwargs)))
        if key not in self.module.memo:
            try:
                self.module.memo[key] = (True, self(*args, **kwargs))
            except SubmissionProblem as problem:
                self.module.memo[key] = (False, problem)
        ok, value = self.module.memo[key]
        if not ok:
            raise value
        return value

    def map(self, calls: Sequence[tuple[tuple, dict]]) -> list[Any]:
        """Call the function once per ``(args, kwargs)`` in one round trip."""
        answer = self.module.request("map", self.name,
                                     {"calls": [(tuple(a), dict(k)) for a, k in calls]},
                                     what=f"{self.name}()")
        values = []
        for result in answer.get("results", []):
            if not isinstance(result, dict):
                raise BadResult(f"no valid answer from {self.name}()")
            if not result.get("ok"):
                error = result.get("error")
                error = error if isinstance(error, dict) else {}
                _unrendered(error, f"{self.name}()")
                raise_student_error(self.name, error)
            values.append(result.get("value"))
        if len(values) != len(calls):
            raise BadResult(f"no valid answer from {self.name}()")
        return values

    def figure(self, *args: Any, **kwargs: Any) -> FigureFacts:
        """Call a plotting function; return the rendered figure's facts.

        A figure is drawn once per module and arguments. The report keeps one per
        function: the one drawn with the default arguments, else the first drawn; only
        those are rendered to a PNG (a check that asks for the default figure first
        spares the child rendering the others, about 40 ms each).
        """
        what = f"{self.name}()"
        key = (self.name, _fingerprint((args, kwargs)))
        cached = self.module.figures.get(key)
        if cached is None:
            first = not any(name == self.name for name, _ in self.module.figures)
            kept = first or not (args or kwargs)
            answer = self.module.request("figure", self.name,
                                         {"args": (args, kwargs), "png": kept}, what=what)
            cached = self.module.figures[key] = parse_figure(answer, what=what, png=kept)
            if kept:
                assert cached.png is not None
                self.module.on_figure(self.name, cached.png)
        return cached

    def grad(self, *args: Any, wrt: Sequence[int], output: int | None = None,
             **kwargs: Any) -> GradResult:
        """Call with the tensors at positions ``wrt`` requiring grad; backpropagate.

        The result must be a scalar tensor (or, with ``output``, a tuple whose element
        ``output`` is one); ``facts`` describe it (type, shape, dtype, requires_grad,
        grad_fn) and ``grads`` holds one gradient per ``wrt`` position, or None when
        there was nothing to backpropagate. ``value`` is the whole result.
        """
        payload = {"args": (args, kwargs), "wrt": list(wrt), "output": output}
        answer = self.module.request("grad", self.name, payload, what=f"{self.name}()")
        facts = answer.get("facts")
        grads = answer.get("grads")
        if not isinstance(facts, dict) or not (grads is None or isinstance(grads, list)):
            raise BadResult(f"no valid answer from {self.name}()")
        return GradResult(answer.get("value"), grads, facts)


def _unrendered(error: dict, what: str) -> None:
    """An exception whose message never rendered is a failed call, not the student's error."""
    if error.get("unrendered"):
        kind = str(error.get("type", "an exception"))[:100]
        raise BadResult(f"{what} raised {kind} whose message could not be turned into text "
                        "in time (its __str__ does not return)")


def _import_problem(filename: str, error: Any) -> str:
    if not isinstance(error, dict):
        return f"{filename} did not import"
    kind = str(error.get("type", "Exception"))
    message = str(error.get("message", ""))
    if kind == "SystemExit":
        return f"{filename} called sys.exit() while being imported; remove it"
    if kind == "MemoryError":
        return f"{filename} ran out of memory (limit {MEMORY_MIB} MiB) while being imported"
    if kind == "SyntaxError" or kind == "IndentationError" or kind == "TabError":
        return f"{filename} has a syntax error:\n{message}"
    where = f" (line {error['lineno']})" if error.get("lineno") else ""
    text = f"{filename} raised {kind} while being imported{where}: {message}"
    trace = str(error.get("traceback", ""))
    return text + ("\n" + trace if trace else "")


__all__ = ["ChildReuse", "GradResult", "ImportStatus", "StudentFunction", "StudentModule",
           "SubmissionProblem"]
