"""Notebooks both ways: generate the students' notebook, grade notebooks, feedback in them."""

from __future__ import annotations

import ast
import json

import nbformat
import pytest

from grader import catalog, runner, submission
from grader.cli import main
from grader.notebook import generate, intake
from grader.notebook.feedback import FEEDBACK_TAG
from grader.runner import NOTEBOOK_CHECK
from tests.conftest import REFERENCE, STUBS, assert_full_marks, exercise

IDS = ["ex01", "ex04", "ex10"]


def role_cells(notebook, role, exercise_id=None):
    return [c for c in notebook.cells
            if c.metadata.get("grade", {}).get("role") == role
            and (exercise_id is None or c.metadata["grade"].get("id") == exercise_id)]


def fill_with_reference(notebook, exercise_ids):
    """Paste the reference's code in the stub cells and its answer in the written cells."""
    for exercise_id in exercise_ids:
        source = (REFERENCE / f"{exercise_id}.py").read_text()
        role_cells(notebook, "stub", exercise_id)[0].source = generate.stub_code(source)[1]
        written = role_cells(notebook, "written", exercise_id)
        if written:
            tree = ast.parse(source)
            answer = next(n.value.value for n in tree.body if isinstance(n, ast.Assign)
                          and n.targets[0].id == "WRITTEN_ANSWER")
            written[0].source = answer
    return notebook


def grade_path(pool, path, exercise_ids, seed=0):
    outcomes = runner.grade(submission.load(path), exercise_ids=exercise_ids, seed=seed,
                            pool=pool)
    assert outcomes.internal_errors == ()
    return outcomes.report


def test_generated_notebook_is_valid_and_holds_every_stub(tmp_path):
    out = tmp_path / "ch04.ipynb"
    assert main(["notebook", "--out", str(out)]) == 0
    notebook = nbformat.read(out, as_version=4)
    nbformat.validate(notebook)
    for ex in catalog.EXERCISES:
        stub = role_cells(notebook, "stub", ex.id)
        assert len(stub) == 1 and len(role_cells(notebook, "check", ex.id)) == 1
        tree = ast.parse(stub[0].source)
        defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        assert set(ex.names) <= defined, ex.id
        assert "WRITTEN_ANSWER" not in stub[0].source
        assert "NotImplementedError" in stub[0].source  # the stubs, never the reference
        assert len(role_cells(notebook, "written", ex.id)) == int(ex.written)
        task = role_cells(notebook, "task", ex.id)[0].source
        assert task.startswith(f"## Exercise {ex.number}:")
        assert ex.id in stub[0].metadata["tags"]
    assert "$$\n" in role_cells(notebook, "task", "ex04")[0].source
    assert all(c.get("outputs", []) == [] for c in notebook.cells if c.cell_type == "code")
    # the untouched notebook grades as untouched stubs, like the exercises/ folder
    sub = submission.load(out)
    assert sorted(sub.sources) == [e.id for e in catalog.EXERCISES]


def test_notebook_is_never_made_from_the_reference(tmp_path):
    assert main(["notebook", "--stubs", str(REFERENCE), "--out", str(tmp_path / "x.ipynb")]) == 2
    assert not (tmp_path / "x.ipynb").exists()


def test_regenerating_keeps_the_students_work(tmp_path):
    out = tmp_path / "ch04.ipynb"
    assert main(["notebook", "ex04", "ex10", "--out", str(out)]) == 0
    notebook = nbformat.read(out, as_version=4)
    role_cells(notebook, "stub", "ex10")[0].source = "def entropy(p, base=None):\n    return 42\n"
    role_cells(notebook, "written", "ex04")[0].source = "My derivation: $p - y$."
    role_cells(notebook, "task", "ex04")[0].source = "edited task (replaced on regeneration)"
    index = notebook.cells.index(role_cells(notebook, "stub", "ex10")[0])
    notebook.cells.insert(index + 1, nbformat.v4.new_code_cell("def helper():\n    return 1"))
    notebook.cells.reverse()  # merging goes by metadata, not by position
    nbformat.write(notebook, out)
    assert main(["notebook", "ex04", "ex10", "--out", str(out)]) == 0
    again = nbformat.read(out, as_version=4)
    nbformat.validate(again)
    assert "return 42" in role_cells(again, "stub", "ex10")[0].source
    assert role_cells(again, "written", "ex04")[0].source == "My derivation: $p - y$."
    assert role_cells(again, "task", "ex04")[0].source.startswith("## Exercise 4:")
    stub = again.cells.index(role_cells(again, "stub", "ex10")[0])
    assert "def helper" in again.cells[stub + 1].source
    assert [c.metadata.get("grade", {}).get("id") for c in again.cells if "grade" in
            c.metadata and "id" in c.metadata["grade"]].count("ex04") == 4


def test_reference_in_the_notebook_grades_like_the_reference_folder(tmp_path, pool):
    notebook = fill_with_reference(generate.build(IDS, STUBS), IDS)
    path = tmp_path / "ch04.ipynb"
    nbformat.write(notebook, path)
    from_notebook = grade_path(pool, path, IDS, seed=7)
    from_folder = grade_path(pool, REFERENCE, IDS, seed=7)
    for exercise_id in IDS:
        assert_full_marks(from_notebook, exercise_id)
        assert exercise(from_notebook, exercise_id).score == \
            exercise(from_folder, exercise_id).score
    assert exercise(from_notebook, "ex04").written == exercise(from_folder, "ex04").written
    assert not any(c.name == NOTEBOOK_CHECK for e in from_notebook.exercises for c in e.checks)
    # and a wrong ex10 in the notebook loses points there too
    role_cells(notebook, "stub", "ex10")[0].source = (
        "import numpy as np\n\ndef entropy(p, base=None):\n    return 0.0\n\n"
        "def cross_entropy(p, q, base=None):\n    return 0.0\n\n"
        "def kl_divergence(p, q, base=None):\n    return 0.0\n")
    nbformat.write(notebook, path)
    wrong = grade_path(pool, path, ["ex10"], seed=7)
    assert 0 <= exercise(wrong, "ex10").score < exercise(from_folder, "ex10").score


def messy_notebook():
    """ex10's reference split over shuffled cells without metadata, with junk around it."""
    code = generate.stub_code((REFERENCE / "ex10.py").read_text())[1]
    tree = ast.parse(code)
    pieces = [ast.get_source_segment(code, n) for n in tree.body]
    imports = [p for p, n in zip(pieces, tree.body, strict=True)
               if isinstance(n, ast.Import | ast.ImportFrom)]
    defs = [p for p, n in zip(pieces, tree.body, strict=True)
            if not isinstance(n, ast.Import | ast.ImportFrom)]
    cells = [
        "%matplotlib inline\n!pip install torch\nimport matplotlib.pyplot as plt",
        *reversed(defs),
        "for epoch in range(10**12):\n    pass",
        "print(entropy([0.5, 0.5]))\nplt.plot([1, 2, 3])\nraise SystemExit(3)",
        "\n".join(imports) + "\nGRID = np.linspace(0, 1, 5); plt.show()",
        "this is not python (",
    ]
    notebook = nbformat.v4.new_notebook()
    for index, text in enumerate(cells):
        new = nbformat.v4.new_code_cell(text)
        if index == 1:  # a cell with a 20 MB image output: outputs are never read
            new.outputs = [nbformat.v4.new_output(
                "display_data", data={"image/png": "iVBORw0KGgo" + "A" * (20 << 20)})]
        notebook.cells.append(new)
    return notebook


def test_messy_notebook_grades_without_running_top_level_code(tmp_path, pool):
    path = tmp_path / "messy.ipynb"
    nbformat.write(messy_notebook(), path)
    report = grade_path(pool, path, ["ex10"], seed=3)
    assert_full_marks(report, "ex10")
    notes = next(c for c in exercise(report, "ex10").checks if c.name == NOTEBOOK_CHECK)
    assert notes.status == "manual" and notes.max_score == 0
    for named in ("%matplotlib inline", "!pip install torch", "for epoch in range(10**12):",
                  "print(entropy([0.5, 0.5]))", "plt.plot([1, 2, 3])", "raise SystemExit(3)",
                  "plt.show()", "not valid Python"):
        assert named in notes.feedback, named
    text = submission.load(path).source("ex10").text
    assert "GRID = np.linspace(0, 1, 5)" in text  # a constant is kept
    assert "\nfor epoch" not in text and "# (not run by the grader) for epoch" in text


def test_intake_assignment_and_statement_filter():
    cells = [intake.Cell("code", "import numpy as np\nX = np.zeros(3)\nmodel = train(X)", 1),
             intake.Cell("code", "def softmax(z):\n    return z", 2),
             intake.Cell("code", "def _helper():\n    return 1\n_helper()", 3),
             intake.Cell("code", "def entropy(p, base=None):\n    return 0.0", 4, tags=()),
             intake.Cell("markdown", "answer", 5, meta={"id": "ex04", "role": "written"})]
    found = intake.split(cells)
    assert sorted(found) == ["ex04", "ex10"]
    ex04 = found["ex04"].text
    assert "def softmax" in ex04 and "def _helper" in ex04 and "def entropy" not in ex04
    assert "X = np.zeros(3)" in ex04 and "# (not run by the grader) model = train(X)" in ex04
    assert ex04.rstrip().endswith("WRITTEN_ANSWER = 'answer'")
    assert any("model = train(X)" in n for n in found["ex04"].notes)
    assert any("_helper()" in n for n in found["ex04"].notes)
    compile(ex04, "ex04.py", "exec")


@pytest.mark.parametrize("content, message", [
    ("{not json", "invalid JSON"),
    (json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": []}),
     "version 3 notebook"),
    (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}),
     "has no cells"),
])
def test_broken_notebooks_are_one_line_errors(tmp_path, capsys, content, message):
    path = tmp_path / "broken.ipynb"
    path.write_text(content)
    assert main(["ex10", "--submission", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err


def test_older_v4_minor_version_is_upgraded(tmp_path):
    notebook = {"nbformat": 4, "nbformat_minor": 0, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {"tags": ["ex10"]}, "execution_count": None,
         "outputs": [], "source": ["def entropy(p, base=None):\n", "    return 0.0\n"]}]}
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(notebook))
    assert "def entropy(p, base=None):\n    return 0.0" in submission.load(path).source(
        "ex10").text


def test_feedback_notebook_and_its_html(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    notebook = fill_with_reference(generate.build(["ex04", "ex10"], STUBS), ["ex10"])
    stub = role_cells(notebook, "stub", "ex10")[0]
    assert "def kl_divergence(p, q, base=None)" in stub.source
    stub.source = stub.source.replace("def kl_divergence(p, q, base=None)",
                                      "def kl_divergence(q, p, base=None)")
    nbformat.write(notebook, tmp_path / "ch04.ipynb")
    assert main(["ex04", "ex10", "--submission", "ch04.ipynb", "--quiet", "--seed", "1",
                 "--format", "notebook", "--output", "graded.ipynb",
                 "--format", "notebook", "--output", "graded.html"]) == 0
    graded = nbformat.read(tmp_path / "graded.ipynb", as_version=4)
    nbformat.validate(graded)
    for exercise_id in ("ex04", "ex10"):
        check_cell = graded.cells.index(role_cells(graded, "check", exercise_id)[0])
        after = graded.cells[check_cell + 1]
        assert after.metadata["grade"] == {"id": exercise_id, "role": "feedback"}
        assert FEEDBACK_TAG in after.metadata["tags"]
    ex10 = role_cells(graded, "feedback", "ex10")[0].source
    assert "/ 8**" in ex10 and "kl\\_divergence" in ex10 and "8 / 8" not in ex10
    assert "Not attempted" in role_cells(graded, "feedback", "ex04")[0].source
    page = (tmp_path / "graded.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "Feedback" in page
    # grading the graded notebook again replaces its feedback cells
    assert main(["ex10", "--submission", "graded.ipynb", "--quiet", "--seed", "1",
                 "--format", "notebook", "--output", "again.ipynb"]) == 0
    again = nbformat.read(tmp_path / "again.ipynb", as_version=4)
    assert len(role_cells(again, "feedback", "ex10")) == 1


@pytest.mark.slow
def test_check_cell_grades_from_inside_the_kernel(tmp_path):
    from nbclient import NotebookClient

    notebook = fill_with_reference(generate.build(["ex10"], STUBS), ["ex10"])
    notebook.cells.insert(0, nbformat.v4.new_code_cell("%matplotlib inline\nprint('hi')"))
    client = NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    check_cell = role_cells(notebook, "check", "ex10")[0]
    outputs = [o for o in check_cell.outputs if o.output_type == "display_data"]
    assert outputs, check_cell.outputs
    assert "8 / 8" in outputs[0].data["text/plain"]
    assert "<strong>8 / 8</strong>" in outputs[0].data["text/html"]
