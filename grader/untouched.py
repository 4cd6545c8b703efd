"""Recognise an untouched stub without running it, and the report its suite would give it.

An exercise whose file still has every function as the stub left it (a docstring and
``raise NotImplementedError``) earns nothing, and running its suite would only start a
child, import heavy libraries and build fixtures to learn that each check meets a
``NotImplementedError``. This module decides that from the ASTs alone, in the trusted
process: the submission's source is parsed, never run. It is deliberately strict: anything
it cannot predict with certainty (an import it does not know, a default value it cannot
check, a helper that receives the student module under another name, a check whose first
call into the submission depends on a branch) makes it answer ``None``, and the exercise is
graded the usual way.

For each check it predicts the name, the points and the first function of the submission
the check calls: the one a ``NotImplementedError`` would be reported for.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.catalog import Exercise

#: Modules a stub may import at its top level: all installed with the grader, and importing
#: them cannot fail.
SAFE_IMPORTS = frozenset({
    "math", "cmath", "random", "statistics", "itertools", "functools", "collections",
    "collections.abc", "typing", "dataclasses", "numpy", "torch", "torch.nn",
    "torch.nn.functional", "torch.optim", "torch.utils.data", "scipy", "scipy.special",
    "scipy.stats", "matplotlib", "matplotlib.pyplot",
})
#: ``from MODULE import NAME`` statements a stub may hold.
SAFE_FROM_IMPORTS = frozenset({
    ("__future__", "annotations"), ("torch", "nn"), ("torch.nn", "functional"),
    ("typing", "Any"), ("collections.abc", "Sequence"), ("collections.abc", "Callable"),
})


@dataclass(frozen=True)
class StubCheck:
    """One check of an untouched exercise: its name, points, the stub it calls first."""

    name: str
    points: float
    function: str
    visibility: str = "hidden"
    detail: str = "full"


@dataclass(frozen=True)
class Untouched:
    """What the report needs about an untouched exercise.

    ``written`` is the value of ``WRITTEN_ANSWER`` (None when the file has none).
    """

    checks: tuple[StubCheck, ...]
    written: str | None


def plan(exercise: Exercise, source: str, suite: Path | Sequence[Path]) -> Untouched | None:
    """Return the untouched exercise's checks, or None when it must be graded as usual.

    ``suite`` is the exercise's suite file, or its files in run order (public, hidden).
    """
    written = stub_module(exercise, source)
    if written is False:
        return None
    checks = suite_checks(exercise, suite)
    if checks is None:
        return None
    return Untouched(checks, written if isinstance(written, str) else None)


# -- the submission -------------------------------------------------------------------------
def stub_module(exercise: Exercise, source: str) -> str | None | bool:
    """Return False unless every function of the module is an untouched stub.

    Otherwise return the module's ``WRITTEN_ANSWER`` (a str) or None when it has none.
    """
    if "NotImplementedError" not in source:  # every stub function raises it: no parse needed
        return False
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    body = list(tree.body)
    if body and _is_docstring(body[0]):
        body = body[1:]
    aliases: dict[str, str] = {}
    functions: set[str] = set()
    constants: dict[str, object] = {}
    for node in body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name not in SAFE_IMPORTS:
                    return False
                aliases[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if node.level or (node.module, alias.name) not in SAFE_FROM_IMPORTS:
                    return False
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.FunctionDef):
            if node.name in functions or node.name in constants or not _stub_function(
                    node, aliases):
                return False
            functions.add(node.name)
        elif isinstance(node, ast.Assign):
            if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name) \
                    or not isinstance(node.value, ast.Constant):
                return False
            name = node.targets[0].id
            if name in functions or name in aliases:
                return False
            constants[name] = node.value.value
        else:
            return False
    if any(name not in functions for name in exercise.names):
        return False
    if "WRITTEN_ANSWER" not in constants:
        return None
    written = constants["WRITTEN_ANSWER"]
    return written if isinstance(written, str) else False


def _is_docstring(node: ast.stmt) -> bool:
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str))


def _stub_function(node: ast.FunctionDef, aliases: dict[str, str]) -> bool:
    """A docstring (optional) then ``raise NotImplementedError[(...constants)]``, nothing else."""
    if node.decorator_list or node.returns is not None or getattr(node, "type_params", None):
        return False
    args = node.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    if any(a is not None and a.annotation is not None for a in every):
        return False
    defaults = [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
    if not all(_safe_default(d, aliases) for d in defaults):
        return False
    body = node.body[1:] if node.body and _is_docstring(node.body[0]) else node.body
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].cause is not None:
        return False
    exc = body[0].exc
    if isinstance(exc, ast.Call):
        if exc.keywords or not all(isinstance(a, ast.Constant) for a in exc.args):
            return False
        exc = exc.func
    return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"


def _safe_default(node: ast.expr, aliases: dict[str, str]) -> bool:
    """A constant, a signed number, a tuple of those, or ``math.NAME`` that exists."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return isinstance(node.operand, ast.Constant) and isinstance(node.operand.value,
                                                                     (int, float))
    if isinstance(node, ast.Tuple):
        return all(_safe_default(e, aliases) for e in node.elts)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return aliases.get(node.value.id) == "math" and hasattr(math, node.attr)
    return False


# -- the hidden suite -----------------------------------------------------------------------
def suite_checks(exercise: Exercise, suite: Path | Sequence[Path]
                 ) -> tuple[StubCheck, ...] | None:
    """Return the checks of a suite, in order, with the stub each calls first; or None.

    Several files (public, then hidden) are read as one suite: a helper defined in one may
    be used by the other's checks.
    """
    paths = [suite] if isinstance(suite, Path) else list(suite)
    try:  # the same files (path, size, time) give the same checks: a batch parses them once
        key = (exercise.id, tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size)
                                  for p in paths))
    except OSError:
        return None
    if key not in _SUITE_CHECKS:
        _SUITE_CHECKS[key] = _suite_checks(exercise, paths)
    return _SUITE_CHECKS[key]


_SUITE_CHECKS: dict[tuple, tuple[StubCheck, ...] | None] = {}


def _suite_checks(exercise: Exercise, paths: list[Path]) -> tuple[StubCheck, ...] | None:
    body: list[ast.stmt] = []
    try:
        for path in paths:
            body.extend(ast.parse(path.read_text(encoding="utf-8")).body)
    except (OSError, SyntaxError, ValueError):
        return None
    if not paths:
        return None
    helpers: dict[str, ast.FunctionDef] = {}
    tests: list[ast.FunctionDef] = []
    for node in body:
        if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            return None
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in targets):
                return None
        if isinstance(node, ast.AsyncFunctionDef) and node.name.startswith("test"):
            return None
        if isinstance(node, ast.FunctionDef):
            if any(_is_fixture(d) for d in node.decorator_list):
                if _fixture_may_call(node):
                    return None
            elif node.name.startswith("test"):
                tests.append(node)
            else:
                helpers[node.name] = node
    checks = []
    for test in tests:
        points = _points(test)
        if points is None or "student" not in {a.arg for a in test.args.args}:
            return None
        function = _first_call(test.body, {"student"}, exercise, helpers, set())
        if not isinstance(function, str):
            return None
        doc = (ast.get_docstring(test, clean=False) or "").strip()
        name = doc.splitlines()[0].strip() if doc else test.name
        public = any(ast.unparse(d) == "pytest.mark.public" for d in test.decorator_list)
        checks.append(StubCheck(name, points, function, "public" if public else "hidden",
                                _detail(test)))
    return tuple(checks) or None


def _is_fixture(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr == "fixture"


def _fixture_may_call(node: ast.FunctionDef) -> bool:
    """A fixture that takes the student module or is autouse could call it first."""
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call) and any(k.arg in ("autouse", "params")
                                                   for k in decorator.keywords):
            return True
    return "student" in {a.arg for a in node.args.args} or any(
        isinstance(n, ast.Name) and n.id == "student" for n in ast.walk(node))


_DETAILS = {f"pytest.mark.feedback({d!r})": d for d in ("full", "summary", "after_due")}


def _detail(test: ast.FunctionDef) -> str:
    """The level of ``@pytest.mark.feedback("...")`` (``full`` without one)."""
    found = [_DETAILS[text] for d in test.decorator_list if (text := ast.unparse(d)) in _DETAILS]
    return found[0] if found else "full"


def _points(test: ast.FunctionDef) -> float | None:
    """The number of ``@pytest.mark.points(n)``; else None.

    The only other decorators allowed are ``@pytest.mark.public`` and one
    ``@pytest.mark.feedback("full" | "summary" | "after_due")``.
    """
    others = [d for d in test.decorator_list if ast.unparse(d) in _DETAILS]
    if len(others) > 1:
        return None
    decorators = [d for d in test.decorator_list
                  if ast.unparse(d) != "pytest.mark.public" and ast.unparse(d) not in _DETAILS]
    if len(decorators) != 1:
        return None
    decorator = decorators[0]
    if not (isinstance(decorator, ast.Call) and ast.unparse(decorator.func) == "pytest.mark.points"
            and len(decorator.args) == 1 and not decorator.keywords):
        return None
    value = decorator.args[0]
    if not isinstance(value, ast.Constant) or isinstance(value.value, bool) \
            or not isinstance(value.value, (int, float)) or value.value <= 0:
        return None
    return float(value.value)


class _Unknown(Exception):
    """The first call into the submission cannot be predicted."""


class _Conditional(_Unknown):
    """The first call into the submission is on a path that depends on a condition."""


def _first_call(body: list[ast.stmt], names: set[str], exercise: Exercise,
                helpers: dict[str, ast.FunctionDef], seen: set[str]) -> str | None:
    """The first ``student.NAME`` reached, in evaluation order; None if unpredictable."""
    try:
        for statement in body:
            found = _scan(statement, names, exercise, helpers, seen, conditional=False)
            if found is not None:
                return found
    except _Conditional:
        # on whichever path, a check that can call only one function calls that one
        try:
            called = _all_calls(body, names, exercise, helpers, seen)
        except _Unknown:
            return None
        return called.pop() if len(called) == 1 else None
    except _Unknown:
        return None
    return None


def _all_calls(nodes: list, names: set[str], exercise: Exercise,
               helpers: dict[str, ast.FunctionDef], seen: set[str]) -> set[str]:
    """Every function of the submission the code may reach through the module."""
    called: set[str] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id in names:
            if node.attr not in exercise.names:
                raise _Unknown
            called.add(node.attr)
            continue
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in helpers and _mentions(node, names):
            helper = helpers[node.func.id]
            params = [a.arg for a in helper.args.args]
            inner = set()
            for position, arg in enumerate(node.args):
                if isinstance(arg, ast.Name) and arg.id in names:
                    if position >= len(params):
                        raise _Unknown
                    inner.add(params[position])
                else:
                    stack.append(arg)
            for keyword in node.keywords:
                if isinstance(keyword.value, ast.Name) and keyword.value.id in names:
                    if keyword.arg is None:
                        raise _Unknown
                    inner.add(keyword.arg)
                else:
                    stack.append(keyword.value)
            if inner:
                if helper.name in seen:
                    raise _Unknown
                called |= _all_calls(helper.body, inner, exercise, helpers,
                                     seen | {helper.name})
            continue
        if isinstance(node, ast.Name) and node.id in names:
            raise _Unknown
        stack.extend(ast.iter_child_nodes(node))
    return called


_DEFERRED = (ast.Lambda, ast.GeneratorExp, ast.FunctionDef, ast.AsyncFunctionDef,
             ast.ClassDef)


def _scan(node: ast.AST, names: set[str], exercise: Exercise,
          helpers: dict[str, ast.FunctionDef], seen: set[str], *, conditional: bool
          ) -> str | None:
    """Depth-first, children in source order: Python evaluates calls and operands so.

    What runs only on some paths (a branch of ``if``, a later operand of ``and``, an
    ``except`` clause) is ``conditional``: a call into the submission there is not
    predictable. A loop's body is taken to run (the suites loop over their cases).
    """
    def scan(child: ast.AST, maybe: bool = False) -> str | None:
        return _scan(child, names, exercise, helpers, seen, conditional=conditional or maybe)

    def scan_all(children: list, maybe: bool = False) -> str | None:
        for child in children:
            found = scan(child, maybe)
            if found is not None:
                return found
        return None

    if isinstance(node, ast.Name) and node.id in names:
        raise _Unknown  # the module itself escapes (passed on, stored): not predictable
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
            and node.value.id in names:
        if node.attr not in exercise.names:
            raise _Unknown
        if conditional:
            raise _Conditional
        return node.attr
    if isinstance(node, _DEFERRED):
        if _mentions(node, names):
            raise _Unknown
        return None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id in helpers:
        return _scan_helper_call(node, names, exercise, helpers, seen, conditional)
    if isinstance(node, (ast.If, ast.IfExp)):
        return scan(node.test) or scan_all(_as_list(node.body), True) \
            or scan_all(_as_list(node.orelse), True)
    if isinstance(node, (ast.ListComp, ast.SetComp)):
        return scan_all(node.generators) or scan(node.elt)
    if isinstance(node, ast.DictComp):
        return scan_all(node.generators) or scan(node.key) or scan(node.value)
    if isinstance(node, ast.BoolOp):
        return scan(node.values[0]) or scan_all(node.values[1:], True)
    if isinstance(node, ast.Try):
        return scan_all(node.body) or scan_all(node.handlers, True) \
            or scan_all(node.orelse, True) or scan_all(node.finalbody, True)
    if isinstance(node, (ast.Match, ast.Assert, ast.While)):
        first = node.subject if isinstance(node, ast.Match) else node.test
        return scan(first) or scan_all([c for c in ast.iter_child_nodes(node)
                                        if c is not first], True)
    return scan_all(list(ast.iter_child_nodes(node)))


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def _scan_helper_call(call: ast.Call, names: set[str], exercise: Exercise,
                      helpers: dict[str, ast.FunctionDef], seen: set[str],
                      conditional: bool) -> str | None:
    """Arguments first, then the helper's body with the module under its parameter names."""
    inner_names: set[str] = set()
    helper = helpers[call.func.id]  # type: ignore[union-attr]
    params = [a.arg for a in helper.args.args]
    for position, arg in enumerate(call.args):
        if isinstance(arg, ast.Name) and arg.id in names:
            if position >= len(params):
                raise _Unknown
            inner_names.add(params[position])
        else:
            found = _scan(arg, names, exercise, helpers, seen, conditional=conditional)
            if found is not None:
                return found
    for keyword in call.keywords:
        if isinstance(keyword.value, ast.Name) and keyword.value.id in names:
            if keyword.arg is None:
                raise _Unknown
            inner_names.add(keyword.arg)
        else:
            found = _scan(keyword.value, names, exercise, helpers, seen,
                          conditional=conditional)
            if found is not None:
                return found
    if not inner_names:
        if _mentions(helper, names - set(params)):
            raise _Unknown  # a global named like the module: not ours to guess
        return None
    if helper.name in seen:
        raise _Unknown  # recursion
    body = helper.body
    if any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in ast.walk(helper)):
        # a generator: what comes after its first yield runs after the caller's loop body
        first_yield = next(i for i, s in enumerate(body) if any(
            isinstance(n, (ast.Yield, ast.YieldFrom)) for n in ast.walk(s)))
        body = body[:first_yield]
    for statement in body:
        found = _scan(statement, inner_names, exercise, helpers, seen | {helper.name},
                      conditional=conditional)
        if found is not None:
            return found
    return None


def _mentions(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))
