"""The batch's SQLite database (``OUT/grades.sqlite``): the one source of every output.

WAL journal, one transaction per submission, a schema version. A submission is graded
again only when its content, the seed, the grader's version or the exercises graded
changed (or its last grading was a grader error); everything else is resumed as is.
The marks an instructor gives by hand (``manual``) are kept apart from the reports and
applied when the outputs are written, so regrading never loses or doubles them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SCHEMA_VERSION = 2
FILENAME = "grades.sqlite"
#: the ``batch`` setting that holds the due date (ISO 8601 with its offset; ``grade batch --due``)
DUE = "due"

GRADED, GRADER_ERROR, INVALID = "graded", "grader_error", "invalid"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS batch (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS submissions (
    student TEXT PRIMARY KEY,
    entry TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    seed INTEGER NOT NULL,
    grader_version TEXT NOT NULL,
    exercises TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT,
    score REAL,
    max_score REAL,
    report TEXT,
    graded_at TEXT NOT NULL,
    duration_s REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS skipped (entry TEXT PRIMARY KEY, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS manual (
    student TEXT NOT NULL,
    exercise TEXT NOT NULL,
    points REAL NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    merged_at TEXT NOT NULL,
    PRIMARY KEY (student, exercise)
);
CREATE TABLE IF NOT EXISTS sources (
    content_hash TEXT NOT NULL,
    exercise TEXT NOT NULL,
    text BLOB NOT NULL,
    PRIMARY KEY (content_hash, exercise)
);
CREATE TABLE IF NOT EXISTS notebooks (student TEXT PRIMARY KEY, text BLOB NOT NULL);
"""

#: What turns a database of version ``v - 1`` into version ``v``, besides the tables that
#: ``_SCHEMA`` creates when they are missing (version 2: the ``manual``, ``sources`` and
#: ``notebooks`` tables, nothing else; a version 1 database gets the sources and notebooks
#: of its submissions the next time ``grade batch`` reads the folder).
_MIGRATIONS: dict[int, tuple[str, ...]] = {2: ()}


class StoreError(Exception):
    """The database cannot be used (not a database, another schema, not writable)."""


def now_utc() -> str:
    """The time a grading is recorded, ISO 8601 in UTC (``SOURCE_DATE_EPOCH`` fixes it)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch and epoch.isdigit() \
        else datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Row:
    """One submission's latest result."""

    student: str
    entry: str
    content_hash: str
    seed: int
    grader_version: str
    exercises: tuple[str, ...]
    status: str
    message: str | None
    score: float | None
    max_score: float | None
    report: dict | None
    graded_at: str
    duration_s: float


class Store:
    """The open database of one batch."""

    def __init__(self, path: str | Path, *, fresh: bool = False) -> None:
        self.path = Path(path)
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.unlink(f"{self.path}{suffix}")
                except FileNotFoundError:
                    pass
                except OSError as exc:
                    raise StoreError(f"cannot remove {self.path}{suffix}: "
                                     f"{exc.strerror or exc}") from None
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30.0,
                                      check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: {exc}") from None

    def _migrate(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for statement in filter(str.strip, _SCHEMA.split(";")):
                self.db.execute(statement)
            found = self.db.execute("SELECT version FROM schema_version").fetchall()
            if not found:
                self.db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
            elif found[0][0] > SCHEMA_VERSION or found[0][0] < 1:
                raise StoreError(f"{self.path} has schema version {found[0][0]}; this grader "
                                 f"uses {SCHEMA_VERSION}: use --no-resume or another --out")
            elif found[0][0] < SCHEMA_VERSION:  # an older grader's database: upgrade it
                for version in range(found[0][0] + 1, SCHEMA_VERSION + 1):
                    for statement in _MIGRATIONS[version]:
                        self.db.execute(statement)
                self.db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed)."""
        self.db.close()

    # --- the batch's settings -------------------------------------------------------------
    def get(self, key: str) -> str | None:
        """A batch setting (``seed``, ``due``), or None."""
        row = self.db.execute("SELECT value FROM batch WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, key: str, value: str) -> None:
        """Record a batch setting."""
        self.db.execute("INSERT OR REPLACE INTO batch VALUES (?, ?)", (key, value))

    # --- submissions ----------------------------------------------------------------------
    def current(self, student: str, content: str, seed: int, grader_version: str,
                exercises: Sequence[str]) -> bool:
        """True when the student's last result was graded with exactly these inputs."""
        row = self.db.execute(
            "SELECT status, content_hash, seed, grader_version, exercises FROM submissions "
            "WHERE student = ?", (student,)).fetchone()
        return row is not None and tuple(row) == (GRADED, content, seed, grader_version,
                                                  ",".join(exercises))

    def same_invalid(self, student: str, reason: str, seed: int, grader_version: str,
                     exercises: Sequence[str]) -> bool:
        """True when the student is already recorded invalid for this reason (keep its time)."""
        row = self.db.execute(
            "SELECT status, message, seed, grader_version, exercises FROM submissions "
            "WHERE student = ?", (student,)).fetchone()
        return row is not None and tuple(row) == (INVALID, reason, seed, grader_version,
                                                  ",".join(exercises))

    def record(self, *, student: str, entry: str, content_hash: str, seed: int,
               grader_version: str, exercises: Sequence[str], status: str,
               message: str | None = None, report: dict | None = None,
               duration_s: float = 0.0, notebook: str | None = None) -> None:
        """Store one submission's result in its own transaction.

        ``notebook`` is the submitted notebook's text, for the feedback notebook that the
        outputs rebuild (None: the submission is not a notebook, and any stored one goes).
        """
        score = report.get("score") if report else None
        max_score = report.get("max_score") if report else None
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute(
                "INSERT OR REPLACE INTO submissions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (student, entry, content_hash, seed, grader_version, ",".join(exercises),
                 status, message, score, max_score,
                 json.dumps(report, ensure_ascii=False) if report is not None else None,
                 now_utc(), duration_s))
            self._put_notebook(student, notebook)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    # --- the submitted notebooks (for reports/<student>.ipynb) ------------------------------
    def _put_notebook(self, student: str, text: str | None) -> None:
        if text is None:
            self.db.execute("DELETE FROM notebooks WHERE student = ?", (student,))
        else:
            self.db.execute("INSERT OR REPLACE INTO notebooks VALUES (?, ?)",
                            (student, zlib.compress(text.encode("utf-8", "surrogatepass"))))

    def keep_notebook(self, student: str, text: str | None) -> None:
        """Store a graded student's notebook when it differs from the stored one.

        For a submission resumed as it is (the same exercise code; a notebook may still
        differ in what is not graded, or be missing from an older database).
        """
        if text == self.notebook(student):
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self._put_notebook(student, text)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def notebook(self, student: str) -> str | None:
        """The student's submitted notebook's text, or None (not a notebook)."""
        row = self.db.execute("SELECT text FROM notebooks WHERE student = ?",
                              (student,)).fetchone()
        if row is None:
            return None
        return zlib.decompress(bytes(row[0])).decode("utf-8", "surrogatepass")

    def record_skipped(self, skipped: Iterable[tuple[str, str]]) -> None:
        """Replace the list of skipped entries (one transaction)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute("DELETE FROM skipped")
            self.db.executemany("INSERT OR REPLACE INTO skipped VALUES (?, ?)", list(skipped))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def rows(self) -> list[Row]:
        """Every submission's result, sorted by student."""
        out = []
        for r in self.db.execute("SELECT student, entry, content_hash, seed, grader_version, "
                                 "exercises, status, message, score, max_score, report, "
                                 "graded_at, duration_s FROM submissions ORDER BY student"):
            out.append(Row(r[0], r[1], r[2], r[3], r[4],
                           tuple(e for e in r[5].split(",") if e), r[6], r[7], r[8], r[9],
                           json.loads(r[10]) if r[10] else None, r[11], r[12]))
        return out

    # --- marks given by hand (grade batch --merge-manual) -----------------------------------
    def merge_manual(self, marks: Iterable[tuple[str, str, float, str]], source: str) -> int:
        """Store ``(student, exercise, points, comment)`` marks in one transaction.

        A mark replaces the one stored for the same student and exercise. Return how many.
        """
        moment = now_utc()
        rows = [(s, e, float(p), c, source, moment) for s, e, p, c in marks]
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.executemany("INSERT OR REPLACE INTO manual VALUES (?,?,?,?,?,?)", rows)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return len(rows)

    def manual(self) -> dict[str, dict[str, tuple[float, str]]]:
        """The marks given by hand: student -> exercise -> ``(points, comment)``."""
        out: dict[str, dict[str, tuple[float, str]]] = {}
        for student, exercise, points, comment in self.db.execute(
                "SELECT student, exercise, points, comment FROM manual "
                "ORDER BY student, exercise"):
            out.setdefault(student, {})[exercise] = (float(points), comment)
        return out

    def skipped(self) -> list[tuple[str, str]]:
        """The skipped entries and why, by entry name."""
        return [tuple(r) for r in self.db.execute(
            "SELECT entry, reason FROM skipped ORDER BY entry")]

    # --- the submissions' code (for the similarity section of summary.html) ---------------
    def record_sources(self, candidates: Iterable[tuple[str, Mapping[str, str | None]]]
                       ) -> None:
        """Keep the exercise sources of each ``(content_hash, {exercise: text})`` (one transaction).

        Sources are stored by content hash (the same files are stored once); those of no
        submission and of none of ``candidates`` are removed.
        """
        rows = [(content, exercise, text.encode("utf-8", "surrogatepass"))
                for content, texts in candidates for exercise, text in texts.items()
                if text is not None]
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (content_hash TEXT)")
            self.db.execute("DELETE FROM keep")
            self.db.executemany("INSERT INTO keep VALUES (?)", {(r[0],) for r in rows})
            self.db.execute("DELETE FROM sources WHERE content_hash NOT IN "
                            "(SELECT content_hash FROM submissions UNION "
                            "SELECT content_hash FROM keep)")
            self.db.executemany("INSERT OR IGNORE INTO sources VALUES (?, ?, ?)", rows)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def sources(self) -> dict[str, dict[str, str]]:
        """The stored sources: content hash -> exercise -> text."""
        out: dict[str, dict[str, str]] = {}
        for content, exercise, text in self.db.execute(
                "SELECT content_hash, exercise, text FROM sources "
                "ORDER BY content_hash, exercise"):
            out.setdefault(content, {})[exercise] = bytes(text).decode("utf-8", "surrogatepass")
        return out
