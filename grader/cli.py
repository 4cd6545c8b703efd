"""The ``grade`` command: parse, dispatch, exit codes.

Exit codes: 0 graded (whatever the score); 1 graded but below ``--fail-under``; 2 usage or
input error (bad target, missing or unreadable submission); 3 internal grader error.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path

from grader import catalog, targets
from grader.render import FORMATS
from grader.submission import SubmissionError

OK, BELOW, USAGE, INTERNAL = 0, 1, 2, 3
PLANNED = {"batch", "notebook", "release"}


class UsageError(Exception):
    """A mistake in how grade was called; reported in one line with exit code 2."""


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"must be between 0 and {2**32 - 1}")
    return value


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError("must be a percentage between 0 and 100")
    return value


def grade_parser() -> argparse.ArgumentParser:
    """Return the parser of ``grade [TARGET ...] [options]``."""
    parser = argparse.ArgumentParser(
        prog="grade",
        description="Grade Chapter 4 (Information Theory) exercises against hidden tests. "
                    "Other commands: 'grade list' shows the exercises and their points.",
    )
    parser.add_argument("targets", nargs="*", metavar="TARGET",
                        help="ex04, ex4, 4, ch04 or all (the default)")
    parser.add_argument("--submission", default="exercises", metavar="PATH",
                        help="a folder of exNN.py files, a .ipynb or a .zip (default: "
                             "./exercises)")
    parser.add_argument("--format", default="table", choices=sorted(FORMATS),
                        help="report format (default: table)")
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE "
                        "(the table is still shown on the terminal)")
    parser.add_argument("--seed", type=_seed, help="seed of the randomised cases "
                        "(default: a new one each run; the report states it)")
    parser.add_argument("--fail-under", type=_percent, metavar="PERCENT",
                        help="exit with code 1 when the score is below PERCENT of the "
                             "points graded")
    parser.add_argument("--timeout", type=_positive, metavar="SECONDS",
                        help="time limit of each call into the submission (default: per "
                             "exercise, see 'grade list')")
    parser.add_argument("--require-sandbox", choices=("partial", "full"), default="partial",
                        help="'full' refuses to grade unless every isolation layer (Landlock, "
                             "seccomp, network namespace, uid drop as root) is available")
    parser.add_argument("--mnist", metavar="DIR", default=os.environ.get("GRADE_MNIST"),
                        help="a folder with MNIST's IDX files: exercises 15 and 16 use them "
                             "instead of scikit-learn's digits (or set GRADE_MNIST)")
    parser.add_argument("--gpt2", action="store_true",
                        default=os.environ.get("GRADE_GPT2", "") not in ("", "0"),
                        help="exercise 13 also runs on GPT-2 when its files are already in "
                             "the local Hugging Face cache (never downloaded; or set GRADE_GPT2=1)")
    return parser


def list_parser() -> argparse.ArgumentParser:
    """Return the parser of ``grade list``."""
    parser = argparse.ArgumentParser(prog="grade list",
                                     description="Show the exercises, points and time limits; "
                                                 "with targets, also each check's points.")
    parser.add_argument("targets", nargs="*", metavar="TARGET")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "list":
            return run_list(list_parser().parse_args(argv[1:]))
        if argv and argv[0] in PLANNED:
            raise UsageError(f"'grade {argv[0]}' is not available in this version yet")
        return run_grade(grade_parser().parse_args(argv))
    except (UsageError, targets.TargetError, SubmissionError) as exc:
        print(f"grade: error: {exc}", file=sys.stderr)
        return USAGE
    except KeyboardInterrupt:
        print("grade: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: exit 3, no traceback
        if os.environ.get("GRADE_DEBUG"):
            raise
        print(f"grade: internal grader error: {type(exc).__name__}: {exc} "
              "(set GRADE_DEBUG=1 for a traceback)", file=sys.stderr)
        return INTERNAL


def run_grade(args: argparse.Namespace) -> int:
    """Grade a submission and print or write the report."""
    from grader import runner, submission, suites
    from grader.pool import SandboxUnavailable
    from grader.render import renderer, table

    exercise_ids = targets.resolve(args.targets)
    loaded = submission.load(args.submission)
    gradable = suites.gradable(exercise_ids)
    if not gradable:
        raise UsageError("no hidden suite exists yet for " + ", ".join(exercise_ids))
    output = Path(args.output) if args.output else None
    if output is not None:
        _check_writable(output)
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    options = {"gpt2": bool(args.gpt2)}
    if args.mnist:
        from grader import datasets

        try:
            options["mnist"] = str(datasets.check_mnist_folder(args.mnist))
            datasets.mnist(options["mnist"])  # a corrupt file is the user's error (exit 2)
        except datasets.DataError as exc:
            raise UsageError(str(exc)) from None
    try:
        outcomes = runner.grade(loaded, exercise_ids=gradable, seed=seed,
                                call_timeout=args.timeout, options=options,
                                require_full=args.require_sandbox == "full")
    except SandboxUnavailable as exc:
        raise UsageError(str(exc)) from None
    report = outcomes.report
    color = sys.stdout.isatty()
    if output is None:
        text = table.render(report, color=color) if args.format == "table" \
            else renderer(args.format)(report)
        sys.stdout.write(text)
    else:
        output.write_text(renderer(args.format)(report), encoding="utf-8")
        sys.stdout.write(table.render(report, color=color))
    if args.gpt2 and "ex13" in gradable:
        from grader.fixtures.language_model import find_gpt2

        folder, reason = find_gpt2()
        if folder is None:
            print(f"grade: note: --gpt2: {reason}; exercise 13 ran on the tiny model only",
                  file=sys.stderr)
    skipped = [e for e in exercise_ids if e not in gradable]
    if skipped:
        print(f"grade: note: no hidden suite yet for {', '.join(skipped)}", file=sys.stderr)
    if outcomes.internal_errors:
        for problem in outcomes.internal_errors:
            print(f"grade: internal grader error: {problem}", file=sys.stderr)
        return INTERNAL
    if args.fail_under is not None and report.percent < args.fail_under - 1e-9:
        return BELOW
    return OK


def _check_writable(path: Path) -> None:
    if path.is_dir():
        raise UsageError(f"--output {path} is a folder, not a file")
    if not path.parent.exists():
        raise UsageError(f"--output {path}: the folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"--output {path} is not writable")


def run_list(args: argparse.Namespace) -> int:
    """Print the exercises with their points and time limits."""
    from rich.console import Console
    from rich.table import Table

    from grader.proxy import MEMORY_MIB

    chosen = targets.resolve(args.targets)
    table = Table(title="Chapter 4: Information Theory", title_justify="left")
    for column in ("Ex", "Title", "Points", "Functions", "Time per call", "Budget"):
        table.add_column(column, justify="right" if column in ("Points",) else "left")
    for ex in catalog.EXERCISES:
        if ex.id in chosen:
            table.add_row(ex.id, ex.title, f"{ex.points:g}", ", ".join(ex.names),
                          f"{ex.call_timeout:g} s", f"{ex.budget:g} s")
    console = Console(highlight=False)
    console.print(table)
    total = sum(catalog.get(e).points for e in chosen)
    console.print(f"{total:g} points in all. Each call into a submission may take the time "
                  "per call above (wall clock, and as much CPU time; --timeout changes it); "
                  "all calls of an exercise together, its budget; memory: "
                  f"{MEMORY_MIB} MiB per exercise.")
    if args.targets:
        from grader.suites import collect_checks

        for exercise_id, checks in collect_checks(chosen).items():
            checks_table = Table(title=f"{exercise_id} checks", title_justify="left")
            checks_table.add_column("Check")
            checks_table.add_column("Points", justify="right")
            for name, points in checks:
                checks_table.add_row(name, f"{points:g}")
            console.print(checks_table)
    return OK


if __name__ == "__main__":
    sys.exit(main())
