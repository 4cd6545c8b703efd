"""Count the failed checks of the golden wrong submissions that get no hint.

Grades every wrong golden submission (``tests/submissions/exNN/*.py`` not named
``correct_*``) with one seed and counts, per exercise, the checks that failed (status
``failed``: a wrong value or a wrong error) and how many of those have no ``Hint:`` in
their feedback. A wrong value that matches a known mistake should always name it.

    python bench/hints.py [ex10 ex13 ...] [--seed 5] [--verbose]

``--verbose`` prints the first line of each hintless feedback; exercises 15 and 16 train
models (minutes): leave them out with ``--skip-training``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader import runner, submission  # noqa: E402
from grader.pool import WorkerPool  # noqa: E402

SUBMISSIONS = ROOT / "tests" / "submissions"
TRAINING = ("ex15", "ex16")


def wrong_submissions(exercise: str) -> list[Path]:
    """The golden wrong submissions of an exercise."""
    folder = SUBMISSIONS / exercise
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.py") if not p.name.startswith("correct_"))


def grade_one(path: Path, exercise: str, seed: int, pool: WorkerPool):
    """Grade one golden file alone; return the exercise's result."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / f"{exercise}.py").write_bytes(path.read_bytes())
        outcomes = runner.grade(submission.load(Path(folder)), exercise_ids=[exercise],
                                seed=seed, pool=pool)
    if outcomes.internal_errors:
        raise SystemExit(f"{path}: internal grader error {outcomes.internal_errors}")
    return outcomes.report.exercises[0]


def main() -> None:
    """Grade the golden wrong submissions and print the hintless failed checks."""
    parser = argparse.ArgumentParser()
    parser.add_argument("exercises", nargs="*", default=[f"ex{n:02d}" for n in range(1, 17)])
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--skip-training", action="store_true",
                        help="leave out exercises 15 and 16 (they train models)")
    args = parser.parse_args()
    exercises = [e for e in args.exercises if not (args.skip_training and e in TRAINING)]
    total_failed = total_bare = 0
    print(f"{'exercise':<10}{'files':>6}{'failed checks':>15}{'without hint':>14}")
    with WorkerPool(preload=runner.preload_for(exercises)) as pool:
        for exercise in exercises:
            files = wrong_submissions(exercise)
            failed = bare = 0
            for path in files:
                result = grade_one(path, exercise, args.seed, pool)
                for check in result.checks:
                    if check.status != "failed":
                        continue
                    failed += 1
                    if "Hint:" not in check.feedback:
                        bare += 1
                        if args.verbose:
                            first = check.feedback.strip().splitlines()[0][:150]
                            print(f"  {exercise}/{path.stem}: [{check.name}] {first}")
            total_failed += failed
            total_bare += bare
            print(f"{exercise:<10}{len(files):>6}{failed:>15}{bare:>14}")
    share = total_bare / total_failed if total_failed else 0.0
    print(f"{'all':<10}{'':>6}{total_failed:>15}{total_bare:>14}   "
          f"({share:.0%} of failed checks without a hint, seed {args.seed})")


if __name__ == "__main__":
    main()
