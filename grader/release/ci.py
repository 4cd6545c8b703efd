"""``grade ci``: grade a pull request's exercises with the base branch's trusted grader.

The workflow (``.github/workflows/grade.yml`` of a student release) runs on
``pull_request_target``: the checkout is the base branch (the instructor's grader, public
checks and sealed bundle), and the course key is a secret of the base repository. The pull
request's head is never checked out, installed or run: this command reads the head's
``exercises/exNN.py`` (and ``exercises/*.ipynb``) as data, straight from git's object store
(``git ls-tree`` and ``git cat-file``), grades them in the sandbox like any submission, and
writes:

- ``report.json``: the ``grade-report/1`` report as the student may see it (checks marked
  ``summary`` without their values, ``after_due`` ones kept back until ``--due``),
- ``comment.md``: the pull-request comment (a marker line, a warning when the pull request
  changes files outside ``exercises/``, then the Markdown report),
- ``changed_outside.txt``: those files, one per line,

and appends the comment to ``$GITHUB_STEP_SUMMARY`` when it is set.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from grader import targets
from grader.submission import MAX_FILE_BYTES, MAX_ZIP_BYTES, Source, Submission, SubmissionError

#: the first line of the comment, so the workflow updates its own comment instead of adding one
MARKER = "<!-- grade: pull-request report -->"
_EXERCISE = re.compile(r"exercises/(ex\d\d)\.py")
_NOTEBOOK = re.compile(r"exercises/[^/]+\.ipynb")
REGULAR = ("100644", "100755")


class CiError(Exception):
    """The repository or the reference cannot be read (one line; exit 2)."""


def ci_parser() -> argparse.ArgumentParser:
    """Return the parser of ``grade ci``."""
    from grader.release import sealed

    parser = argparse.ArgumentParser(
        prog="grade ci",
        description="Grade the exercises of a pull request's head (read from git as data) with "
                    "this checkout's grader; write report.json, comment.md and the step summary.")
    parser.add_argument("targets", nargs="*", metavar="TARGET",
                        help="exercises to grade (default: all)")
    parser.add_argument("--head-ref", required=True, metavar="REF",
                        help="the pull request's head commit or ref (fetched, never checked out)")
    parser.add_argument("--base-ref", default="HEAD", metavar="REF",
                        help="the base it is compared with to list changed files (default HEAD)")
    parser.add_argument("--repo", default=".", metavar="DIR",
                        help="the base checkout: a git repository (default: .)")
    parser.add_argument("--out", default="grade-report", metavar="DIR",
                        help="where report.json and comment.md go (default: grade-report)")
    parser.add_argument("--seed", type=int, help="seed of the random cases (default: random)")
    parser.add_argument("--quiet", action="store_true", help="do not print the table")
    parser.add_argument("--due", type=_when, metavar="WHEN",
                        default=os.environ.get("GRADE_DUE") or None,
                        help="the due date (ISO 8601; or set GRADE_DUE): checks marked "
                             "after_due are shown only from then on")
    sealed.add_options(parser)
    return parser


def _when(text: str):
    from grader.cli import _when as parse

    return parse(text)


def git(repo: Path, *args: str, binary: bool = False) -> str | bytes:
    """Run a read-only git command in ``repo``; raise CiError with git's own message."""
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True,
                              check=False, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CiError(f"git {' '.join(args[:2])}: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CiError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return done.stdout if binary else done.stdout.decode("utf-8", "surrogateescape")


def commit_of(repo: Path, ref: str) -> str:
    """Resolve a ref to a commit id (a ref starting with '-' is refused)."""
    if ref.startswith("-"):
        raise CiError(f"not a git ref: {ref!r}")
    return str(git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")).strip()


def changed_files(repo: Path, base: str, head: str) -> list[str]:
    """The files the pull request changes (from the merge base when there is one)."""
    try:
        start = str(git(repo, "merge-base", base, head)).strip()
    except CiError:
        start = base  # unrelated or shallow histories: compare the two trees
    out = git(repo, "diff", "--name-only", "-z", "--no-renames", start, head, binary=True)
    return sorted(p.decode("utf-8", "surrogateescape") for p in bytes(out).split(b"\0") if p)


def outside_exercises(paths: Sequence[str]) -> list[str]:
    """The changed paths that are not a student's file (``exercises/exNN.py`` or a notebook)."""
    return [p for p in paths if not (_EXERCISE.fullmatch(p) or _NOTEBOOK.fullmatch(p))]


def _tree(repo: Path, head: str) -> list[tuple[str, str, str, str]]:
    """``(mode, type, object, path)`` of each entry of the head's ``exercises/`` folder."""
    listing = bytes(git(repo, "ls-tree", "-z", head, "exercises/", binary=True))
    entries = []
    for item in listing.split(b"\0"):
        if not item:
            continue
        meta, _, path = item.partition(b"\t")
        mode, kind, obj = meta.decode("ascii").split()
        entries.append((mode, kind, obj, path.decode("utf-8", "surrogateescape")))
    return entries


def _blob(repo: Path, obj: str, limit: int) -> bytes | None:
    size = int(str(git(repo, "cat-file", "-s", obj)).strip())
    if size > limit:
        return None
    return bytes(git(repo, "cat-file", "blob", obj, binary=True))


def head_submission(repo: Path, head: str, changed: Sequence[str]) -> Submission:
    """The head's exercises as a submission, read as data from git.

    ``exercises/exNN.py`` files are the submission; a notebook is graded instead only when
    the pull request changes a notebook and no ``exNN.py``. Only regular files count: a link
    (mode 120000) or anything else is that exercise's error, never followed.
    """
    from grader import submission as loader

    sources: dict[str, Source] = {}
    notebooks: list[tuple[str, str, str]] = []
    for mode, kind, obj, path in _tree(repo, head):
        match = _EXERCISE.fullmatch(path)
        if match:
            filename = path.rsplit("/", 1)[1]
            if kind != "blob" or mode not in REGULAR:
                what = "a symbolic link" if mode == "120000" else f"not a regular file ({mode})"
                sources[match.group(1)] = Source(filename, None,
                                                 f"{filename} is {what} in the pull request")
                continue
            data = _blob(repo, obj, MAX_FILE_BYTES)
            sources[match.group(1)] = (
                loader.source_from_bytes(filename, data) if data is not None else
                Source(filename, None, f"{filename} is larger than {MAX_FILE_BYTES >> 10} KiB"))
        elif _NOTEBOOK.fullmatch(path) and kind == "blob" and mode in REGULAR:
            notebooks.append((mode, obj, path))
    changed_py = any(_EXERCISE.fullmatch(p) for p in changed)
    changed_nb = [n for n in notebooks if n[2] in changed]
    if changed_nb and not changed_py:
        _, obj, path = changed_nb[0]
        data = _blob(repo, obj, MAX_ZIP_BYTES)
        if data is None:
            raise SubmissionError(f"{path} is larger than {MAX_ZIP_BYTES >> 20} MiB")
        return loader.notebook_submission(path, data, path.rsplit("/", 1)[1])
    if not sources:
        raise SubmissionError(f"the pull request's head {head[:12]} has no exercises/exNN.py")
    return Submission("exercises", sources)


NO_KEY = ("> **Note**: the course key (the repository secret `GRADE_COURSE_KEY`) was not "
          "available to this run, so only the public checks were graded; the hidden checks "
          "were not.")


def comment(markdown_report: str, outside: Sequence[str], *, hidden_graded: bool = True) -> str:
    """The pull-request comment: the marker, a warning for files outside exercises/, the report."""
    from grader.render.common import clean

    lines = [MARKER, ""]
    if not hidden_graded:
        lines += [NO_KEY, ""]
    if outside:
        # a code span shows a path as it is; only a backtick could end it early
        shown = ", ".join(f"`{clean(p, 200).replace('`', chr(0x2018))}`" for p in outside[:20])
        more = f" and {len(outside) - 20} more" if len(outside) > 20 else ""
        lines += [f"> **Warning**: this pull request changes {len(outside)} file(s) outside "
                  f"`exercises/`: {shown}{more}. Only `exercises/` is graded, with the "
                  "course's own grader; the other changes are ignored.", ""]
    return "\n".join(lines) + markdown_report


def main(argv: Sequence[str]) -> int:
    """Run ``grade ci``; return the exit code (0 graded, 2 bad input, 3 grader fault)."""
    from grader.release import sealed

    args = ci_parser().parse_args(argv)
    try:
        exercise_ids = targets.resolve(args.targets)
        repo = Path(args.repo)
        if not (repo / ".git").exists():
            raise CiError(f"--repo {repo} is not a git checkout")
        head = commit_of(repo, args.head_ref)
        base = commit_of(repo, args.base_ref)
        changed = changed_files(repo, base, head)
        loaded = head_submission(repo, head, changed)
        with sealed.session(args.key_file, args.bundle):
            return _grade(args, loaded, exercise_ids, outside_exercises(changed), head)
    except (CiError, SubmissionError, targets.TargetError) as exc:
        print(f"grade ci: error: {exc}", file=sys.stderr)
        return 2


def _grade(args: argparse.Namespace, loaded: Submission, exercise_ids: Sequence[str],
           outside: Sequence[str], head: str) -> int:
    from grader import runner, suites
    from grader.cli import folder_problem
    from grader.detail import for_student
    from grader.render import markdown, table

    out = Path(args.out)
    problem = folder_problem(out, "--out")
    if problem:
        raise CiError(problem)
    gradable = suites.gradable(exercise_ids)
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    outcomes = runner.grade(loaded, exercise_ids=gradable, seed=seed)
    # everything written here is the student's to read (the artifact can be downloaded by
    # anyone who can see the pull request): the student's view, never the full report
    report = for_student(outcomes.report, due=args.due)
    (out / "report.json").write_text(json.dumps(report.to_dict(), indent=2) + "\n",
                                     encoding="utf-8")
    text = comment(markdown.render(report), outside,
                   hidden_graded=report.hidden_not_graded is None)
    (out / "comment.md").write_text(text, encoding="utf-8")
    (out / "changed_outside.txt").write_text("".join(f"{p}\n" for p in outside),
                                             encoding="utf-8", errors="surrogateescape")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")
    if not args.quiet:
        sys.stdout.write(table.render(report, color=False))
        print(f"graded {head[:12]}: {report.score:g} / {report.max_score:g}"
              + (f"; {len(outside)} file(s) changed outside exercises/" if outside else ""))
    for fault in outcomes.internal_errors:
        print(f"grade ci: internal grader error: {fault}", file=sys.stderr)
    return 3 if outcomes.internal_errors else 0
