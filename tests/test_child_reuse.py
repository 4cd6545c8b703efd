"""Batch grading hands a child on from exercise to exercise of one submission.

:class:`grader.proxy.ChildReuse`: after an exercise's checks, its child imports the next
exercise (of the same zygote) instead of a new child being forked and confined. These tests
pin what must hold: the next exercise runs the text that was handed in, in a healthy child
(a child that died or still runs a thread is never handed on), what the report reads after
the checks (``WRITTEN_ANSWER``) is read before, and a class graded this way gets exactly
the reports it gets with a child per exercise.
"""

from __future__ import annotations

import random
import sys

import pytest

from grader import catalog, runner, submission
from grader.batch.executor import BatchPool, Settings
from grader.problems import NoResult
from grader.proxy import ChildReuse, StudentModule
from tests.conftest import REFERENCE, ROOT

PID = "\n\nimport os as _os\nPID = _os.getpid()\n"


def files(**extra: str) -> dict[str, str]:
    """The reference of ex01, ex02 and ex10, each with its child's pid, plus ``extra``."""
    texts = {f"{e}.py": (REFERENCE / f"{e}.py").read_text() + PID for e in ("ex01", "ex02", "ex10")}
    for name, text in extra.items():
        texts[f"{name}.py"] += text
    return texts


def modules(pool, texts: dict[str, str], reuse: ChildReuse) -> dict[str, StudentModule]:
    return {e: StudentModule(pool=pool, exercise=catalog.get(e), files=texts, reuse=reuse)
            for e in ("ex01", "ex02", "ex10")}


def test_the_next_exercise_is_imported_in_the_same_child_and_works(pool):
    reuse = ChildReuse()
    mods = modules(pool, files(), reuse)
    first = mods["ex01"].attribute("PID")
    mods["ex01"].release()
    assert mods["ex02"].attribute("PID") == first  # no fork, no confinement
    assert mods["ex02"].uniform_entropy(4) == pytest.approx(1.3862943611198906)
    mods["ex02"].release()
    assert mods["ex10"].attribute("PID") == first
    assert mods["ex10"].entropy([0.5, 0.5]) == pytest.approx(0.6931471805599453)
    # ex01's module is gone from the child: asking it again imports it afresh
    assert mods["ex01"].attribute("PID") != first
    for module in mods.values():
        module.close()
    reuse.close()


def test_a_child_still_running_a_thread_is_not_handed_on(pool):
    thread = ("\n\nimport threading as _t, time as _time\n"
              "_t.Thread(target=_time.sleep, args=(600,), daemon=True).start()\n")
    reuse = ChildReuse()
    mods = modules(pool, files(ex01=thread), reuse)
    first = mods["ex01"].attribute("PID")
    mods["ex01"].release()
    assert mods["ex02"].attribute("PID") != first  # refused: a fresh child took ex02
    assert mods["ex02"].uniform_entropy(2) == pytest.approx(0.6931471805599453)
    for module in mods.values():
        module.close()
    reuse.close()


def test_a_child_that_died_is_not_handed_on(pool):
    crash = ("\n\ndef surprisal(p, base=None):\n    _os._exit(3)\n")
    reuse = ChildReuse()
    mods = modules(pool, files(ex01=crash), reuse)
    first = mods["ex01"].attribute("PID")
    with pytest.raises(NoResult):
        mods["ex01"].surprisal(0.5)
    mods["ex01"].release()
    assert mods["ex02"].attribute("PID") != first
    assert mods["ex02"].uniform_entropy(2) == pytest.approx(0.6931471805599453)
    for module in mods.values():
        module.close()
    reuse.close()


def test_the_next_exercise_runs_what_was_handed_in_not_what_the_last_one_wrote(pool):
    # ex01 rewrites ex02.py in the child's folder at import; ex02 must import the handed-in text
    overwrite = ("\n\n_path = _os.path.join(_os.path.dirname(__file__), 'ex02.py')\n"
                 "_os.unlink(_path)\n"
                 "with open(_path, 'w') as _f:\n"
                 "    _f.write('def uniform_entropy(n, base=None):\\n    return 42.0\\n')\n")
    reuse = ChildReuse()
    mods = modules(pool, files(ex01=overwrite), reuse)
    first = mods["ex01"].attribute("PID")
    mods["ex01"].release()
    assert mods["ex02"].attribute("PID") == first
    assert mods["ex02"].uniform_entropy(4) == pytest.approx(1.3862943611198906)
    for module in mods.values():
        module.close()
    reuse.close()


def test_the_written_answer_is_read_before_the_child_is_handed_on(pool):
    reuse = ChildReuse()
    texts = files(ex02="\n\nWRITTEN_ANSWER = 'the gap is KL(p || u) >= 0'\n")
    mods = modules(pool, texts, reuse)
    assert mods["ex02"].status().ok
    mods["ex02"].release()
    first = mods["ex10"].attribute("PID")
    assert mods["ex02"].attribute("WRITTEN_ANSWER") == "the gap is KL(p || u) >= 0"
    assert mods["ex10"].attribute("PID") == first  # reading it took nothing from ex10
    for module in mods.values():
        module.close()
    reuse.close()


@pytest.mark.slow
def test_a_class_graded_with_handed_on_children_gets_the_same_reports(tmp_path):
    """The bench's mixed class (copies, typical mistakes, stubs, broken files)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import batch as bench
    finally:
        sys.path.remove(str(ROOT / "bench"))
    exercises = ["ex01", "ex02", "ex04", "ex06", "ex09", "ex10", "ex11", "ex14"]
    bench.make_class(tmp_path / "class", exercises, 7, random.Random(5))
    students = [submission.load(p) for p in sorted((tmp_path / "class").iterdir())][1:]
    settings = Settings(tuple(exercises), 3)
    batch = BatchPool(settings)

    def essentials(report) -> list:
        return [(e.id, e.status, e.score, e.message, e.written,
                 [(c.name, c.status, c.score, c.feedback) for c in e.checks])
                for e in report.exercises]
    try:
        for student in students:
            shared, own = (runner.grade(student, exercise_ids=exercises, seed=3,
                                        pool=batch.pools, session=batch.session,
                                        reuse_children=reuse) for reuse in (True, False))
            assert essentials(shared.report) == essentials(own.report), student.name
            assert shared.internal_errors == own.internal_errors == ()
    finally:
        batch.close()

