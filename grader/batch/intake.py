"""Find the submissions in an instructor's folder: one entry per student.

An entry is a folder of ``exNN.py`` files (or a folder with an ``exercises/`` folder
inside), a ``.ipynb`` notebook, or a ``.zip`` of either; the entry's name without its
extension is the student id. Reading goes through :mod:`grader.submission`, which refuses
links leaving the submission and non-regular files and opens zips with limits. Entries that
are none of these are kept as :class:`Skipped` with the reason; an entry of the right kind
that cannot be read (a corrupt zip, a folder without exercise files) is an
:class:`Invalid` submission: the student is in the gradebook with no points.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass, replace
from pathlib import Path

from grader import submission as loader
from grader.submission import Submission, SubmissionError


@dataclass(frozen=True)
class Candidate:
    """A readable submission: the student id, the entry it came from, its sources."""

    student: str
    entry: str
    submission: Submission
    content_hash: str


@dataclass(frozen=True)
class Invalid:
    """An entry of a submission's kind that could not be read."""

    student: str
    entry: str
    reason: str


@dataclass(frozen=True)
class Skipped:
    """An entry that is not a submission at all."""

    entry: str
    reason: str


@dataclass(frozen=True)
class Intake:
    """Everything found in the folder, in name order."""

    candidates: tuple[Candidate, ...]
    invalid: tuple[Invalid, ...]
    skipped: tuple[Skipped, ...]


def display_name(name: str) -> str:
    """A file name as text that any writer can encode (undecodable bytes backslash-escaped)."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def content_hash(sub: Submission) -> str:
    """SHA-256 of what the grader reads of a submission: each file's name, text or problem."""
    items = sorted((key, s.filename, s.text, s.problem) for key, s in sub.sources.items())
    return hashlib.sha256(json.dumps(items, ensure_ascii=True).encode()).hexdigest()


def _has_exercise_files(folder: Path) -> bool:
    try:
        return any(loader._exercise_id(p.name) for p in folder.iterdir())
    except OSError:
        return False


def _load_folder(folder: Path) -> Submission:
    inner = folder / "exercises"
    if not _has_exercise_files(folder) and not inner.is_symlink() and inner.is_dir():
        return loader.load(inner)
    return loader.load(folder)


def scan(folder: str | Path, *, exclude: Path | None = None) -> Intake:
    """Read every entry of ``folder``; raise :class:`SubmissionError` if it is not a folder.

    ``exclude`` (the batch's output folder, when it lies inside) is skipped.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise SubmissionError(f"{folder} is not a folder of submissions")
    try:
        entries = sorted(folder.iterdir(), key=lambda p: os.fsencode(p.name))
    except OSError as exc:
        raise SubmissionError(f"cannot read {folder}: {exc.strerror or exc}") from None
    candidates: list[Candidate] = []
    invalid: list[Invalid] = []
    skipped: list[Skipped] = []
    seen: dict[str, str] = {}
    for path in entries:
        entry = display_name(path.name)
        try:
            mode = os.lstat(path).st_mode
        except OSError as exc:
            skipped.append(Skipped(entry, f"cannot read it: {exc.strerror or exc}"))
            continue
        if exclude is not None and path.resolve() == exclude:
            skipped.append(Skipped(entry, "the output folder (--out)"))
            continue
        if path.name.startswith("."):
            skipped.append(Skipped(entry, "a hidden entry"))
            continue
        if stat.S_ISLNK(mode):
            skipped.append(Skipped(entry, "a symbolic link (not followed)"))
            continue
        suffix = path.suffix.lower()
        if stat.S_ISDIR(mode):
            student = entry
        elif stat.S_ISREG(mode) and suffix in (".ipynb", ".zip"):
            student = display_name(path.stem)
        elif stat.S_ISREG(mode):
            skipped.append(Skipped(entry, "not a folder, a .ipynb or a .zip"))
            continue
        else:
            skipped.append(Skipped(entry, "not a regular file or folder"))
            continue
        if student in seen:
            skipped.append(Skipped(entry, f"student id {student!r} is already taken by "
                                          f"{seen[student]}"))
            continue
        seen[student] = entry
        try:
            sub = _load_folder(path) if stat.S_ISDIR(mode) else loader.load(path)
        except SubmissionError as exc:
            invalid.append(Invalid(student, entry, str(exc)))
            continue
        except (OSError, ValueError) as exc:  # the loader should not raise these; be safe
            invalid.append(Invalid(student, entry, f"cannot read {entry}: {exc}"))
            continue
        sub = replace(sub, name=student)
        candidates.append(Candidate(student, entry, sub, content_hash(sub)))
    return Intake(tuple(candidates), tuple(invalid), tuple(skipped))
