"""Time ``grade batch`` on a synthetic class: the overhead per submission.

Builds 200 submissions of exercises 1-12 and 14 (copies of the reference, the typical
mistakes of tests/submissions/, untouched stubs, files with a syntax error, one infinite
loop), grades them with ``grade batch --jobs 2`` and prints the wall time, the sum of the
checks' own durations (``duration_s`` of every check in the reports) and the overhead per
submission = (wall x jobs - checks' time) / submissions (goal: at most 30 ms; nbgrader
needs about 1200 ms). Then the same for the whole chapter (all 16) on 20 submissions.

    python bench/batch.py [--students 200] [--chapter-students 20] [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "reference"
STUBS = ROOT / "exercises"
MISTAKES = ROOT / "tests" / "submissions"
FIRST = [f"ex{n:02d}" for n in (*range(1, 13), 14)]
CHAPTER = [f"ex{n:02d}" for n in range(1, 17)]


def loop_file(exercise: str) -> str:
    """The reference with an infinite loop run when the module is imported."""
    text = (REFERENCE / f"{exercise}.py").read_text()
    return text + "\n\nwhile True:  # an infinite loop at import\n    pass\n"


def make_class(folder: Path, exercises: list[str], students: int, rng: random.Random) -> None:
    """Write ``students`` submission folders of the given exercises."""
    for number in range(students):
        target = folder / f"student{number:03d}"
        target.mkdir(parents=True)
        for exercise in exercises:
            mistakes = sorted(p for p in (MISTAKES / exercise).glob("*.py")
                              if not p.name.startswith("correct"))
            roll = rng.random()
            path = target / f"{exercise}.py"
            if roll < 0.45:
                shutil.copyfile(REFERENCE / f"{exercise}.py", path)
            elif roll < 0.75 and mistakes:
                shutil.copyfile(rng.choice(mistakes), path)
            elif roll < 0.9:
                shutil.copyfile(STUBS / f"{exercise}.py", path)
            else:
                path.write_text("def broken(:\n    pass\n")
    # one student whose first exercise never finishes importing
    (folder / "student000" / f"{exercises[0]}.py").write_text(loop_file(exercises[0]))


def run(exercises: list[str], students: int, jobs: int, seed: int) -> None:
    """Grade a synthetic class and print the figures."""
    with tempfile.TemporaryDirectory(prefix="grade-bench-batch-") as scratch:
        folder, out = Path(scratch) / "class", Path(scratch) / "out"
        make_class(folder, exercises, students, random.Random(seed))
        command = [sys.executable, "-m", "grader.cli", "batch", str(folder), *exercises,
                   "--out", str(out), "--jobs", str(jobs), "--seed", str(seed), "--quiet"]
        load = os.getloadavg()[0]
        started, clock = time.perf_counter(), time.time()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - started
        ended = time.time()
        if done.returncode != 0:
            sys.exit(f"grade batch exited {done.returncode}: {done.stderr[-2000:]}")
        with sqlite3.connect(out / "grades.sqlite") as db:
            rows = db.execute("SELECT status, report FROM submissions").fetchall()
            moments = sorted((datetime.strptime(m, "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=UTC).timestamp(), d)
                for m, d in db.execute("SELECT graded_at, duration_s FROM submissions"))
            durations = db.execute("SELECT duration_s, report FROM submissions").fetchall()
        own = sorted(d - sum(c["duration_s"] for e in json.loads(r)["exercises"]
                             for c in e["checks"]) for d, r in durations if r)
        median = own[len(own) // 2] if own else 0.0
        checks = sum(c["duration_s"] for _, r in rows if r for e in json.loads(r)["exercises"]
                     for c in e["checks"])
        statuses = {s: sum(1 for t, _ in rows if t == s) for s in {t for t, _ in rows}}
        overhead = (wall * jobs - checks) / students
        print(f"{students} submissions x {len(exercises)} exercises, --jobs {jobs} "
              f"(load before: {load:.2f}): wall {wall:.1f} s, checks {checks:.1f} s, "
              f"overhead {overhead * 1000:.0f} ms per submission "
              f"({wall / students * 1000:.0f} ms wall per submission; median of each "
              f"submission's own grading time minus its checks: {median * 1000:.0f} ms); "
              f"{statuses}")
        # the batch's fixed costs (to 1 s: the database stores whole seconds): starting the
        # grading processes (until the first result, less that submission's own grading),
        # and writing the outputs after the last result
        startup = moments[0][0] - moments[0][1] - clock
        tail = ended - moments[-1][0]
        fixed = (startup + tail) * jobs / students
        print(f"  of which fixed: start-up before the first grading {startup:.0f} s, outputs "
              f"after the last {tail:.0f} s (+-1 s), {fixed * 1000:.0f} ms per submission; "
              f"while grading: {(overhead - fixed) * 1000:.0f} ms per submission")


def main() -> None:
    """Run both measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--chapter-students", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.students:
        run(FIRST, args.students, args.jobs, args.seed)
    if args.chapter_students:
        run(CHAPTER, args.chapter_students, args.jobs, args.seed)


if __name__ == "__main__":
    main()
