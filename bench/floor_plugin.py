"""The floor for bench/single.py: the hidden suites run by plain pytest, in one process.

The student's module is imported directly (no worker, no isolation, no codec) and wrapped
so that the suites' ``student.f.map``/``.grad``/``.figure`` calls work in-process.
Use: ``python -m pytest -p floor_plugin grader/hidden/test_ex10.py`` with bench/ on
PYTHONPATH and FLOOR_SUBMISSION naming the folder.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

#: the figures drawn, by module, function and arguments
_DRAWN: dict[tuple[int, str, str], object] = {}


class LocalFunction:
    def __init__(self, module, name):
        self.module = module
        self.function = getattr(module, name)
        self.name = name

    def __call__(self, *args, **kwargs):
        try:
            return self.function(*args, **kwargs)
        except Exception as exc:  # as the proxy does: a StudentError that is also the builtin
            from grader.problems import raise_student_error

            raise_student_error(self.name, {"type": type(exc).__name__, "message": str(exc),
                                            "bases": [c.__name__ for c in type(exc).__mro__]})

    def map(self, calls):
        return [self(*args, **kwargs) for args, kwargs in calls]

    def grad(self, *args, wrt, output=None, **kwargs):
        import torch

        from grader.proxy import GradResult

        args = list(args)
        for i in wrt:
            args[i] = args[i].detach().clone().requires_grad_(True)
        with torch.enable_grad():  # gradcheck calls this inside a Function's forward
            result = value = self(*args, **kwargs)
        if output is not None:
            value = value[output]
        facts = {"type": type(value).__qualname__, "tensor": isinstance(value, torch.Tensor)}
        grads = None
        if facts["tensor"]:
            facts.update(shape=list(value.shape), dtype=str(value.dtype).removeprefix("torch."),
                         requires_grad=value.requires_grad, grad_fn=value.grad_fn is not None)
            if value.numel() == 1 and value.requires_grad:
                with torch.enable_grad():
                    value.sum().backward()
                grads = [args[i].grad for i in wrt]
        return GradResult(result, grads, facts)

    def figure(self, *args, **kwargs):
        from grader.figures import parse_figure
        from grader.worker.figures import describe_figure

        # as the grader does: drawn once per arguments, rendered only when the report keeps
        # it (the first figure of a function, or its default)
        key = (id(self.module), self.name, repr((args, sorted(kwargs.items()))))
        if key not in _DRAWN:
            kept = not any(k[:2] == key[:2] for k in _DRAWN) or not (args or kwargs)
            value = self.function(*args, **kwargs)
            _DRAWN[key] = parse_figure({"figure": describe_figure(value, png=kept),
                                        "type": type(value).__name__}, what=self.name,
                                       png=kept)
        return _DRAWN[key]


class LocalModule:
    def __init__(self, module):
        self.module = module

    def __getattr__(self, name):
        return LocalFunction(self.module, name)

    def attribute(self, name):
        return getattr(self.module, name)


def _exercise(request):
    return Path(request.node.path).stem.removeprefix("test_")


@pytest.fixture
def student(request):
    exercise = _exercise(request)
    folder = Path(os.environ.get("FLOOR_SUBMISSION", "reference")).resolve()
    name = f"floor_{exercise}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, folder / f"{exercise}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return LocalModule(sys.modules[name])


@pytest.fixture
def ref(request):
    return importlib.import_module(f"reference.{_exercise(request)}")


@pytest.fixture
def seed():
    return int(os.environ.get("FLOOR_SEED", "1"))


@pytest.fixture
def options():
    return {}


@pytest.fixture
def rng(request, seed):
    key = zlib.crc32(f"{_exercise(request)}::{request.node.name}".encode())
    return np.random.default_rng([seed, key])


def pytest_configure(config):
    config.addinivalue_line("markers", "points(n): the points a check is worth")
