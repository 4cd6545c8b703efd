"""Every example in the students' stubs passes on the reference.

A stub's docstring examples (``>>> ...``) are the first thing a student runs with
``python -m doctest exercises/ex04.py`` once a function is written; an example that fails
for a correct solution (NumPy 2 prints ``np.float64(0.5)`` where NumPy 1 printed ``0.5``)
tells them a right answer is wrong. Each example is run with the reference's functions in
place of the stub's.
"""

from __future__ import annotations

import ast
import doctest
import functools
import importlib
import inspect

import numpy as np
import pytest

from tests.conftest import STUBS

STUB_FILES = sorted(STUBS.glob("ex[0-9][0-9].py"))


def docstrings(path):
    """(name, line, docstring) of the module and of every function and class in it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = [tree] + [n for n in ast.walk(tree)
                      if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]
    for node in nodes:
        text = ast.get_docstring(node, clean=False)
        if text:
            yield getattr(node, "name", path.stem), getattr(node, "lineno", 0), text


def test_the_stubs_have_examples():
    assert len(STUB_FILES) == 16
    with_examples = [p.stem for p in STUB_FILES
                     if any(">>>" in text for _, _, text in docstrings(p))]
    assert len(with_examples) >= 8, with_examples


def as_numpy_scalars(value):
    """What an equally correct NumPy solution returns: np.float64 / np.bool_ for scalars."""
    if isinstance(value, bool):
        return np.bool_(value)
    if isinstance(value, float):
        return np.float64(value)
    if isinstance(value, tuple):
        return tuple(as_numpy_scalars(v) for v in value)
    if isinstance(value, list):
        return [as_numpy_scalars(v) for v in value]
    return value


def numpy_flavoured(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return as_numpy_scalars(function(*args, **kwargs))
    return wrapper


@pytest.mark.parametrize("numpy_scalars", [False, True], ids=["reference", "numpy-scalars"])
@pytest.mark.parametrize("path", STUB_FILES, ids=lambda p: p.stem)
def test_stub_examples_pass_on_the_reference(path, numpy_scalars):
    """The reference as it is, and returning NumPy scalars where it returns Python ones."""
    reference = importlib.import_module(f"reference.{path.stem}")
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(verbose=False)  # the flags `python -m doctest` uses
    failures = []
    for name, line, text in docstrings(path):
        globs = dict(vars(reference))
        if numpy_scalars:
            globs = {k: numpy_flavoured(v) if inspect.isfunction(v) and
                     v.__module__ == reference.__name__ else v for k, v in globs.items()}
        test = parser.get_doctest(text, globs, f"{path.stem}.{name}", str(path), line)
        if not test.examples:
            continue
        report = []
        result = runner.run(test, out=report.append, clear_globs=True)
        if result.failed:
            failures.append("".join(report))
    assert not failures, "\n".join(failures)
