"""What can go wrong with a submission, as exceptions the trusted side raises.

Each carries feedback in the student's terms. The plugin turns them into a check status:
:class:`StudentError` is ``error`` (their code raised), :class:`StudentTimeout` is
``timeout``, the others are ``failed``. Anything else escaping a hidden test is a bug of
the grader, never blamed on the student.
"""

from __future__ import annotations

import builtins
from functools import cache


class SubmissionProblem(Exception):
    """Base of every problem caused by the submission rather than by the grader."""

    status = "failed"

    def __init__(self, feedback: str) -> None:
        super().__init__(feedback)
        self.feedback = feedback


class StudentError(SubmissionProblem):
    """The student's code raised an exception; ``type_name`` is its class name."""

    status = "error"

    def __init__(self, function: str, info: dict) -> None:
        self.function = function
        self.type_name = str(info.get("type", "Exception"))
        self.message = str(info.get("message", ""))
        self.traceback = str(info.get("traceback", ""))
        self.lineno = info.get("lineno")
        if self.not_implemented:
            feedback = f"{function}() is not implemented yet (it raises NotImplementedError)"
        else:
            feedback = f"{function}() raised {self.type_name}: {self.message}".rstrip(": ")
            if self.traceback:
                feedback += "\n" + self.traceback
        super().__init__(feedback)

    @property
    def not_implemented(self) -> bool:
        """True when the student's function still raises NotImplementedError."""
        return self.type_name == "NotImplementedError"


@cache
def student_error_class(bases: tuple[str, ...]) -> type[StudentError]:
    """Return a StudentError class that is also the first builtin exception in ``bases``.

    So ``pytest.raises(ValueError)`` catches a student's ValueError (or a subclass of it)
    raised in the worker.
    """
    for name in bases:
        builtin = getattr(builtins, name, None)
        if isinstance(builtin, type) and issubclass(builtin, Exception):
            if builtin is Exception:
                break
            try:
                return type(f"Student{name}", (StudentError, builtin), {})
            except TypeError:  # a builtin whose layout cannot be mixed in (OSError)
                break
    return StudentError


def raise_student_error(function: str, info: dict) -> None:
    """Raise the StudentError that matches the worker's description of an exception."""
    bases = info.get("bases")
    if not isinstance(bases, list):  # the worker's word only: anything else is ignored
        bases = [info.get("type", "Exception")]
    bases = tuple(str(b)[:100] for b in bases[:50])
    raise student_error_class(bases)(function, info)


class StudentTimeout(SubmissionProblem):
    """A call (or the import) ran past its time limit and was killed."""

    status = "timeout"


class NoResult(SubmissionProblem):
    """The worker died without answering: the function exited or crashed."""


class BadResult(SubmissionProblem):
    """The answer is not plain data, or is larger than a result may be."""


class MemoryLimit(SubmissionProblem):
    """The call needed more memory than a submission may use."""

    status = "error"


class ImportFailed(SubmissionProblem):
    """The exercise's module did not import, or lacks a required name."""

    status = "error"


class NotSubmitted(SubmissionProblem):
    """The submission has no file for this exercise."""

    status = "error"


class GraderError(Exception):
    """The grader itself failed (not the submission's fault)."""


class ArgumentsUnavailable(GraderError):
    """The worker could not build a call's arguments (e.g. a model it cannot load)."""
