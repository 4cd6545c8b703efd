"""A grading process of ``grade batch --jobs N``: one pool, many submissions.

Reads one submission per line (JSON) on stdin, answers one result per line on stdout, and
exits at the end of stdin. It dies with the batch process (``PR_SET_PDEATHSIG``). Nothing
but the answers is written to the answer channel: file descriptor 1 is moved away first,
so a print anywhere in the grader cannot corrupt it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from grader.batch.executor import (
    grade_one,
    new_pool,
    settings_from_dict,
    settle,
    submission_from_dict,
)


def main(argv: list[str] | None = None) -> int:
    """Serve gradings until stdin ends."""
    from grader.worker.sandbox import die_with_parent

    die_with_parent()
    parser = argparse.ArgumentParser(prog="grader.batch.worker")
    parser.add_argument("--settings", required=True)
    args = parser.parse_args(argv)
    settings = settings_from_dict(json.loads(args.settings))
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    pool = new_pool(settings)
    graded = 0
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            started = time.monotonic()
            status, report, message = grade_one(pool, submission_from_dict(json.loads(line)),
                                                settings)
            answers.write(json.dumps({"status": status, "report": report, "message": message,
                                      "duration_s": time.monotonic() - started},
                                     ensure_ascii=True) + "\n")
            answers.flush()
            graded += 1
            if graded == 1:
                settle()
    finally:
        pool.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
