"""The report model: immutable values with a to/from-dict round trip (``grade-report/1``).

Every output format is a renderer of a :class:`Report`; nothing here renders or decides
points (see :mod:`grader.points`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from grader.points import CHECK_STATUSES, EXERCISE_STATUSES
from grader.text import safe_text

SCHEMA = "grade-report/1"
SANDBOX_LEVELS = ("full", "partial")
VISIBILITIES = ("public", "hidden")
#: How much of a check a student sees (``grader.detail``): everything; its name, result and
#: hints only; or nothing of its result until the due date. The instructor's JSON keeps all.
DETAILS = ("full", "summary", "after_due")


class ReportError(ValueError):
    """A report value that breaks the schema."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ReportError(message)


def _number(name: str, value: Any) -> float:
    _require(isinstance(value, (int, float)) and not isinstance(value, bool)
             and math.isfinite(value) and value >= 0,
             f"{name!r} must be a finite number >= 0 (got {value!r} that is a "
             f"{type(value).__name__})")
    return float(value)


def _text(name: str, value: Any) -> str:
    _require(isinstance(value, str), f"{name!r} must be a str (got {value!r} that is a "
                                     f"{type(value).__name__})")
    return value


#: The longest text kept in a field that may hold what a student's code produced.
TEXT_LIMITS = {"feedback": 8_000, "message": 8_000, "written": 20_000, "caption": 200,
               "submission": 500, "name": 500, "diagnosis": 2_000, "until": 100}


def _clean(obj: Any, name: str, *, optional: bool = False) -> None:
    """Make a text field of a frozen dataclass safe for every output (:mod:`grader.text`).

    Any string a submission produces can reach a report: a lone surrogate, NUL, ANSI
    escapes, a bidirectional override, a megabyte line. The model keeps only text that
    every renderer and file writer can encode, so none of them can crash on it.
    """
    value = getattr(obj, name)
    if optional and value is None:
        return
    _text(name, value)
    object.__setattr__(obj, name, safe_text(value, limit=TEXT_LIMITS[name]))


@dataclass(frozen=True)
class Figure:
    """A figure the student's code drew, kept for the report formats that show images."""

    caption: str
    png_base64: str

    def __post_init__(self) -> None:
        _clean(self, "caption")
        _text("png_base64", self.png_base64)

    def to_dict(self) -> dict:
        """Return the JSON form."""
        return {"caption": self.caption, "png_base64": self.png_base64}

    @classmethod
    def from_dict(cls, data: dict) -> Figure:
        """Rebuild from the JSON form."""
        return cls(data["caption"], data["png_base64"])


@dataclass(frozen=True)
class CheckResult:
    """One check of an exercise."""

    name: str
    score: float
    max_score: float
    status: str
    feedback: str = ""
    duration_s: float = 0.0
    #: ``"public"`` (ships to students), ``"hidden"`` (sealed) or None (not a suite's check)
    visibility: str | None = None
    #: what a student's view shows of it: one of :data:`DETAILS` (``@pytest.mark.feedback``)
    detail: str = "full"

    def __post_init__(self) -> None:
        _clean(self, "name")
        _clean(self, "feedback")
        _number("score", self.score)
        _number("max_score", self.max_score)
        _number("duration_s", self.duration_s)
        _require(self.status in CHECK_STATUSES,
                 f"check 'status' must be one of {CHECK_STATUSES} (got {self.status!r})")
        _require(self.score <= self.max_score + 1e-9,
                 f"check {self.name!r}: score {self.score} exceeds max_score {self.max_score}")
        _require(self.visibility is None or self.visibility in VISIBILITIES,
                 f"check 'visibility' must be one of {VISIBILITIES} (got {self.visibility!r})")
        _require(self.detail in DETAILS,
                 f"check 'detail' must be one of {DETAILS} (got {self.detail!r})")

    def to_dict(self) -> dict:
        """Return the JSON form (``visibility`` only when known, ``detail`` unless full)."""
        data: dict[str, Any] = {"name": self.name, "score": self.score,
                                "max_score": self.max_score, "status": self.status,
                                "feedback": self.feedback,
                                "duration_s": round(self.duration_s, 4)}
        if self.visibility is not None:
            data["visibility"] = self.visibility
        if self.detail != "full":
            data["detail"] = self.detail
        return data

    @classmethod
    def from_dict(cls, data: dict) -> CheckResult:
        """Rebuild from the JSON form."""
        return cls(data["name"], data["score"], data["max_score"], data["status"],
                   data.get("feedback", ""), data.get("duration_s", 0.0),
                   data.get("visibility"), data.get("detail", "full"))


@dataclass(frozen=True)
class ExerciseResult:
    """One exercise: its checks, score, status, and what the instructor needs to see."""

    id: str
    title: str
    score: float
    max_score: float
    status: str
    checks: tuple[CheckResult, ...] = ()
    message: str | None = None          # why it could not be graded (status error)
    written: str | None = None          # the student's prose answer, for manual grading
    figures: tuple[Figure, ...] = ()
    diagnosis: str | None = None        # one mistake behind several failed checks

    def __post_init__(self) -> None:
        _text("id", self.id)
        _text("title", self.title)
        _clean(self, "message", optional=True)
        _clean(self, "written", optional=True)
        _clean(self, "diagnosis", optional=True)
        _number("score", self.score)
        _number("max_score", self.max_score)
        _require(self.status in EXERCISE_STATUSES,
                 f"exercise 'status' must be one of {EXERCISE_STATUSES} (got {self.status!r})")
        _require(self.score <= self.max_score + 1e-9,
                 f"exercise {self.id}: score {self.score} exceeds max_score {self.max_score}")
        object.__setattr__(self, "checks", tuple(self.checks))
        object.__setattr__(self, "figures", tuple(self.figures))

    def to_dict(self) -> dict:
        """Return the JSON form (optional fields only when set)."""
        data: dict[str, Any] = {"id": self.id, "title": self.title, "score": self.score,
                                "max_score": self.max_score, "status": self.status,
                                "checks": [c.to_dict() for c in self.checks]}
        if self.message is not None:
            data["message"] = self.message
        if self.written is not None:
            data["written"] = self.written
        if self.figures:
            data["figures"] = [f.to_dict() for f in self.figures]
        if self.diagnosis is not None:
            data["diagnosis"] = self.diagnosis
        return data

    @classmethod
    def from_dict(cls, data: dict) -> ExerciseResult:
        """Rebuild from the JSON form."""
        return cls(data["id"], data["title"], data["score"], data["max_score"], data["status"],
                   tuple(CheckResult.from_dict(c) for c in data.get("checks", [])),
                   data.get("message"), data.get("written"),
                   tuple(Figure.from_dict(f) for f in data.get("figures", [])),
                   data.get("diagnosis"))


_HINT = re.compile(r"^Hint: (.+)$", re.MULTILINE)
_COUNTS = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def hints(feedback: str) -> list[str]:
    """The hints (``Hint: ...`` lines) in a check's feedback."""
    return [" ".join(h.split()) for h in _HINT.findall(feedback)]


def diagnose(checks: Iterable[CheckResult]) -> str | None:
    """Name the one mistake behind several failed checks, or None.

    When the same hint is in the feedback of two or more checks that did not pass, the
    student should fix that cause once rather than each symptom: return e.g. ``"one
    mistake, four checks: this is KL(Q||P): the arguments are swapped"``. The hint shared
    by the most checks wins (the first in check order on a tie).
    """
    counts: Counter[str] = Counter()
    for check in checks:
        if check.status in ("passed", "manual", "withheld"):
            continue
        counts.update(list(dict.fromkeys(hints(check.feedback))))
    if not counts:
        return None
    hint, count = counts.most_common(1)[0]
    if count < 2:
        return None
    number = _COUNTS[count] if count < len(_COUNTS) else str(count)
    return f"one mistake, {number} checks: {hint}"


@dataclass(frozen=True)
class Sandbox:
    """How strongly the worker was confined: the missing layers and (optional) those held."""

    level: str
    missing: tuple[str, ...] = ()
    layers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _require(self.level in SANDBOX_LEVELS,
                 f"sandbox 'level' must be one of {SANDBOX_LEVELS} (got {self.level!r})")
        object.__setattr__(self, "missing", tuple(self.missing))
        object.__setattr__(self, "layers", tuple(self.layers))

    def to_dict(self) -> dict:
        """Return the JSON form (``layers`` only when known)."""
        data: dict[str, Any] = {"level": self.level, "missing": list(self.missing)}
        if self.layers:
            data["layers"] = list(self.layers)
        return data


@dataclass(frozen=True)
class NotGraded:
    """Hidden checks a run could not grade (a student's release without the course key)."""

    checks: int
    points: float

    def __post_init__(self) -> None:
        _require(isinstance(self.checks, int) and not isinstance(self.checks, bool)
                 and self.checks >= 0, f"'checks' must be an int >= 0 (got {self.checks!r})")
        object.__setattr__(self, "points", _number("points", self.points))

    @property
    def line(self) -> str:
        """The sentence every renderer shows."""
        checks = "check" if self.checks == 1 else "checks"
        return (f"{self.checks} hidden {checks} ({self.points:g} points) are graded when you "
                "open a pull request")

    def to_dict(self) -> dict:
        """Return the JSON form."""
        return {"checks": self.checks, "points": self.points}


@dataclass(frozen=True)
class Withheld:
    """Checks whose result a student's view keeps back until the due date (``after_due``)."""

    checks: int
    points: float
    #: the due date as shown to students (None: no date was given)
    until: str | None = None

    def __post_init__(self) -> None:
        _require(isinstance(self.checks, int) and not isinstance(self.checks, bool)
                 and self.checks >= 0, f"'checks' must be an int >= 0 (got {self.checks!r})")
        object.__setattr__(self, "points", _number("points", self.points))
        _clean(self, "until", optional=True)

    @property
    def line(self) -> str:
        """The sentence every renderer shows."""
        one = self.checks == 1
        return (f"{self.checks} {'check' if one else 'checks'} ({self.points:g} point"
                f"{'' if self.points == 1 else 's'}) {'shows its' if one else 'show their'} "
                f"result after {self.until or 'the due date'}; the total leaves "
                f"{'it' if one else 'them'} out")

    def to_dict(self) -> dict:
        """Return the JSON form (``until`` only when known)."""
        data: dict[str, Any] = {"checks": self.checks, "points": self.points}
        if self.until is not None:
            data["until"] = self.until
        return data


@dataclass(frozen=True)
class Report:
    """The result of grading one submission."""

    submission: str
    seed: int
    score: float
    max_score: float
    duration_s: float
    grader_version: str
    exercises: tuple[ExerciseResult, ...] = field(default_factory=tuple)
    sandbox: Sandbox | None = None
    schema: str = SCHEMA
    #: set when only the public checks ran: ``max_score`` then counts public points only
    hidden_not_graded: NotGraded | None = None
    #: set in a student's view (:func:`grader.detail.for_student`) that keeps ``after_due``
    #: checks back: ``score`` and ``max_score`` then leave their points out
    withheld: Withheld | None = None

    def __post_init__(self) -> None:
        _clean(self, "submission")
        _require(isinstance(self.seed, int) and not isinstance(self.seed, bool)
                 and self.seed >= 0, f"'seed' must be an int >= 0 (got {self.seed!r})")
        _number("score", self.score)
        _number("max_score", self.max_score)
        _number("duration_s", self.duration_s)
        _require(self.schema == SCHEMA, f"'schema' must be {SCHEMA!r} (got {self.schema!r})")
        object.__setattr__(self, "exercises", tuple(self.exercises))

    @property
    def percent(self) -> float:
        """The score as a percentage of what was graded."""
        return 100.0 * self.score / self.max_score if self.max_score else 0.0

    def to_dict(self) -> dict:
        """Return the JSON form of ``grade-report/1``."""
        data: dict[str, Any] = {
            "schema": self.schema, "submission": self.submission, "seed": self.seed,
            "score": self.score, "max_score": self.max_score,
            "duration_s": round(self.duration_s, 3), "grader_version": self.grader_version,
            "exercises": [e.to_dict() for e in self.exercises],
        }
        if self.sandbox is not None:
            data["sandbox"] = self.sandbox.to_dict()
        if self.hidden_not_graded is not None:
            data["hidden_not_graded"] = self.hidden_not_graded.to_dict()
        if self.withheld is not None:
            data["withheld"] = self.withheld.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Report:
        """Rebuild from the JSON form; raise ReportError or KeyError on a bad document."""
        sandbox = data.get("sandbox")
        hidden = data.get("hidden_not_graded")
        withheld = data.get("withheld")
        return cls(data["submission"], data["seed"], data["score"], data["max_score"],
                   data["duration_s"], data["grader_version"],
                   tuple(ExerciseResult.from_dict(e) for e in data["exercises"]),
                   Sandbox(sandbox["level"], tuple(sandbox.get("missing", [])),
                           tuple(sandbox.get("layers", [])))
                   if sandbox else None,
                   data.get("schema", ""),
                   NotGraded(hidden["checks"], hidden["points"]) if hidden else None,
                   Withheld(withheld["checks"], withheld["points"], withheld.get("until"))
                   if withheld else None)
