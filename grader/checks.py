"""Checks for the hidden suites: closeness with feedback, conversions, numerical gradients.

Every value a student returns passes through one of the ``as_*`` conversions before the
trusted side looks at it, so a wrong type becomes a failed check with a clear message and
never an error of the grader. Feedback names the case, what came back, what was expected
and, when the wrong value matches a known mistake, a hint.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np

from grader.codec import Opaque
from grader.problems import GraderError, StudentError, SubmissionProblem

MAX_FEEDBACK = 1500


class CheckFailure(AssertionError):
    """A check failed; ``feedback`` says why in the student's terms.

    ``credit`` (0 to 1) is the share of the check's points still earned, for checks that
    count the cases a submission got right.
    """

    def __init__(self, feedback: str, credit: float = 0.0) -> None:
        if len(feedback) > MAX_FEEDBACK:
            feedback = feedback[: MAX_FEEDBACK - 3] + "..."
        super().__init__(feedback)
        self.feedback = feedback
        self.credit = min(1.0, max(0.0, float(credit)))


def fail(feedback: str, *, credit: float = 0.0) -> NoReturn:
    """Fail the current check with this feedback (and a share ``credit`` of its points)."""
    raise CheckFailure(feedback, credit)


def expect(condition: bool, feedback: str) -> None:
    """Fail with ``feedback`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailure(feedback)


class Cases:
    """Count a check's cases; fail at the end with the first failure and partial credit.

    ``with cases.case(): expect_close(...)`` records a failed case and goes on; ``finish()``
    fails the check when any case failed, with the first case's feedback and the share of
    cases that passed as credit. A student exception still stops the check.
    """

    def __init__(self) -> None:
        self.total = 0
        self.failures: list[str] = []

    @contextlib.contextmanager
    def case(self) -> Iterator[None]:
        """Run one case."""
        self.total += 1
        try:
            yield
        except CheckFailure as failure:
            self.failures.append(failure.feedback)

    def finish(self) -> None:
        """Fail (with partial credit) if any case failed."""
        if self.failures:
            wrong = len(self.failures)
            fail(f"{self.failures[0]}\n({wrong} of {self.total} cases wrong)",
                 credit=(self.total - wrong) / self.total)


@dataclass(frozen=True)
class Misconception:
    """A known mistake: the value it would produce and what to tell the student."""

    value: Any
    hint: str


# -- describing values -----------------------------------------------------------------------
def _is_tensor(value: Any) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


def describe(value: Any, *, limit: int = 6) -> str:
    """Return a short excerpt of a value for feedback."""
    if isinstance(value, Opaque):
        return f"a {value.type_name} object"
    if value is None:
        return "None"
    if isinstance(value, bool):
        return repr(value)
    if isinstance(value, (int, float, np.number)) and np.ndim(value) == 0:
        return _number(value)
    if _is_tensor(value):
        inner = describe(value.detach().cpu().numpy(), limit=limit)
        return f"tensor({inner}, dtype={str(value.dtype).removeprefix('torch.')})"
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return f"array({_number(value[()])})"
        flat = value.reshape(-1)
        items = ", ".join(_number(v) for v in flat[:limit])
        more = ", ..." if flat.size > limit else ""
        shape = f" (shape {tuple(value.shape)})" if value.ndim > 1 or flat.size > limit else ""
        return f"[{items}{more}]{shape}"
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, (list, tuple)):
        inner = ", ".join(describe(v, limit=limit) for v in value[:limit])
        more = ", ..." if len(value) > limit else ""
        return f"[{inner}{more}]" if isinstance(value, list) else f"({inner}{more})"
    if isinstance(value, dict):
        keys = ", ".join(repr(k) for k in list(value)[:8])
        return f"a dict with keys {{{keys}}}"
    return f"a {type(value).__name__}"


def _number(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (complex, np.complexfloating)):
        return f"{complex(value):.6g}"
    return f"{float(value):.6g}"


def kind(value: Any) -> str:
    """Name the type of a returned value as a student would say it."""
    if isinstance(value, Opaque):
        return f"a {value.type_name} object"
    if _is_tensor(value):
        return "a torch.Tensor"
    if isinstance(value, np.ndarray):
        return f"a NumPy array of shape {tuple(value.shape)}"
    if value is None:
        return "None"
    return f"a {type(value).__name__}"


# -- conversions -------------------------------------------------------------------------
def as_float(value: Any, *, what: str) -> float:
    """Convert a returned scalar to float; fail unless it is a real number."""
    if _is_tensor(value) and value.numel() == 1 and value.ndim <= 1:  # a loss of shape (1,)
        value = value.detach().cpu().reshape(()).numpy()
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        fail(f"{what} should return a float; it returned {kind(value)} ({describe(value)})")
    if isinstance(value, (complex, np.complexfloating)):
        fail(f"{what} should return a real float; it returned a complex number {value}")
    return float(value)


def as_array(value: Any, *, what: str, shape: Sequence[int] | None = None) -> np.ndarray:
    """Convert a returned array (ndarray, list or tensor) to float64; check its shape."""
    if _is_tensor(value):
        value = value.detach().cpu().numpy()
    if isinstance(value, Opaque) or value is None or isinstance(value, (str, bytes, dict)):
        fail(f"{what} should return an array; it returned {kind(value)}")
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        fail(f"{what} should return an array; it returned {kind(value)} that is not one")
    if array.dtype.kind not in "biuf":
        fail(f"{what} should return an array of real numbers; it returned {kind(value)} "
             f"of dtype {array.dtype}")
    array = array.astype(np.float64)
    if shape is not None and tuple(array.shape) != tuple(shape):
        fail(f"{what} returned an array of shape {tuple(array.shape)}; expected shape "
             f"{tuple(shape)}")
    return array


def as_tensor(value: Any, *, what: str) -> Any:
    """Fail unless a returned value is a torch tensor; return it."""
    if not _is_tensor(value):
        fail(f"{what} should return a torch.Tensor; it returned {kind(value)}")
    return value


# -- closeness -------------------------------------------------------------------------------
def close(got: Any, expected: Any, *, rtol: float, atol: float) -> bool:
    """True when two real values or arrays agree (inf equals inf of the same sign)."""
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        return False
    return bool(np.all(np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)))


def expect_close(got: Any, expected: Any, *, what: str, case: str, rtol: float = 1e-9,
                 atol: float = 1e-12, inputs: Mapping[str, Any] | None = None,
                 misconceptions: Iterable[Misconception]
                 | Callable[[], Iterable[Misconception]] = ()) -> Any:
    """Fail unless ``got`` equals ``expected`` within tolerance; return ``got`` converted.

    ``expected`` comes from the trusted side (a float or an array); ``got`` from the
    student and is converted (and its shape checked) first.
    """
    expected_array = np.asarray(expected, dtype=np.float64)
    if expected_array.ndim == 0:
        value: Any = as_float(got, what=what)
    else:
        value = as_array(got, what=what)
        if value.shape != expected_array.shape:
            hint = matching_hint(value, misconceptions, rtol=max(rtol, 1e-6),
                                 atol=max(atol, 1e-9))
            fail(f"{case}: {what} returned an array of shape {tuple(value.shape)}; expected "
                 f"shape {tuple(expected_array.shape)}" + (f"\nHint: {hint}" if hint else ""))
    if close(value, expected_array, rtol=rtol, atol=atol):
        return value
    message = f"{case}: {what} returned {describe(value)}, expected {describe(expected)}"
    if inputs:
        message += " for " + ", ".join(f"{k} = {describe(v)}" for k, v in inputs.items())
    if expected_array.ndim > 0:
        message += _first_difference(value, expected_array, rtol=rtol, atol=atol)
    hint = matching_hint(value, misconceptions, rtol=max(rtol, 1e-6), atol=max(atol, 1e-9))
    if hint:
        message += f"\nHint: {hint}"
    fail(message)


def matching_hint(value: Any, misconceptions: Iterable[Misconception]
                  | Callable[[], Iterable[Misconception]], *, rtol: float = 1e-6,
                  atol: float = 1e-9) -> str:
    """Return the hint of the first misconception whose value ``value`` matches.

    ``misconceptions`` may be a function that returns them: a suite whose hints cost more
    than the check itself computes them only for a wrong value.
    """
    if callable(misconceptions):
        misconceptions = misconceptions()
    for misconception in misconceptions:
        try:
            if close(value, misconception.value, rtol=rtol, atol=atol):
                return misconception.hint
        except (TypeError, ValueError):
            continue
    return ""


def _first_difference(got: np.ndarray, expected: np.ndarray, *, rtol: float, atol: float) -> str:
    bad = ~np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    if not bad.any():
        return ""
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    where = index[0] if len(index) == 1 else index
    return (f" (first difference at index {where}: {_number(got[index])} instead of "
            f"{_number(expected[index])})")


def expect_raises(error: type[BaseException], function: Callable[..., Any], *args: Any,
                  what: str, case: str, **kwargs: Any) -> StudentError:
    """Fail unless calling ``function`` makes the student's code raise ``error``.

    For a student's function, it must first work on its exercise's basic valid input
    (:mod:`grader.validation`): raising on invalid input earns nothing from a function
    that raises (or returns nothing useful) on valid input too.
    """
    expect_works(function)
    try:
        value = function(*args, **kwargs)
    except StudentError as exc:
        if isinstance(exc, error):
            return exc
        if exc.not_implemented:
            raise
        fail(f"{case}: {what} raised {exc.type_name} ({exc.message}); expected "
             f"{error.__name__}")
    fail(f"{case}: {what} should raise {error.__name__}; it returned {describe(value)}")


def expect_works(function: Callable[..., Any]) -> None:
    """Fail unless a student's function returns a value of the right kind on valid input.

    ``function`` is a :class:`grader.proxy.StudentFunction`; the call is made once per
    submission and function. Any other callable (a trusted one) passes unchecked.
    """
    module, name = getattr(function, "module", None), getattr(function, "name", None)
    exercise = getattr(getattr(module, "exercise", None), "id", None)
    if exercise is None or not isinstance(name, str) or not hasattr(module, "memo"):
        return
    from grader.validation import BASIC_CALLS, wrong_kind

    call = BASIC_CALLS.get((exercise, name))
    if call is None:
        raise GraderError(f"no basic valid call of {exercise}.{name} in grader.validation")
    key = ("valid input works", name)
    if key not in module.memo:
        args, kwargs = call.make()
        try:
            value = function(*args, **kwargs)
            problem = wrong_kind(value, call)
            shown = describe(value)
        except StudentError as exc:
            if exc.not_implemented:
                raise
            problem, shown = f"raises {exc.type_name}", exc.message
        except SubmissionProblem as exc:
            problem, shown = "fail", exc.feedback
        module.memo[key] = (True, (problem, shown))
    problem, shown = module.memo[key][1]
    if not problem:
        return
    if problem.startswith("raises "):
        detail = f"{problem} ({shown})" if shown else problem
        fail(f"{name}() {detail} on valid input too, for example {name}"
             f"{_arguments(call)}; a check of invalid input counts only when your function "
             "works on valid input")
    if problem == "fail":
        fail(f"{name}() does not work on valid input ({shown}); a check of invalid input "
             "counts only when your function works on valid input")
    fail(f"{name}{_arguments(call)} returned {problem} ({shown}); a check of invalid input "
         "counts only when your function works on valid input")


def _arguments(call: Any) -> str:
    from grader.codec import Fixture

    args, kwargs = call.make()
    parts = [str(a.params.get("part", a.name)) if isinstance(a, Fixture) else describe(a)
             for a in args]
    parts += [f"{k}={describe(v)}" for k, v in kwargs.items()]
    return "(" + ", ".join(parts) + ")"


def oracles_agree(first: Any, second: Any, *, what: str, rtol: float = 1e-9,
                  atol: float = 1e-12) -> None:
    """Raise GraderError (never the student's fault) when two trusted oracles disagree."""
    if not close(first, second, rtol=rtol, atol=atol):
        raise GraderError(f"the reference and the second oracle disagree on {what}: "
                          f"{describe(first)} vs {describe(second)}")


# -- numerical gradients -----------------------------------------------------------------
def central_differences(function: Callable[[list[np.ndarray]], Sequence[Any]],
                        x: np.ndarray, *, h: float, what: str) -> np.ndarray:
    """Estimate the gradient of a scalar function at ``x`` by central differences.

    ``function`` takes a list of points and returns one value per point, so a student's
    function can be evaluated at all 2n points in one round trip (``student.f.map``).
    """
    x = np.asarray(x)
    points = []
    for index in np.ndindex(x.shape):
        for sign in (1, -1):
            point = x.copy()
            point[index] = point[index] + sign * h
            points.append(point)
    values = [as_float(v, what=what) for v in function(points)]
    pairs = np.asarray(values, dtype=np.float64).reshape(-1, 2)
    return ((pairs[:, 0] - pairs[:, 1]) / (2.0 * h)).reshape(x.shape)


def finite(value: Any) -> bool:
    """True when every entry of a value is finite."""
    try:
        return bool(np.all(np.isfinite(np.asarray(value, dtype=np.float64))))
    except (TypeError, ValueError):
        return False


def relative_gap(a: float, b: float) -> float:
    """Return ``|a - b| / |b|`` (or ``|a - b|`` when ``b`` is 0)."""
    return abs(a - b) / abs(b) if b else abs(a - b)


__all__ = ["Cases", "CheckFailure", "Misconception", "as_array", "as_float", "as_tensor",
           "central_differences", "close", "describe", "expect", "expect_close",
           "expect_raises", "expect_works", "fail", "finite", "kind", "matching_hint",
           "oracles_agree", "relative_gap"]
