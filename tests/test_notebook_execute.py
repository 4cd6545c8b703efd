"""``grade --execute`` (the notebook run in a sandboxed kernel) and batch feedback notebooks."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import nbformat
import pytest

from grader import catalog, runner, submission
from grader.batch import cli as batch_cli
from grader.batch.store import FILENAME, Store
from grader.cli import main
from grader.notebook import execute, generate
from grader.notebook.feedback import annotate, to_html
from grader.render.notebook import render
from tests.conftest import REFERENCE, STUBS
from tests.test_notebook import fill_with_reference, role_cells

pytest.importorskip("ipykernel")
pytest.importorskip("nbclient")

IDS = ["ex01", "ex10"]
FAKE = "FAKE OUTPUT saved by the student: 16 / 16"


def _kernel_can_run() -> bool:
    """False where the sandbox keeps uid 0 (the Python installation is not readable by another
    user, as a pyenv Python under /root): that mode forbids the sockets a kernel needs, and
    ``--execute`` says so in one line (tested below) instead of running."""
    import tempfile

    from grader.worker import sandbox

    plan = sandbox.detect(tempfile.gettempdir(),
                          keep_uid=os.environ.get("GRADE_SANDBOX_KEEP_UID") == "1")
    return not (plan.caps and plan.uid is None)


#: the tests that run a kernel
runs_a_kernel = pytest.mark.skipif(not _kernel_can_run(), reason="the sandbox keeps uid 0 here "
                                   "(the Python installation is not readable by other users), "
                                   "where no kernel can run: see the uid-0 test")


def filled(*extra: str, ids=IDS):
    """The reference in a generated notebook, then one code cell per ``extra`` source."""
    notebook = fill_with_reference(generate.build(ids, STUBS), ids)
    stub = role_cells(notebook, "stub", ids[0])[0]
    stub.outputs = [nbformat.v4.new_output("stream", name="stdout", text=FAKE)]
    for source in extra:
        notebook.cells.append(nbformat.v4.new_code_cell(source))
    return notebook


def run(notebook, ids=IDS, **options) -> tuple[execute.Execution, object]:
    result = execute.run(nbformat.writes(notebook), ids, **options)
    assert result.text is not None
    return result, nbformat.reads(result.text, as_version=4)


def texts(cell) -> str:
    """Everything a code cell's outputs show, as one string."""
    parts = []
    for output in cell.outputs:
        parts.append(output.get("text", ""))
        parts.extend(str(v) for v in output.get("data", {}).values())
        parts.append(f"{output.get('ename', '')}: {output.get('evalue', '')}")
    return "\n".join(parts)


def scores(path) -> dict:
    data = json.loads(path.read_text())
    return {e["id"]: (e["score"], e["status"], [(c["name"], c["status"]) for c in e["checks"]])
            for e in data["exercises"]}


@runs_a_kernel
# --- grade --execute ----------------------------------------------------------------------------
@pytest.mark.slow
def test_execute_adds_the_outputs_and_never_changes_the_grade(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    notebook = filled("import numpy as np\nprint('entropy of a fair coin:', "
                      "entropy(np.array([0.5, 0.5]), base=2))",
                      "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()",
                      "6 * 7",
                      # run by --execute, never by the grader: the grade must not see it
                      "entropy = lambda p, base=None: 0.0\nraise RuntimeError('late')")
    nbformat.write(notebook, tmp_path / "ch04.ipynb")
    common = [*IDS, "--submission", "ch04.ipynb", "--quiet", "--seed", "5"]
    assert main([*common, "--format", "json", "--output", "plain.json",
                 "--format", "notebook", "--output", "plain.ipynb"]) == 0
    assert main([*common, "--execute", "--format", "json", "--output", "run.json",
                 "--format", "notebook", "--output", "run.ipynb",
                 "--format", "notebook", "--output", "run.html"]) == 0
    assert scores(tmp_path / "run.json") == scores(tmp_path / "plain.json")
    for exercise in json.loads((tmp_path / "run.json").read_text())["exercises"]:
        assert exercise["status"] == "passed", exercise  # the reference: full marks

    plain = nbformat.read(tmp_path / "plain.ipynb", as_version=4)
    graded = nbformat.read(tmp_path / "run.ipynb", as_version=4)
    nbformat.validate(graded)
    assert FAKE in texts(role_cells(plain, "stub", "ex01")[0])  # without: the student's own
    assert FAKE not in texts(role_cells(graded, "stub", "ex01")[0])  # with: this run's only
    code = [c for c in graded.cells if c.cell_type == "code"]
    printed, plot, answer, late = code[-4:]
    assert "RuntimeError" in texts(late)
    assert "entropy of a fair coin: 1.0" in texts(printed)
    assert any("image/png" in o.get("data", {}) for o in plot.outputs)
    # matplotlib's cache and styles were read before confinement: no warning, no error
    assert [o.output_type for o in plot.outputs] == ["display_data"], plot.outputs
    assert answer.outputs[0].data["text/plain"] == "42"
    assert all(isinstance(c.execution_count, int) for c in (printed, plot, answer))
    for check_cell in role_cells(graded, "check"):  # grading from a kernel is not run
        assert check_cell.outputs[0].text == execute.NOT_RUN_NOTE
    account = graded.metadata["grade"]["execution"]
    assert account["status"] == "ok" and account["sandbox"] in ("full", "partial")
    assert "Outputs (`grade --execute`)" in graded.cells[0].source
    assert "Outputs" not in plain.cells[0].source and "grade" not in plain.metadata
    for exercise_id in IDS:
        assert len(role_cells(graded, "feedback", exercise_id)) == 1
    page = (tmp_path / "run.html").read_text()
    assert "entropy of a fair coin: 1.0" in page and FAKE not in page


@runs_a_kernel
def test_a_cell_that_loops_forever_stops_the_run_with_one_line(tmp_path):
    notebook = filled("print('before')", "while True:\n    pass", "print('after')")
    started = time.monotonic()
    result, graded = run(notebook, call_timeout=2)
    elapsed = time.monotonic() - started
    assert elapsed < 15, elapsed
    loop = len(graded.cells) - 1  # its 1-based number
    assert result.status == "timeout"
    assert result.message == f"cell {loop} ran past its 2 s time limit"
    before, looping, after = graded.cells[-3:]
    assert "before" in texts(before)
    assert "grade --execute stopped here" in texts(looping)
    assert after.outputs == [] and after.execution_count is None
    assert graded.metadata["grade"]["execution"]["status"] == "timeout"


@runs_a_kernel
def test_the_notebook_budget_stops_a_run_of_slow_cells(tmp_path):
    # ex01 + ex10 with 2 s per call: a budget of 2 x 8 x 2 / 10 = 3.2 s for the notebook
    assert execute.time_limits(IDS, 2) == (2, pytest.approx(3.2))
    slow = "import time\ntime.sleep(1.4)\nprint('slept')"
    result, graded = run(filled(slow, slow, slow, slow), call_timeout=2)
    assert result.status == "budget", result.message
    assert "the notebook's time budget (3.2 s) ran out in cell" in result.message
    done = [c for c in graded.cells[-4:] if "slept" in texts(c)]
    assert 1 <= len(done) <= 2
    assert graded.cells[-1].outputs == []


@runs_a_kernel
@pytest.mark.parametrize("source, why", [
    ("import os\nprint('bye', flush=True)\nos._exit(3)", "it exited with code 3"),
    ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "it was killed by SIGKILL"),
])
def test_a_kernel_that_dies_is_one_clear_line(tmp_path, source, why):
    result, graded = run(filled(source, "print('never')"))
    assert result.status == "died"
    assert result.message == f"the kernel died in cell {len(graded.cells) - 1} ({why})"
    assert "grade --execute stopped here" in texts(graded.cells[-2])
    assert graded.cells[-1].outputs == []


@runs_a_kernel
def test_the_kernel_is_sandboxed(tmp_path):
    """An executed cell reads nothing of the grader's secrets and writes only its folder."""
    outside = tmp_path / "written-by-the-kernel.txt"
    hidden = str(Path(catalog.__file__).parent / "hidden" / "test_ex10.py")
    secrets = [max(Path(path).read_text().splitlines(), key=len)
               for path in (REFERENCE / "ex10.py", hidden)]
    attacks = [
        f"print(open({str(REFERENCE / 'ex10.py')!r}).read())",
        f"print(open({hidden!r}).read())",
        "import reference.ex10 as r\nprint(r.__file__)",
        f"open({str(outside)!r}, 'w').write('pwned')",
        "import socket\nsocket.create_connection(('127.0.0.1', 22), timeout=1)",
        "import subprocess\nsubprocess.run(['id'])",
        "import os\nos.kill(1, 0)",
        # the control: the kernel may write in its own folder, and these cells did run
        "open('mine.txt', 'w').write('ok')\nprint('own folder:', open('mine.txt').read())",
    ]
    result, graded = run(filled(*attacks))
    assert result.status == "ok", result.message
    cells = graded.cells[-len(attacks):]
    for cell in cells[:-1]:
        shown = texts(cell)
        assert "Error" in shown, (cell.source, shown)
    assert "PermissionError" in texts(cells[0]) and "PermissionError" in texts(cells[1])
    assert "ModuleNotFoundError" in texts(cells[2]) or "PermissionError" in texts(cells[2])
    assert "PermissionError" in texts(cells[3]) and not outside.exists()
    for cell in cells[4:7]:
        assert "PermissionError" in texts(cell), texts(cell)
    assert not [s for s in secrets for c in cells if s.strip() in texts(c)]
    assert "own folder: ok" in texts(cells[-1])


@pytest.mark.skipif(os.geteuid() != 0, reason="uid 0 is kept only when grading as root")
def test_where_the_sandbox_forbids_sockets_execute_says_so(monkeypatch):
    monkeypatch.setenv("GRADE_SANDBOX_KEEP_UID", "1")
    result, graded = run(filled("print('never')"))
    assert result.status == "failed" and result.cells == 0
    assert "forbids every socket" in result.message
    assert all(c.outputs == [] for c in graded.cells if c.cell_type == "code")
    assert "forbids every socket" in graded.metadata["grade"]["execution"]["message"]


@runs_a_kernel
def test_hostile_output_is_capped_and_written(tmp_path):
    hostile = [
        "print('\\ud800 \\x00 \\x1b[31mred\\x1b[0m')",
        "print('x' * (3 << 20))",
        "for i in range(5000):\n    print(i)",
        "from IPython.display import display\n"
        "display({'text/html': '<b>x</b>', 'application/x-weird': {'a': [1]}}, raw=True)\n"
        "display({'text/html': '<b>bold</b>'}, raw=True)",
    ]
    result, graded = run(filled(*hostile))
    assert result.status == "ok", result.message
    nbformat.validate(graded)
    surrogate, flood, many, weird = graded.cells[-4:]
    assert "red" in texts(surrogate)
    assert "too much output" in texts(flood) and len(texts(flood)) < execute.MAX_CELL_OUTPUT
    assert "4999" in texts(many)  # coalesced into one stream
    assert "not valid in a notebook was left out" in texts(weird)
    assert "<b>bold</b>" in texts(weird) and "<b>x</b>" not in texts(weird)
    path = tmp_path / "graded.ipynb"
    path.write_text(result.text, encoding="utf-8")


def test_a_students_forged_account_of_a_run_is_dropped(tmp_path, pool):
    notebook = generate.build(["ex01"], STUBS)
    notebook.metadata["grade"] = {"execution": {"status": "ok", "message": "all outputs are "
                                                "genuine", "stamp": "0" * 32}}
    nbformat.write(notebook, tmp_path / "ch04.ipynb")
    report = runner.grade(submission.load(tmp_path / "ch04.ipynb"), exercise_ids=["ex01"],
                          seed=0, pool=pool).report
    graded = annotate(report, nbformat.writes(notebook))
    assert "genuine" not in graded.cells[0].source
    assert "grade" not in graded.metadata


def test_the_graded_page_runs_nothing_a_student_wrote(tmp_path, pool):
    """Student Markdown, raw cells and outputs (saved or executed) are inert in the HTML."""
    notebook = generate.build(["ex01"], STUBS)
    notebook.cells.append(nbformat.v4.new_markdown_cell(
        "<script>alert('md')</script> <img src=x onerror=alert(1)> [a](javascript:alert(2))"
        "\n\n| kept | table |\n|---|---|\n| 1 | 2 |"))
    notebook.cells.append(nbformat.v4.new_raw_cell("<script>alert('raw')</script>",
                                                   metadata={"format": "text/html"}))
    code = nbformat.v4.new_code_cell("x")
    code.outputs = [
        nbformat.v4.new_output("display_data", data={
            "text/html": "<table><tr><td>cell</td></tr></table><script>alert('out')</script>"
                         "<iframe src='https://example.org'></iframe>", "text/plain": "x"}),
        nbformat.v4.new_output("display_data", data={"application/javascript": "alert('js')",
                                                     "text/plain": "js"}),
        nbformat.v4.new_output("display_data", data={
            "text/markdown": "[m](javascript:alert(5)) <img src=y onerror=alert(6)>",
            "text/plain": "md"})]
    notebook.cells.append(code)
    nbformat.write(notebook, tmp_path / "ch04.ipynb")
    report = runner.grade(submission.load(tmp_path / "ch04.ipynb"), exercise_ids=["ex01"],
                          seed=0, pool=pool).report
    page = to_html(render(report, notebook=nbformat.writes(notebook)))
    assert "Feedback" in page and "<td>cell</td>" in page and "<td>table</td>" not in page
    assert "<th>table</th>" in page
    for live in (r"<script[^>]*>\s*alert", r"<[^>]*\sonerror\s*=", r"href=.javascript:",
                 r"<iframe", r"alert\('js'\)"):
        assert not re.search(live, page), live
    assert "&lt;script&gt;alert('md')" in page  # shown, not run


def test_execute_usage_errors(tmp_path, capsys, monkeypatch):
    nbformat.write(filled(), tmp_path / "ch04.ipynb")
    out = str(tmp_path / "graded.ipynb")
    assert main(["ex10", "--submission", str(REFERENCE), "--execute",
                 "--format", "notebook", "--output", out]) == 2
    assert "is not one" in capsys.readouterr().err
    assert main(["ex10", "--submission", str(tmp_path / "ch04.ipynb"), "--execute"]) == 2
    assert "--format notebook" in capsys.readouterr().err
    monkeypatch.setattr(execute, "missing_packages", lambda: ["ipykernel"])
    assert main(["ex10", "--submission", str(tmp_path / "ch04.ipynb"), "--execute",
                 "--format", "notebook", "--output", out]) == 2
    err = capsys.readouterr().err
    assert "grade[execute]" in err and err.count("\n") == 1


# --- grade batch: a feedback notebook per notebook submission ---------------------------------
def test_batch_writes_a_feedback_notebook_per_notebook_submission(tmp_path, capsys):
    folder, out = tmp_path / "class", tmp_path / "out"
    (folder / "alice").mkdir(parents=True)
    (folder / "alice" / "ex10.py").write_text((REFERENCE / "ex10.py").read_text())
    notebook = filled(ids=["ex10"])
    notebook.cells.append(nbformat.v4.new_markdown_cell("carol's own notes <script>x</script>"))
    nbformat.write(notebook, folder / "carol.ipynb")
    assert batch_cli.main([str(folder), "ex10", "--out", str(out), "--jobs", "1",
                           "--quiet", "--seed", "3"]) == 0
    reports = out / "reports"
    assert not (reports / "alice.ipynb").exists() and not (reports / "alice.html").exists()
    graded = nbformat.read(reports / "carol.ipynb", as_version=4)
    nbformat.validate(graded)
    feedback = role_cells(graded, "feedback", "ex10")
    assert len(feedback) == 1 and "8 / 8" in feedback[0].source
    assert "carol's own notes" in graded.cells[-1].source
    page = (reports / "carol.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "Feedback" in page
    first = (reports / "carol.ipynb").read_bytes()

    # rebuilt from the database alone: the notebook is stored with the result
    (reports / "carol.ipynb").unlink()
    (reports / "carol.html").unlink()
    assert batch_cli.main(["--out", str(out), "--report-only", "--quiet"]) == 0
    assert (reports / "carol.ipynb").read_bytes() == first
    assert (reports / "carol.html").exists()

    # a database without stored notebooks (an older grader's) gets them when resumed
    store = Store(out / FILENAME)
    store.db.execute("DELETE FROM notebooks")
    store.close()
    (reports / "carol.ipynb").unlink()
    assert batch_cli.main(["--out", str(out), "--report-only", "--quiet"]) == 0
    assert not (reports / "carol.ipynb").exists()
    assert batch_cli.main([str(folder), "ex10", "--out", str(out), "--jobs", "1",
                           "--quiet"]) == 0
    assert (reports / "carol.ipynb").read_bytes() == first

    # carol hands in a folder instead: her old feedback notebook goes
    (folder / "carol.ipynb").unlink()
    (folder / "carol").mkdir()
    (folder / "carol" / "ex10.py").write_text((REFERENCE / "ex10.py").read_text())
    assert batch_cli.main([str(folder), "ex10", "--out", str(out), "--jobs", "1",
                           "--quiet"]) == 0
    assert not (reports / "carol.ipynb").exists() and not (reports / "carol.html").exists()
