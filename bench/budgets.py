"""The time each exercise's reference spends in the worker, against the exercise's budget.

The budget (``grader/catalog.py``) bounds the wall time a submission may spend in the
worker (its import and all its calls) per exercise; when it is spent, the remaining
checks are reported ``timeout`` without calling the student again. It should be about
three times what the reference needs plus a margin, so that a correct solution never
meets it and a hostile one costs seconds. Run: ``python bench/budgets.py [--seeds 3]``.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from grader import catalog  # noqa: E402
from grader.pool import WorkerPool  # noqa: E402
from grader.runner import grade, preload_for  # noqa: E402
from grader.submission import load  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("targets", nargs="*", default=[e.id for e in catalog.EXERCISES])
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    submission = load(os.path.join(root, "reference"))
    print(f"{'exercise':9} {'spent (max)':>12} {'budget':>8} {'budget / spent':>15}  score")
    for exercise_id in args.targets:
        exercise = catalog.get(exercise_id)
        worst, scores = 0.0, []
        pool = WorkerPool(preload=preload_for([exercise_id]))
        try:
            for seed in range(args.seeds):
                outcome = grade(submission, exercise_ids=[exercise_id], seed=seed, pool=pool)
                worst = max(worst, (outcome.spent or {}).get(exercise_id, 0.0))
                scores.append(outcome.report.score)
        finally:
            pool.close()
        ratio = exercise.budget / worst if worst else float("inf")
        print(f"{exercise_id:9} {worst:11.2f}s {exercise.budget:7.1f}s {ratio:15.1f}  "
              f"{min(scores):g}/{exercise.points:g}")


if __name__ == "__main__":
    main()
