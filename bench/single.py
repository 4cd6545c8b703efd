"""Time `grade exNN` on the reference against plain in-process pytest running the same checks.

Prints, per exercise: the median wall time of the whole `grade` command (worker isolation
included), the median wall time of plain pytest importing the student module directly (the
floor), and their ratio. Goal: ratio <= 1.2 for ex10; above 1.5 is a defect.

    python bench/single.py [--runs 7] [ex10 ex14 ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str], env: dict | None = None, ok: tuple[int, ...] = (0, 1)) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in ok:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def grade_command(exercise: str) -> list[str]:
    return [sys.executable, "-m", "grader.cli", exercise, "--submission", "reference",
            "--seed", "1", "--format", "json"]


def floor_command(exercise: str) -> tuple[list[str], dict]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "bench"), FLOOR_SUBMISSION="reference",
               FLOOR_SEED="1", PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "floor_plugin", "-p",
               "no:cacheprovider", "--assert=plain", "-c", os.devnull, "--rootdir",
               str(ROOT / "grader" / "hidden"), "--import-mode=importlib",
               str(ROOT / "grader" / "hidden" / f"test_{exercise}.py")]
    return command, env


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("exercises", nargs="*", default=["ex10", "ex14"])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"{'exercise':<9}{'grade (s)':>11}{'floor (s)':>11}{'ratio':>8}   runs={args.runs}")
    for exercise in args.exercises:
        command, env = floor_command(exercise)
        timed(command, env, ok=(0,))  # warm the caches; the floor must pass every check
        grade_times, floor_times = [], []
        for _ in range(args.runs):  # interleaved, so drift affects both alike
            grade_times.append(timed(grade_command(exercise)))
            floor_times.append(timed(command, env))
        grade_median = statistics.median(grade_times)
        floor_median = statistics.median(floor_times)
        print(f"{exercise:<9}{grade_median:>11.3f}{floor_median:>11.3f}"
              f"{grade_median / floor_median:>8.2f}")


if __name__ == "__main__":
    main()
