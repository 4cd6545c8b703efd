"""The batch's SQLite database (``OUT/grades.sqlite``): the one source of every output.

WAL journal, one transaction per submission, a schema version. A submission is graded
again only when its content, the seed, the grader's version or the exercises graded
changed (or its last grading was a grader error); everything else is resumed as is.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SCHEMA_VERSION = 1
FILENAME = "grades.sqlite"

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
"""


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
            elif found[0][0] != SCHEMA_VERSION:
                raise StoreError(f"{self.path} has schema version {found[0][0]}; this grader "
                                 f"uses {SCHEMA_VERSION}: use --no-resume or another --out")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed)."""
        self.db.close()

    # --- the batch's settings -------------------------------------------------------------
    def get(self, key: str) -> str | None:
        """A batch setting (``seed``), or None."""
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
               duration_s: float = 0.0) -> None:
        """Store one submission's result in its own transaction."""
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
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

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

    def skipped(self) -> list[tuple[str, str]]:
        """The skipped entries and why, by entry name."""
        return [tuple(r) for r in self.db.execute(
            "SELECT entry, reason FROM skipped ORDER BY entry")]
