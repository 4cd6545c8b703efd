"""The engine's promises about submissions that misbehave, end to end on exercise 10."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from grader import catalog
from grader.problems import NoResult, StudentError, StudentTimeout
from grader.proxy import StudentModule
from tests.conftest import REFERENCE, exercise

GOOD = (REFERENCE / "ex10.py").read_text()


def with_body(extra: str) -> str:
    """The reference ex10 with extra code appended (later definitions win)."""
    return GOOD + "\n\n" + extra


def result(report):
    return exercise(report, "ex10")


def test_syntax_error_is_an_explained_error_and_others_are_graded(grade_files):
    report = grade_files({"ex10.py": "def entropy(p:\n    return 0\n",
                          "ex04.py": "x = 1\n"}, ["ex10"])
    ex10 = result(report)
    assert ex10.status == "error" and ex10.score == 0
    assert "syntax error" in ex10.message and "line 1" in ex10.message
    assert all(c.status == "error" for c in ex10.checks)


def test_crash_at_import_names_the_line(grade_files):
    source = "import numpy as np\n\nvalue = 1 / 0\n"
    ex10 = result(grade_files({"ex10.py": source}, ["ex10"]))
    assert ex10.status == "error"
    assert "ZeroDivisionError" in ex10.message and "line 3" in ex10.message
    assert "value = 1 / 0" in ex10.message


def test_sys_exit_at_import(grade_files):
    ex10 = result(grade_files({"ex10.py": "print('10 passed')\nimport sys\nsys.exit(0)\n"},
                              ["ex10"]))
    assert ex10.status == "error" and "sys.exit()" in ex10.message


def test_missing_name(grade_files):
    source = GOOD.replace("def kl_divergence(", "def kl_div(")
    ex10 = result(grade_files({"ex10.py": source}, ["ex10"]))
    assert ex10.status == "error" and "does not define kl_divergence" in ex10.message


def test_missing_file_is_not_attempted(grade_files):
    ex10 = result(grade_files({"ex04.py": "x = 1\n"}, ["ex10"]))
    assert ex10.status == "not_attempted" and ex10.score == 0
    assert ex10.message == "the submission has no ex10.py"


def test_infinite_loop_times_out_one_check_and_the_rest_is_graded(grade_files):
    source = with_body(
        "_entropy = entropy\n"
        "def entropy(p, base=None):\n"
        "    if len(p) == 1000:\n"
        "        while True:\n"
        "            pass\n"
        "    return _entropy(p, base)\n")
    started = time.monotonic()
    ex10 = result(grade_files({"ex10.py": source}, ["ex10"], timeout=1.0))
    assert time.monotonic() - started < 30
    looped = check_named(ex10, "entropy matches")
    assert looped.status == "timeout" and "within 1 s" in looped.feedback
    assert ex10.status == "partial" and ex10.score == ex10.max_score - looped.max_score


def check_named(ex, start):
    return next(c for c in ex.checks if c.name.startswith(start))


def test_sys_exit_in_a_function_is_an_error_of_that_check(grade_files):
    source = with_body("def kl_divergence(p, q, base=None):\n"
                       "    print('8 passed, 0 failed')\n"
                       "    raise SystemExit(0)\n")
    ex10 = result(grade_files({"ex10.py": source}, ["ex10"]))
    kl = check_named(ex10, "kl_divergence matches")
    assert kl.status == "error" and "SystemExit" in kl.feedback
    assert "your code printed: 8 passed, 0 failed" in kl.feedback
    assert check_named(ex10, "entropy matches").status == "passed"


def test_os_exit_in_a_function_gives_no_result_and_grading_goes_on(grade_files):
    source = with_body("import os\n"
                       "def cross_entropy(p, q, base=None):\n"
                       "    os._exit(0)\n")
    ex10 = result(grade_files({"ex10.py": source}, ["ex10"]))
    ce = check_named(ex10, "cross_entropy matches")
    assert ce.status == "failed" and "no result" in ce.feedback
    assert "exited or crashed" in ce.feedback
    assert check_named(ex10, "kl_divergence matches").status == "passed"
    assert check_named(ex10, "entropy matches").status == "passed"


def test_student_traceback_shows_their_lines_only(grade_files):
    source = with_body("def helper(p):\n"
                       "    return {}['missing']\n"
                       "def entropy(p, base=None):\n"
                       "    return helper(p)\n")
    ex10 = result(grade_files({"ex10.py": source}, ["ex10"]))
    feedback = check_named(ex10, "entropy matches").feedback
    assert "entropy() raised KeyError: 'missing'" in feedback
    assert 'File "ex10.py"' in feedback and "in helper" in feedback
    assert "return {}['missing']" in feedback
    assert "grader" not in feedback and "/tmp" not in feedback


def test_arbitrary_objects_fail_with_a_clear_message(grade_files):
    source = with_body("class Answer:\n"
                       "    def __eq__(self, other):\n"
                       "        return True\n"
                       "    def __float__(self):\n"
                       "        return 0.0\n"
                       "def entropy(p, base=None):\n"
                       "    return Answer()\n")
    ex10 = result(grade_files({"ex10.py": source}, ["ex10"]))
    feedback = check_named(ex10, "entropy matches").feedback
    assert "should return a float; it returned a Answer object" in feedback


def test_printing_is_capped(grade_files):
    source = with_body("_e = entropy\n"
                       "def entropy(p, base=None):\n"
                       "    print('x' * 100000)\n"
                       "    return -1.0\n")
    ex10 = result(grade_files({"ex10.py": source}, ["ex10"]))
    feedback = check_named(ex10, "entropy matches").feedback
    assert "your code printed:" in feedback and len(feedback) < 2000


@pytest.fixture
def module(pool):
    def make(source: str, **kwargs) -> StudentModule:
        return StudentModule(pool=pool, exercise=catalog.get("ex10"),
                             files={"ex10.py": source}, **kwargs)
    return make


def test_slow_import_times_out(module):
    slow = module("import time\ntime.sleep(60)\n", import_timeout=0.5)
    status = slow.status()
    assert not status.ok and "took longer than 0.5 s" in status.problem


def test_worker_restarts_after_a_crash(module):
    mod = module(with_body("import os\ndef entropy(p, base=None):\n"
                           "    if p == 'crash':\n        os._exit(3)\n    return 1.0\n"))
    with pytest.raises(NoResult):
        mod.entropy("crash")
    assert mod.entropy([1, 2]) == 1.0  # a fresh child imported the module again
    mod.close()


def test_timeout_kills_the_whole_process_group(module):
    source = with_body(
        "import subprocess\n"
        "def entropy(p, base=None):\n"
        "    try:\n"
        "        subprocess.Popen(['sleep', '300'])  # refused where seccomp is active\n"
        "    except OSError:\n"
        "        pass\n"
        "    while True:\n        pass\n")
    mod = module(source, call_timeout=1.0)
    with pytest.raises(StudentTimeout):
        mod.entropy([1.0])
    time.sleep(0.3)
    sleepers = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _cmdline(p) ==
                "sleep 300"]
    assert sleepers == []
    mod.close()


def _cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def test_student_value_error_is_a_value_error(module):
    mod = module(GOOD)
    with pytest.raises(ValueError) as caught:
        mod.entropy([-1.0, 2.0])
    assert isinstance(caught.value, StudentError) and "negative" in caught.value.message
    mod.close()


def test_no_process_is_left_behind(tmp_path):
    from grader.pool import WorkerPool

    with WorkerPool(preload=["numpy"]) as own:
        mod = StudentModule(pool=own, exercise=catalog.get("ex10"), files={"ex10.py": GOOD})
        assert mod.entropy([1.0, 1.0]) == pytest.approx(0.6931471805599453)
        pids = [c.pid for c in own.children] + [own.process.pid]
    time.sleep(0.2)
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or _state(pid) == "Z"


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return "gone"


def test_children_do_not_inherit_the_graders_environment(module):
    os.environ["GRADE_SECRET_CANARY"] = "do-not-leak"
    try:
        mod = module(with_body("import os\ndef entropy(p, base=None):\n"
                               "    return float(len(os.environ.get('GRADE_SECRET_CANARY', "
                               "'')))\n"))
        assert mod.entropy([1.0]) == 0.0
        mod.close()
    finally:
        del os.environ["GRADE_SECRET_CANARY"]


def test_landlock_paths_split_around_secrets_even_through_links(tmp_path):
    from grader.worker.sandbox import expand_without

    site = tmp_path / "venv" / "lib" / "site-packages"
    for name in ("numpy", "reference", "grader/hidden", "grader/worker"):
        (site / name).mkdir(parents=True)
    (tmp_path / "venv" / "lib64").symlink_to(tmp_path / "venv" / "lib")
    (site / "link-to-reference").symlink_to(site / "reference")
    secrets = [str(site / "reference"), str(site / "grader" / "hidden")]
    allowed = expand_without([str(tmp_path / "venv")], secrets)
    for path in allowed:
        for secret in secrets:
            assert not (path == secret or secret.startswith(path + "/")), (path, secret)
    assert str(site / "numpy") in allowed and str(site / "grader" / "worker") in allowed


@pytest.mark.slow
def test_a_changed_grader_folder_does_not_hide_the_fixtures_from_children(tmp_path):
    """Landlock opens the grader's folder entry by entry (its hidden suites cut out): a child
    that had to list it again, after its modification time changed, found no grader.fixtures
    (ex13's model could not be built: an internal error in every check)."""
    from grader.pool import WorkerPool
    from grader.runner import grade
    from grader.submission import load

    folder = Path(__file__).resolve().parent.parent / "grader"
    before = folder.stat()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ex13.py").write_text((REFERENCE / "ex13.py").read_text())
    with WorkerPool(preload=("numpy", "torch")) as pool:
        pool.sandbox()
        os.utime(folder, ns=(before.st_atime_ns, before.st_mtime_ns + 10**9))
        try:
            outcome = grade(load(tmp_path / "sub"), exercise_ids=["ex13"], seed=0, pool=pool)
        finally:
            os.utime(folder, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert outcome.internal_errors == ()
    assert outcome.report.score == outcome.report.max_score
