"""The ``classroom`` format: the JSON GitHub Classroom's autograding reporter reads.

The reporter (``autograding-grading-reporter``) takes, per runner, a base64-encoded JSON
``{"version": 1, "status": "pass"|"fail"|"error", "max_score": N, "tests": [...]}``; each
test has ``name``, ``status``, ``message``, ``test_code``, ``filename``, ``line_no``,
``duration`` and ``score``, and Classroom records the sum of the tests' scores. Written
answers (graded by hand) are left out: they carry no automatic points. ``test_code`` names
the command to run again, never hidden test code.

The student reads the reporter's output in the Actions log, so this is the student's view
(:func:`grader.detail.for_student`): a test's name ends in ``[public]`` or ``[hidden]`` (and
``summary`` when its values are not shown), a check whose result shows after the due date is
left out (its points too: Classroom's score then counts the points shown, and the
instructor's grade is the JSON report's), and the sentences on points the total leaves out
(hidden checks not graded here, results after the due date) are tests of 0 points named
``grade: note``, whose status is ``pass`` (the reporter knows no neutral one).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from grader.detail import for_student
from grader.render.common import checks_of, clean, location, notes, submission_file, tag
from grader.report import Report

STATUS = {"passed": "pass", "failed": "fail", "error": "error", "timeout": "error"}


def results(report: Report, sources: Mapping[str, str] | None = None,
            root: str | None = None) -> dict:
    """Return the reporter's JSON document as a dict (see :func:`render`)."""
    report = for_student(report)
    tests = []
    for exercise in report.exercises:
        for check in checks_of(exercise):
            if check.status in ("manual", "withheld"):
                continue
            line = location(exercise.id, check, sources) if check.status != "passed" else None
            label = tag(check)
            tests.append({
                "name": f"{clean(exercise.id, 50)}: {clean(check.name, 500)}"
                        + (f" [{label}]" if label else ""),
                "status": STATUS[check.status],
                "message": clean(check.feedback),
                "test_code": f"grade {clean(exercise.id, 50)} --seed {report.seed}",
                "filename": submission_file(report, exercise.id, root),
                "line_no": line or 0,
                "duration": round(check.duration_s * 1000),
                "score": check.score,
            })
    for note in notes(report):
        tests.append({"name": "grade: note", "status": "pass", "message": clean(note, 1_000),
                      "test_code": f"grade --seed {report.seed}", "filename": "",
                      "line_no": 0, "duration": 0, "score": 0})
    statuses = {t["status"] for t in tests}
    status = "error" if "error" in statuses else "fail" if "fail" in statuses else "pass"
    return {"version": 1, "status": status, "max_score": report.max_score, "tests": tests}


def render(report: Report, *, sources: Mapping[str, str] | None = None,
           root: str | None = None) -> str:
    """Return the reporter's JSON as text (base64-encode it for the reporter's input).

    ``sources`` (exercise id -> source text) lets a failed check point at the function's
    ``def`` line; ``root`` is the submission's path in the repository.
    """
    return json.dumps(results(report, sources, root), indent=2, ensure_ascii=False) + "\n"
