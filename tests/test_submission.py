from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.submission import MAX_FILE_BYTES, SubmissionError, load


def test_folder_reads_only_exercise_files(tmp_path):
    (tmp_path / "ex04.py").write_text("x = 1\n")
    (tmp_path / "ex10.py").write_text("y = 2\n")
    (tmp_path / "numpy.py").write_text("raise SystemExit\n")
    (tmp_path / "conftest.py").write_text("boom\n")
    (tmp_path / "ex4.py").write_text("not an exercise file name\n")
    sub = load(tmp_path)
    assert sorted(sub.sources) == ["ex04", "ex10"]
    assert sub.source("ex04").text == "x = 1\n" and sub.name == tmp_path.name


def test_missing_and_empty_submissions_are_errors(tmp_path):
    with pytest.raises(SubmissionError, match="not found"):
        load(tmp_path / "nope")
    with pytest.raises(SubmissionError, match="no exercise files"):
        load(tmp_path)
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(SubmissionError, match="expected a folder"):
        load(tmp_path / "a.txt")


def test_bad_file_is_kept_as_a_problem_of_that_exercise(tmp_path):
    (tmp_path / "ex01.py").write_bytes(b"x = '\xe9'\n")
    (tmp_path / "ex02.py").write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    (tmp_path / "ex03.py").write_text("ok = 1\n")
    sub = load(tmp_path)
    assert "not valid UTF-8" in sub.source("ex01").problem
    assert "larger than" in sub.source("ex02").problem
    assert sub.source("ex03").problem is None


def write_zip(path, files):
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)


def test_zip_of_a_folder(tmp_path):
    write_zip(tmp_path / "alice.zip", {"alice/ex04.py": "a = 1\n", "alice/notes.txt": "x",
                                       "__MACOSX/alice/._ex04.py": "junk"})
    sub = load(tmp_path / "alice.zip")
    assert sub.name == "alice" and sub.source("ex04").text == "a = 1\n"


def test_bad_zips(tmp_path):
    (tmp_path / "bad.zip").write_bytes(b"not a zip")
    with pytest.raises(SubmissionError, match="not a valid zip"):
        load(tmp_path / "bad.zip")
    write_zip(tmp_path / "twice.zip", {"a/ex04.py": "1", "b/ex04.py": "2"})
    with pytest.raises(SubmissionError, match="more than one ex04.py"):
        load(tmp_path / "twice.zip")
    write_zip(tmp_path / "empty.zip", {"readme.md": "hi"})
    with pytest.raises(SubmissionError, match="no exercise files"):
        load(tmp_path / "empty.zip")


def test_zip_bomb_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ex01.py", b"0" * (65 << 20))
    (tmp_path / "bomb.zip").write_bytes(buffer.getvalue())
    with pytest.raises(SubmissionError, match="expands to more than"):
        load(tmp_path / "bomb.zip")


def notebook(cells):
    nb = nbformat.v4.new_notebook()
    for source, tags in cells:
        cell = nbformat.v4.new_code_cell(source)
        if tags:
            cell.metadata["tags"] = tags
        nb.cells.append(cell)
    nb.cells.append(nbformat.v4.new_markdown_cell("# ex05 in markdown is ignored"))
    return nbformat.writes(nb)


def test_notebook_cells_split_by_marker_and_tag(tmp_path):
    path = tmp_path / "bob.ipynb"
    path.write_text(notebook([
        ("import numpy as np\n%matplotlib inline", None),
        ("# ex04: softmax\ndef softmax(z):\n    return z", None),
        ("def helper():\n    return 1", None),
        ("def entropy(p):\n    return 0.0", ["ex10"]),
        ("!pip install nothing", None),
    ]))
    sub = load(path)
    assert sorted(sub.sources) == ["ex04", "ex10"]
    ex04 = sub.source("ex04").text
    assert ex04.startswith("# notebook cell 1\nimport numpy as np")
    assert "# (not run by the grader) %matplotlib inline" in ex04
    assert "def softmax" in ex04 and "def helper" in ex04 and "def entropy" not in ex04
    ex10 = sub.source("ex10").text
    assert "def entropy" in ex10 and "# (not run by the grader) !pip" in ex10
    compile(ex04, "ex04.py", "exec")
    compile(ex10, "ex10.py", "exec")


def test_notebook_errors(tmp_path):
    (tmp_path / "broken.ipynb").write_text("{not json")
    with pytest.raises(SubmissionError, match="not a readable notebook"):
        load(tmp_path / "broken.ipynb")
    (tmp_path / "plain.ipynb").write_text(notebook([("x = 1", None)]))
    with pytest.raises(SubmissionError, match="no exercise cells"):
        load(tmp_path / "plain.ipynb")


def test_folder_with_one_notebook(tmp_path):
    (tmp_path / "work.ipynb").write_text(notebook([("# ex01\nx = 1", None)]))
    assert list(load(tmp_path).sources) == ["ex01"]


REFERENCE_EX04 = Path(__file__).resolve().parent.parent / "reference" / "ex04.py"


def zip_with_links(path, files, links):
    """A zip as `zip -y` makes it on Unix: links stored as links (mode S_IFLNK)."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
        for name, target in links.items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)


def test_folder_link_out_of_the_submission_is_refused_per_exercise(tmp_path):
    assert REFERENCE_EX04.is_file()
    (tmp_path / "ex04.py").symlink_to(REFERENCE_EX04)
    (tmp_path / "ex05.py").symlink_to("../../etc/passwd")
    (tmp_path / "ex06.py").symlink_to("/proc/self/environ")
    (tmp_path / "ex07.py").symlink_to("/dev/zero")
    (tmp_path / "ex08.py").write_text("ok = 1\n")
    sub = load(tmp_path)
    assert sub.source("ex08").text == "ok = 1\n"
    for exercise_id in ("ex04", "ex05", "ex06", "ex07"):
        source = sub.source(exercise_id)
        assert source.text is None, exercise_id
        assert "symbolic link" in source.problem and "outside the submission" in source.problem
    assert str(REFERENCE_EX04) in sub.source("ex04").problem  # names where it points


def test_folder_link_inside_the_submission_is_followed(tmp_path):
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "ex04_v3.py").write_text("v = 3\n")
    (tmp_path / "ex04.py").symlink_to("drafts/ex04_v3.py")
    (tmp_path / "ex05.py").symlink_to("drafts")  # a link to a folder: not a file
    (tmp_path / "ex06.py").symlink_to("missing.py")  # dangling
    sub = load(tmp_path)
    assert sub.source("ex04").text == "v = 3\n" and sub.source("ex04").problem is None
    assert "a folder, not a regular file" in sub.source("ex05").problem
    assert "cannot read ex06.py" in sub.source("ex06").problem


def test_folder_link_through_a_linked_folder_that_leaves_is_refused(tmp_path):
    submission = tmp_path / "sub"
    submission.mkdir()
    (submission / "ref").symlink_to(REFERENCE_EX04.parent)
    (submission / "ex04.py").symlink_to("ref/ex04.py")
    assert "outside the submission" in load(submission).source("ex04").problem


def test_fifo_and_devices_are_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "ex04.py")
    (tmp_path / "ex05.py").mkdir()
    (tmp_path / "ex06.py").write_text("fine = True\n")
    sub = load(tmp_path)  # opening a FIFO for reading would block forever
    assert "a FIFO, not a regular file" in sub.source("ex04").problem
    assert "a folder, not a regular file" in sub.source("ex05").problem
    assert sub.source("ex06").problem is None
    os.mkfifo(tmp_path / "pipe.ipynb")
    with pytest.raises(SubmissionError, match="FIFO"):
        load(tmp_path / "pipe.ipynb")


def test_zip_links_are_resolved_inside_the_zip_only(tmp_path):
    zip_with_links(tmp_path / "a.zip", {"a/drafts/ex04_v2.py": "v = 2\n"}, {
        "a/ex04.py": "drafts/ex04_v2.py",
        "a/ex05.py": str(REFERENCE_EX04.parent / "ex05.py"),
        "a/ex06.py": "../../reference/ex06.py",
        "a/ex07.py": "nowhere.py",
        "a/ex08.py": "ex04.py",  # a link to a link
    })
    sub = load(tmp_path / "a.zip")
    assert sub.source("ex04").text == "v = 2\n"
    for exercise_id in ("ex05", "ex06"):
        assert "outside the submission" in sub.source(exercise_id).problem
    assert "not in the zip" in sub.source("ex07").problem
    assert "a link, not a regular file" in sub.source("ex08").problem


def test_notebook_linked_out_of_the_folder_is_refused(tmp_path):
    outside = tmp_path / "outside.ipynb"
    outside.write_text(notebook([("# ex01\nx = 1", None)]))
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "work.ipynb").symlink_to(outside)
    with pytest.raises(SubmissionError, match="outside the submission"):
        load(folder)
    zip_with_links(tmp_path / "nb.zip", {}, {"nb/work.ipynb": str(outside)})
    with pytest.raises(SubmissionError, match="outside the submission"):
        load(tmp_path / "nb.zip")
