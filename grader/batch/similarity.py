"""Submissions whose code is suspiciously alike, per exercise (winnowing, as MOSS does).

Each exercise file is read with Python's :mod:`tokenize` (never imported or run) and
normalised so that renaming and reformatting change nothing: comments, blank lines, import
statements, string statements (docstrings) and round brackets (which formatters add and
remove) are dropped; every identifier becomes ``N`` except keywords, builtins and attribute
names (``np.log(x)`` becomes ``N . log N``); numbers become ``0`` and strings ``"``. The
hashes of all runs of :data:`K` consecutive tokens are winnowed (the smallest hash of every
window of :data:`WINDOW` hashes is kept; Schleimer, Wilkerson and Aiken 2003), so a shared
run of ``K + WINDOW - 1`` tokens is always found and runs shorter than ``K`` never are.
Hashes are BLAKE2b, not ``hash()``: the same database always gives the same pairs and scores.

Fingerprints that the exercise's stub (``exercises/exNN.py``) also yields are removed (the
signatures, ``raise NotImplementedError``, ``WRITTEN_ANSWER = ...``), and so are those that
more than half the class share once at least :data:`COMMON` submissions do (a template
handed out in class, the one natural way to write a line: not evidence); both count neither
as shared nor in a submission's size. A pair's score is the share of the smaller
submission's fingerprints that the other also has (a copy padded with extra code still
scores high); a pair is listed when the score is at least :data:`THRESHOLD` and they share
at least :data:`MIN_SHARED` fingerprints (a few lines, which independent solutions often
write alike, are never enough).

The threshold: on the course's own code, a copy of each exercise's reference with every
local name renamed, the docstrings dropped, the functions in reverse order and the text
reformatted by ``ast.unparse`` scores 0.86 to 0.96; the independently written correct
solutions in ``tests/submissions`` score at most 0.26 against the reference and each other.
0.6 lies between, nearer the honest side, so a copy that was edited here and there is still
listed.

Evaluated against the ``copydetect`` package (PyPI): it fingerprints characters of a
Pygments-filtered text and hashes with Python's salted ``hash()``, so its scores change from
one process to the next (the reference and an honest ex10 solution scored 0.26, 0.28 and
0.29 under three ``PYTHONHASHSEED`` values, so ``summary.html`` would differ for the same
database), and it keeps imports and docstrings; this module is the same algorithm on Python
tokens.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import keyword
import tokenize
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

#: tokens per fingerprinted run (shorter common runs are noise)
K = 12
#: winnowing window: every common run of ``K + WINDOW - 1`` tokens is found
WINDOW = 6
#: listed when the smaller submission shares at least this fraction of its fingerprints
THRESHOLD = 0.6
#: ... and at least this many fingerprints (about 40 tokens of code in common)
MIN_SHARED = 8
#: a fingerprint more than half the submissions have is ignored once this many have it
COMMON = 10

_BUILTINS = frozenset(dir(builtins))
_SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)   # Python 3.12+
_FSTRING_END = getattr(tokenize, "FSTRING_END", None)


def _logical_lines(text: str) -> list[list[tokenize.TokenInfo]]:
    """The significant tokens of each logical line; a file that stops tokenizing is cut."""
    lines: list[list[tokenize.TokenInfo]] = [[]]
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in _SKIP:
                continue
            lines[-1].append(token)
            if token.type == tokenize.NEWLINE:
                lines.append([])
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass  # unterminated bracket or string, bad dedent, NUL: keep what was read
    return [line for line in lines if line]


def _statement(line: list[tokenize.TokenInfo]) -> list[tokenize.TokenInfo]:
    """The tokens of a logical line without its leading INDENT/DEDENT tokens."""
    start = 0
    while start < len(line) and line[start].type in (tokenize.INDENT, tokenize.DEDENT):
        start += 1
    return line[start:]


def normalise(text: str) -> list[str]:
    """Return the normalised token sequence of a Python source (see the module docstring)."""
    out: list[str] = []
    for line in _logical_lines(text):
        body = _statement(line)
        structure = [("{" if t.type == tokenize.INDENT else "}") for t in line[:len(line)
                                                                                - len(body)]]
        out.extend(structure)
        significant = [t for t in body if t.type != tokenize.NEWLINE]
        if not significant:
            continue
        if significant[0].type == tokenize.NAME and significant[0].string in ("import",
                                                                              "from"):
            continue
        if all(t.type == tokenize.STRING for t in significant):
            continue  # a docstring or another bare string
        previous = ""
        depth = 0
        for token in body:
            kind, value = token.type, token.string
            if _FSTRING_START is not None and kind == _FSTRING_START:
                depth += 1
                if depth == 1:
                    out.append('"')
                continue
            if depth:
                if kind == _FSTRING_END:
                    depth -= 1
                continue
            if kind == tokenize.NAME:
                if keyword.iskeyword(value) or value in _BUILTINS or previous == ".":
                    out.append(value)
                else:
                    out.append("N")
            elif kind == tokenize.NUMBER:
                out.append("0")
            elif kind == tokenize.STRING:
                out.append('"')
            elif kind == tokenize.NEWLINE:
                out.append(";")
            elif value not in ("(", ")"):
                out.append(value)  # brackets go: black or ast.unparse add and remove them
            previous = value
    return out


def _hashes(tokens: list[str]) -> list[int]:
    """A stable 64-bit hash of every run of ``K`` tokens."""
    return [int.from_bytes(hashlib.blake2b("\0".join(tokens[i:i + K]).encode(
        "utf-8", "surrogatepass"), digest_size=8).digest(), "big")
        for i in range(len(tokens) - K + 1)]


def winnow(hashes: list[int], window: int = WINDOW) -> set[int]:
    """The fingerprints of a document: the smallest hash of each window of hashes."""
    if len(hashes) <= window:
        return {min(hashes)} if hashes else set()
    return {min(hashes[start:start + window]) for start in range(len(hashes) - window + 1)}


def fingerprints(text: str, boilerplate: frozenset[int] = frozenset()) -> frozenset[int]:
    """The winnowed fingerprints of a source, less the ``boilerplate`` hashes."""
    return frozenset(winnow(_hashes(normalise(text))) - boilerplate)


@cache
def stub_hashes(exercise_id: str) -> frozenset[int]:
    """Every k-gram hash of the exercise's stub (``exercises/exNN.py``), or none."""
    try:
        text = (resources.files("exercises") / f"{exercise_id}.py").read_text("utf-8")
    except (OSError, ModuleNotFoundError, UnicodeDecodeError, ValueError):
        return frozenset()
    return frozenset(_hashes(normalise(text)))


@dataclass(frozen=True)
class Pair:
    """Two submissions of one exercise whose code is alike."""

    exercise: str
    first: str
    second: str
    score: float          # shared / the smaller submission's fingerprints
    shared: int
    sizes: tuple[int, int]


def similar_pairs(exercise: str, sources: Mapping[str, str], *,
                  boilerplate: frozenset[int] | None = None,
                  threshold: float = THRESHOLD, min_shared: int = MIN_SHARED,
                  ) -> list[Pair]:
    """The pairs of students (by their source of ``exercise``) at or above the threshold.

    ``sources`` maps a student to the exercise's source text. Sorted by score (highest
    first), then by the two names.
    """
    stub = stub_hashes(exercise) if boilerplate is None else boilerplate
    alike: dict[str, frozenset[int]] = {}  # a text many hand in (a stub, a copy): once
    prints = {student: alike[text] if text in alike else
              alike.setdefault(text, fingerprints(text, stub))
              for student, text in sources.items()}
    posting: dict[int, list[str]] = defaultdict(list)
    for student in sorted(prints):
        for value in prints[student]:
            posting[value].append(student)
    # what most of the class writes is left out like the stub, from the sizes too
    common = {value for value, students in posting.items()
              if len(students) >= COMMON and len(students) > len(prints) / 2}
    sizes = {student: len(values - common) for student, values in prints.items()}
    shared: Counter[tuple[str, str]] = Counter()
    for value, students in posting.items():
        if value not in common:
            for i, first in enumerate(students):
                for second in students[i + 1:]:
                    shared[(first, second)] += 1
    pairs = []
    for (first, second), count in shared.items():
        score = count / min(sizes[first], sizes[second])
        if count >= min_shared and score >= threshold:
            pairs.append(Pair(exercise, first, second, round(score, 4), count,
                              (sizes[first], sizes[second])))
    return sorted(pairs, key=lambda p: (-p.score, p.first, p.second))


def all_pairs(sources: Iterable[tuple[str, str, str]]) -> dict[str, list[Pair]]:
    """Listed pairs per exercise from ``(student, exercise, text)`` triples."""
    by_exercise: dict[str, dict[str, str]] = defaultdict(dict)
    for student, exercise, text in sources:
        by_exercise[exercise][student] = text
    return {exercise: similar_pairs(exercise, by_exercise[exercise])
            for exercise in sorted(by_exercise)}
