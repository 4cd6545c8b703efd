"""Time grading the reference: each exercise alone, and the whole chapter in one run.

Prints the median wall time of ``grade exNN --submission reference`` per exercise (targets:
at most 20 s each for exercises 11, 12, 13, 15, 16) and of ``grade --submission reference``
(target: at most 60 s for all 16), and checks every run gave full marks.

    python bench/chapter.py [--runs 3] [ex11 ex13 ...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(targets: list[str], seed: int) -> tuple[float, dict]:
    command = [sys.executable, "-m", "grader.cli", *targets, "--submission", "reference",
               "--seed", str(seed), "--format", "json"]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} exited {done.returncode}: {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    if report["score"] != report["max_score"]:
        sys.exit(f"{targets}: the reference scored {report['score']} / {report['max_score']}")
    return elapsed, report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("exercises", nargs="*", default=[f"ex{n:02d}" for n in range(1, 17)])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'exercise':<10}{'wall (s)':>10}{'checks (s)':>12}   median of {args.runs}, seeds 1..")
    for exercise in args.exercises:
        walls, checks = [], []
        for seed in range(1, args.runs + 1):
            wall, report = run([exercise], seed)
            walls.append(wall)
            checks.append(sum(c["duration_s"] for e in report["exercises"] for c in e["checks"]))
        print(f"{exercise:<10}{statistics.median(walls):>10.2f}{statistics.median(checks):>12.2f}")
    if len(args.exercises) == 16:
        walls = [run([], seed)[0] for seed in range(1, args.runs + 1)]
        print(f"{'chapter':<10}{statistics.median(walls):>10.2f}   "
              f"(all 16 exercises in one run; runs: {', '.join(f'{w:.1f}' for w in walls)})")


if __name__ == "__main__":
    main()
