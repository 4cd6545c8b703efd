"""Turn what a user types (``ex04``, ``ex4``, ``4``, ``ch04``, ``all``) into exercise ids."""

from __future__ import annotations

import re
from collections.abc import Iterable

from grader.catalog import EXERCISES

CHAPTER = 4
_EXERCISE = re.compile(r"(?:ex)?0*(\d{1,2})", re.IGNORECASE)
_CHAPTER = re.compile(r"ch(?:apter)?0*(\d{1,2})", re.IGNORECASE)


class TargetError(ValueError):
    """A target that names no exercise of the chapter."""


def resolve(targets: Iterable[str]) -> list[str]:
    """Return the exercise ids the targets name, in catalog order, without repeats.

    No target at all means every exercise of the chapter.
    """
    targets = list(targets)
    if not targets:
        return [ex.id for ex in EXERCISES]
    wanted: set[str] = set()
    for target in targets:
        wanted.update(_resolve_one(target))
    return [ex.id for ex in EXERCISES if ex.id in wanted]


def _resolve_one(target: str) -> list[str]:
    text = target.strip()
    if text.lower() == "all":
        return [ex.id for ex in EXERCISES]
    match = _CHAPTER.fullmatch(text)
    if match:
        if int(match.group(1)) != CHAPTER:
            raise TargetError(
                f"unknown target {target!r}: this grader covers chapter {CHAPTER} only"
            )
        return [ex.id for ex in EXERCISES]
    match = _EXERCISE.fullmatch(text)
    if match:
        number = int(match.group(1))
        if 1 <= number <= len(EXERCISES):
            return [f"ex{number:02d}"]
        raise TargetError(
            f"unknown target {target!r}: exercises are numbered 1 to {len(EXERCISES)}"
        )
    raise TargetError(
        f"unknown target {target!r}: expected an exercise (ex04, ex4, 4), ch04 or all"
    )
