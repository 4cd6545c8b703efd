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
from grader.release import sealed
from grader.render import FORMATS
from grader.submission import SubmissionError

OK, BELOW, USAGE, INTERNAL = 0, 1, 2, 3


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


def _when(text: str):
    from grader.detail import parse_due

    try:
        return parse_due(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError("must be a percentage between 0 and 100")
    return value


class _Output(argparse.Action):
    """Collect ``--format`` and ``--output`` in order, so each output pairs with its format."""

    def __call__(self, parser, namespace, values, option_string=None):  # noqa: D102
        events = list(getattr(namespace, self.dest, None) or [])
        events.append(("format" if option_string == "--format" else "output", values))
        setattr(namespace, self.dest, events)


#: What ``--output-dir`` writes: format -> file name.
OUTPUT_DIR_FILES = {"json": "report.json", "junit": "report.xml", "markdown": "report.md",
                    "html": "report.html"}


def plan_outputs(events: Sequence[tuple[str, str]] | None,
                 output_dir: str | None) -> list[tuple[str, Path | None]]:
    """Pair each ``--format`` with the ``--output`` after it: ``[(format, path or None)]``.

    An ``--output`` before any ``--format`` belongs to the first format (``table`` when none
    is given); ``None`` means the terminal, which only one format may use.
    """
    pairs: list[list] = []
    pending: str | None = None
    previous = None
    for kind, value in events or ():
        if kind == "format":
            pairs.append([value, pending])
            pending = None
        elif previous == "format" and pairs[-1][1] is None:
            pairs[-1][1] = value
        elif previous is None:
            pending = value
        else:
            raise UsageError(f"--output {value} follows no --format of its own "
                             "(give each --output right after its --format)")
        previous = kind
    if pending is not None:
        pairs.append(["table", pending])
    if not pairs and output_dir is None:
        pairs.append(["table", None])
    plan = [(name, Path(path) if path else None) for name, path in pairs]
    if output_dir is not None:
        folder = Path(output_dir)
        plan += [(name, folder / file) for name, file in OUTPUT_DIR_FILES.items()]
    terminal = [name for name, path in plan if path is None]
    if len(terminal) > 1:
        raise UsageError(f"only one format can go to the terminal (got {', '.join(terminal)});"
                         " give the others an --output FILE")
    paths = [path.resolve() for _, path in plan if path is not None]
    if len(set(paths)) < len(paths):
        raise UsageError("two reports would be written to the same file")
    return plan


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
    parser.add_argument("--format", action=_Output, choices=sorted(FORMATS), dest="outputs",
                        help="report format (default: table); may be given several times, "
                             "each followed by its own --output")
    parser.add_argument("--output", action=_Output, metavar="FILE", dest="outputs",
                        help="write the preceding --format's report to FILE (the table is "
                             "still shown on the terminal)")
    parser.add_argument("--output-dir", metavar="DIR",
                        help="also write report.json, report.xml (JUnit), report.md and "
                             "report.html into DIR")
    parser.add_argument("--quiet", action="store_true",
                        help="do not show the table on the terminal")
    parser.add_argument("--due", type=_when, metavar="WHEN",
                        default=os.environ.get("GRADE_DUE") or None,
                        help="the due date (ISO 8601, e.g. 2026-12-20T23:59, local time unless "
                             "an offset is given; or set GRADE_DUE): checks marked after_due "
                             "show their result in the student's formats only from then on "
                             "(without it, never)")
    parser.add_argument("--now", type=_when, metavar="WHEN",
                        help="the time compared with --due (default: the clock); to preview "
                             "what students see on a given day")
    parser.add_argument("--student-view", action="store_true",
                        help="--format json writes what students may see (the view every other "
                             "format shows) instead of the instructor's full report")
    parser.add_argument("--seed", type=_seed, help="seed of the randomised cases "
                        "(default: a new one each run; the report states it)")
    parser.add_argument("--fail-under", type=_percent, metavar="PERCENT",
                        help="exit with code 1 when the score is below PERCENT of the "
                             "points graded")
    parser.add_argument("--timeout", type=_positive, metavar="SECONDS",
                        help="time limit of each call into the submission (default: per "
                             "exercise, see 'grade list')")
    parser.add_argument("--verbose", action="store_true",
                        help="under the table, the sandbox's details: the layers that hold "
                             "and any that this machine lacks")
    parser.add_argument("--require-sandbox", choices=("partial", "full"), default="partial",
                        help="'full' refuses to grade unless every isolation layer (Landlock, "
                             "seccomp, network namespace and, as root, no capabilities) is "
                             "available")
    parser.add_argument("--mnist", metavar="DIR", default=os.environ.get("GRADE_MNIST"),
                        help="a folder with MNIST's IDX files: exercises 15 and 16 use them "
                             "instead of scikit-learn's digits (or set GRADE_MNIST)")
    sealed.add_options(parser)
    parser.add_argument("--watch", action="store_true",
                        help="keep running: regrade the exercises whose files change on every "
                             "save, redraw the table and rewrite each --output FILE "
                             "(Ctrl-C stops)")
    parser.add_argument("--gpt2", action="store_true",
                        default=os.environ.get("GRADE_GPT2", "") not in ("", "0"),
                        help="exercise 13 also runs on GPT-2 when its files are already in "
                             "the local Hugging Face cache (never downloaded; or set GRADE_GPT2=1)")
    parser.add_argument("--execute", action="store_true",
                        help="with a notebook submission and --format notebook: also run the "
                             "whole notebook in a sandboxed kernel, so that the graded notebook "
                             "carries its outputs (the grade does not change)")
    return parser


def list_parser() -> argparse.ArgumentParser:
    """Return the parser of ``grade list``."""
    parser = argparse.ArgumentParser(prog="grade list",
                                     description="Show the exercises, points and time limits; "
                                                 "with targets, also each check's points.")
    parser.add_argument("targets", nargs="*", metavar="TARGET")
    return parser


def keygen_parser() -> argparse.ArgumentParser:
    """Return the parser of ``grade keygen``."""
    parser = argparse.ArgumentParser(prog="grade keygen",
                                     description="Write a new course key (mode 0600) for the "
                                                 "sealed bundle of hidden suites.")
    parser.add_argument("--out", required=True, metavar="FILE",
                        help="the key file to create (never overwritten)")
    return parser


def run_keygen(args: argparse.Namespace) -> int:
    """Write a new course key; exit 2 if the file exists or cannot be written."""
    from grader.release.bundle import BundleError, write_key

    try:
        path = write_key(args.out)
    except BundleError as exc:
        raise UsageError(str(exc)) from None
    print(f"wrote a new course key to {path} (keep it secret: store it as the CI secret "
          "GRADE_COURSE_KEY)", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "list":
            return run_list(list_parser().parse_args(argv[1:]))
        if argv and argv[0] == "notebook":
            return run_notebook(notebook_parser().parse_args(argv[1:]))
        if argv and argv[0] == "gradescope-package":
            return run_gradescope_package(gradescope_parser().parse_args(argv[1:]))
        if argv and argv[0] == "keygen":
            return run_keygen(keygen_parser().parse_args(argv[1:]))
        if argv and argv[0] == "batch":
            from grader.batch import cli as batch_cli

            return batch_cli.main(argv[1:])
        if argv and argv[0] == "release":
            from grader.release import cli as release_cli

            return release_cli.run_release(release_cli.release_parser().parse_args(argv[1:]))
        if argv and argv[0] == "ci":
            from grader.release import ci

            return ci.main(argv[1:])
        args = grade_parser().parse_args(argv)
        with sealed.session(args.key_file, args.bundle):
            return run_grade(args)
    except (UsageError, targets.TargetError, SubmissionError, sealed.SealedError) as exc:
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
    exercise_ids = targets.resolve(args.targets)
    loaded = submission.load(args.submission)
    gradable = suites.gradable(exercise_ids)
    if not gradable:
        raise UsageError("no hidden suite exists yet for " + ", ".join(exercise_ids))
    plan = plan_outputs(args.outputs, args.output_dir)
    if args.output_dir is not None:
        _check_folder(Path(args.output_dir))
    for _, path in plan:
        if path is not None:
            _check_writable(path)
    if args.execute:
        _check_execute(args, loaded, plan)
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    options = {"gpt2": bool(args.gpt2)}
    if args.mnist:
        from grader import datasets

        try:
            options["mnist"] = str(datasets.check_mnist_folder(args.mnist))
            datasets.mnist(options["mnist"])  # a corrupt file is the user's error (exit 2)
        except datasets.DataError as exc:
            raise UsageError(str(exc)) from None
    if args.watch:
        from grader import watch

        return watch.run(args.submission, gradable, seed=seed, plan=plan, options=options,
                         call_timeout=args.timeout,
                         require_full=args.require_sandbox == "full")
    try:
        outcomes = runner.grade(loaded, exercise_ids=gradable, seed=seed,
                                call_timeout=args.timeout, options=options,
                                require_full=args.require_sandbox == "full")
    except SandboxUnavailable as exc:
        raise UsageError(str(exc)) from None
    report = outcomes.report
    if args.execute:
        loaded = _execute(args, loaded, gradable)
    write_outputs(report, plan, loaded, quiet=args.quiet, root=_repository_path(args.submission),
                  verbose=args.verbose, due=args.due, now=args.now,
                  student_view=args.student_view)
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
    if args.fail_under is not None:
        from grader.detail import for_student

        # the exit code is seen where the student's formats are: it follows what they show
        shown = for_student(report, due=args.due, now=args.now)
        if shown.percent < args.fail_under - 1e-9:
            return BELOW
    return OK


def _check_execute(args: argparse.Namespace, loaded, plan) -> None:
    """Refuse ``--execute`` where it cannot add outputs (exit 2), before any grading."""
    from grader.notebook import execute

    if loaded.notebook is None:
        raise UsageError(f"--execute runs a notebook, and {args.submission} is not one (give "
                         "--submission a .ipynb, or a zip or folder holding one)")
    if args.watch:
        raise UsageError("--execute cannot be combined with --watch")
    if not any(name == "notebook" for name, _ in plan):
        raise UsageError("--execute adds the outputs to the graded notebook: give --format "
                         "notebook --output FILE.ipynb (or .html)")
    try:
        execute.require()
    except execute.ExecuteUnavailable as exc:
        raise UsageError(str(exc)) from None


def _execute(args: argparse.Namespace, loaded, exercise_ids):
    """Run the notebook in the sandboxed kernel; the submission with the run's notebook."""
    import dataclasses

    from grader.notebook import execute

    result = execute.run(loaded.notebook, exercise_ids, call_timeout=args.timeout,
                         require_full=args.require_sandbox == "full")
    if not result.ok:
        print(f"grade: --execute: {result.message}", file=sys.stderr)
    if result.text is None:
        return loaded
    return dataclasses.replace(loaded, notebook=result.text)


def _repository_path(submission: str) -> str:
    """Return the submission's path relative to the current folder when it lies inside it."""
    path = Path(submission)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return submission


def write_outputs(report, plan: Sequence[tuple[str, Path | None]], loaded=None, *,
                  quiet: bool = False, root: str | None = None,
                  verbose: bool = False, due=None, now=None,
                  student_view: bool = False) -> None:
    """Render the report in each planned format; the table goes to the terminal too.

    Every format but ``json`` shows the student's view for the due date ``due`` at ``now``
    (:func:`grader.detail.for_student`); ``json`` keeps the whole report unless
    ``student_view``; ``gradescope`` keeps every score and lets Gradescope hold results back.
    """
    from grader.detail import disclose, for_student
    from grader.render import render

    if any(name == "table" for name, _ in plan) or (
            not quiet and all(path is not None for _, path in plan)):
        from grader.render import table  # rich, only when a table is drawn
    sources = {key: source.text for key, source in loaded.sources.items()
               if source.text is not None} if loaded is not None else None
    color = sys.stdout.isatty()
    view = for_student(report, due=due, now=now)
    shown = {"json": view if student_view else report,
             "gradescope": disclose(report, due=due, now=now)}
    for name, path in plan:
        text = table.render(view, color=color and path is None, verbose=verbose) \
            if name == "table" \
            else render(name, shown.get(name, view), sources, root,
                        notebook=getattr(loaded, "notebook", None))
        if name == "notebook" and path is not None and path.suffix.lower() == ".html":
            from grader.render.notebook import to_html

            text = to_html(text)
        if path is None:
            if not (quiet and name == "table"):
                sys.stdout.write(text)
            continue
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--output {path}: {exc.strerror or exc}") from None
    if not quiet and all(path is not None for _, path in plan):
        sys.stdout.write(table.render(view, color=color, verbose=verbose))
    if any(name == "github" for name, _ in plan):
        from grader.render import github

        try:
            github.append_step_summary(view)
        except OSError as exc:
            print(f"grade: note: GITHUB_STEP_SUMMARY not written: {exc}", file=sys.stderr)


def folder_problem(folder: Path, option: str) -> str:
    """Create an output folder if needed; return what makes it unusable ("" when none)."""
    if folder.exists() and not folder.is_dir():
        return f"{option} {folder} is not a folder"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"{option} {folder}: {exc.strerror or exc}"
    if not os.access(folder, os.W_OK):
        return f"{option} {folder} is not writable"
    return ""


def _check_folder(folder: Path) -> None:
    problem = folder_problem(folder, "--output-dir")
    if problem:
        raise UsageError(problem)


def _check_writable(path: Path) -> None:
    if path.is_dir():
        raise UsageError(f"--output {path} is a folder, not a file")
    if not path.parent.exists():
        raise UsageError(f"--output {path}: the folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"--output {path} is not writable")


def gradescope_parser() -> argparse.ArgumentParser:
    """Return the parser of ``grade gradescope-package``."""
    parser = argparse.ArgumentParser(
        prog="grade gradescope-package",
        description="Build the zip to upload as a Gradescope programming assignment's "
                    "autograder: setup.sh, run_autograder and the grader's wheel (with the "
                    "hidden suites).")
    parser.add_argument("--out", required=True, metavar="ZIP", help="the zip to write")
    parser.add_argument("--source", metavar="DIR",
                        help="the grader's repository (default: the one this grader runs "
                             "from, or the current folder)")
    return parser


def run_gradescope_package(args: argparse.Namespace) -> int:
    """Build the Gradescope autograder zip."""
    from grader import gradescope_package

    out = Path(args.out)
    _check_writable(out)
    try:
        gradescope_package.build(out, Path(args.source) if args.source else None)
    except gradescope_package.PackageError as exc:
        raise UsageError(str(exc)) from None
    print(f"wrote {out}: upload it as the autograder of a Gradescope programming assignment")
    return OK


def notebook_parser() -> argparse.ArgumentParser:
    """Return the parser of ``grade notebook``."""
    parser = argparse.ArgumentParser(
        prog="grade notebook",
        description="Write the students' Jupyter notebook, made from the stubs in exercises/: "
                    "per exercise its task, the code to write, the written answer and a cell "
                    "that grades it. An existing notebook keeps the student's code and answers.")
    parser.add_argument("targets", nargs="*", metavar="TARGET",
                        help="ex04, ex4, 4, ch04 or all (the default)")
    parser.add_argument("--out", default="exercises/ch04.ipynb", metavar="PATH",
                        help="the notebook to write or regenerate (default: exercises/ch04.ipynb)")
    parser.add_argument("--stubs", default="exercises", metavar="DIR",
                        help="the folder of the stubs (default: ./exercises)")
    return parser


def run_notebook(args: argparse.Namespace) -> int:
    """Write or regenerate the students' notebook."""
    from grader.notebook import generate
    from grader.notebook.intake import NotebookError

    exercise_ids = targets.resolve(args.targets)
    stubs, out = Path(args.stubs), Path(args.out)
    if stubs.resolve().name == "reference" or not stubs.is_dir():
        raise UsageError(f"--stubs {stubs}: not a folder of stubs (the notebook is made from "
                         "exercises/, never from reference/)")
    if out.suffix != ".ipynb":
        raise UsageError(f"--out {out}: a notebook's name ends in .ipynb")
    _check_writable(out)
    try:
        cells, merged = generate.write(out, exercise_ids, stubs)
    except NotebookError as exc:
        raise UsageError(str(exc)) from None
    kept = " (the student's code and answers kept)" if merged else ""
    print(f"wrote {out}: {len(exercise_ids)} exercises, {cells} cells{kept}")
    return OK


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
        from grader.suites import collect_checks, hidden_available, hidden_manifest

        sealed_counts = {} if hidden_available() else hidden_manifest()
        for exercise_id, checks in collect_checks(chosen).items():
            checks_table = Table(title=f"{exercise_id} checks", title_justify="left")
            checks_table.add_column("Check")
            checks_table.add_column("Points", justify="right")
            for name, points in checks:
                checks_table.add_row(name, f"{points:g}")
            hidden = sealed_counts.get(exercise_id, {})
            if hidden.get("checks"):
                checks_table.add_row(f"{hidden['checks']:g} hidden checks (graded when you "
                                     "open a pull request)", f"{hidden['points']:g}")
            console.print(checks_table)
    return OK


def console() -> None:
    """The ``grade`` console script: run, flush, and leave without Python's finalisation.

    Everything ``main`` writes is closed or flushed by then and its worker pool is stopped;
    tearing down NumPy, SciPy and pytest module by module would only add a tenth of a second
    to every run of the student's loop.
    """
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: nothing more to say
        pass
    os._exit(code)


if __name__ == "__main__":
    console()
