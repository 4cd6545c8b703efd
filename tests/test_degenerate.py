"""Degenerate submissions score 0 on every exercise.

A student gaming the grader writes one body for every function: always raise, return a
constant, echo the first argument, return a constant array of the argument's shape, or
return something the transport cannot carry (a list nested 200,000 deep, a dict of 3
million keys). Each submission here is generated from the stubs: every function of
``exercises/exNN.py`` keeps its signature and gets the degenerate body; module-level
constants (``WRITTEN_ANSWER``...) and imports stay as the stub has them. None of them may
earn a single point, whatever the seed: validation checks must need a working function,
property checks must need values a constant, the identity or a sign flip cannot give.
"""

from __future__ import annotations

import ast
from functools import cache

import pytest

from grader import catalog
from tests.conftest import STUBS

# what every function of a degenerate submission does; ``{first}`` is its first parameter
BODIES = {
    "raise_value_error": 'raise ValueError("invalid input")',
    "raise_runtime_error": 'raise RuntimeError("nope")',
    "return_zero": "return 0",
    "return_one": "return 1",
    "return_none": "return None",
    "return_nan": 'return float("nan")',
    "return_first_argument": "return {first}",
    "return_zeros_like": "return _zeros_like({first})",
    "return_deep_list": "return _deep()",
    "return_huge_dict": "return _huge()",
}

# helpers of the generated modules: a constant array shaped like the argument (a scalar 0.0
# when the argument is no array), and the two objects the transport cannot carry, built once
HELPERS = '''
import functools as _functools

import numpy as _np


def _zeros_like(value):
    try:
        return _np.zeros_like(_np.asarray(value, dtype=float))
    except Exception:
        return 0.0


@_functools.cache
def _deep():
    value = []
    for _ in range(200_000):
        value = [value]
    return value


@_functools.cache
def _huge():
    return dict.fromkeys(range(3_000_000), 0.0)
'''

# a value past the transport's size limit costs about a second per call to refuse (the
# encoder walks a million parts first): the huge object runs with the slow tests
KINDS = [pytest.param(kind, marks=pytest.mark.slow) if kind == "return_huge_dict" else kind
         for kind in BODIES]
FAST = [e.id for e in catalog.EXERCISES if e.id not in ("ex15", "ex16")]
TRAINING = ["ex15", "ex16"]


@cache
def degenerate_source(exercise_id: str, kind: str) -> str:
    """Return the stub of an exercise with every function's body replaced by ``kind``'s."""
    tree = ast.parse((STUBS / f"{exercise_id}.py").read_text(encoding="utf-8"))
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert functions, f"{exercise_id}'s stub defines no function"
    for function in functions:
        parameters = [*function.args.posonlyargs, *function.args.args]
        first = parameters[0].arg if parameters else "0.0"  # a function without arguments
        function.body = ast.parse(BODIES[kind].format(first=first)).body
        function.decorator_list = []
    helpers = ast.parse(HELPERS).body
    position = next((i for i, node in enumerate(tree.body)
                     if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
                     and not (isinstance(node, ast.ImportFrom) and node.module == "__future__")),
                    len(tree.body))
    tree.body[position:position] = helpers
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def graded(grade_files, exercises: list[str], kind: str, seed: int):
    """Grade the degenerate submission ``kind`` of these exercises in one call."""
    files = {f"{e}.py": degenerate_source(e, kind) for e in exercises}
    return grade_files(files, exercises, seed=seed)


def assert_nothing_earned(report, exercises: list[str], kind: str) -> None:
    """Every exercise scores 0; name each check that earned something."""
    earned = [(e.id, c.name, c.score, c.status) for e in report.exercises for c in e.checks
              if c.score > 0]
    assert sorted(e.id for e in report.exercises) == sorted(exercises)
    assert not earned, (kind, earned)
    assert all(e.score == 0 for e in report.exercises), kind
    # the checks ran on the degenerate functions: none was left not attempted or lost
    assert all(e.status in ("failed", "error") for e in report.exercises), \
        [(e.id, e.status) for e in report.exercises]


def test_generated_modules_keep_signatures_and_constants():
    """The generator keeps every signature and module constant of the stub."""
    for exercise in catalog.EXERCISES:
        stub = ast.parse((STUBS / exercise.filename).read_text(encoding="utf-8"))
        made = ast.parse(degenerate_source(exercise.id, "return_first_argument"))
        signatures = {n.name: ast.dump(n.args) for n in stub.body if isinstance(n, ast.FunctionDef)}
        assert {n: ast.dump(f.args) for n, f in
                ((f.name, f) for f in made.body if isinstance(f, ast.FunctionDef)
                 and not f.name.startswith("_"))} == signatures
        assert set(signatures) >= set(exercise.names)
        constants = [ast.dump(n) for n in stub.body if isinstance(n, ast.Assign)]
        assert constants == [ast.dump(n) for n in made.body if isinstance(n, ast.Assign)]


@pytest.mark.parametrize("seed", [0, pytest.param(1, marks=pytest.mark.slow)])
@pytest.mark.parametrize("kind", KINDS)
def test_degenerate_scores_zero(grade_files, kind, seed):
    """Exercises 1 to 14: one degenerate body everywhere earns no point."""
    assert_nothing_earned(graded(grade_files, FAST, kind, seed), FAST, kind)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("kind", list(BODIES))
def test_degenerate_training_scores_zero(grade_files, kind, seed):
    """Exercises 15 and 16 (training): one degenerate body everywhere earns no point."""
    assert_nothing_earned(graded(grade_files, TRAINING, kind, seed), TRAINING, kind)


# Constants of the right type and shape: the properties these satisfy (zeros sum to zero, a
# constant loss is symmetric and scale-invariant, 0 = 0 + 0, constant logs are reproducible
# and perplexity = exp(val_ce) holds in them) must not earn points without the values.
TYPED_CONSTANTS = {
    "ex04.py": '''
import numpy as np
WRITTEN_ANSWER = """(Write your answer here.)"""
def softmax(z):
    return np.full(np.shape(z), 1.0 / np.shape(z)[-1])
def cross_entropy_loss(z, y):
    return 0.0
def cross_entropy_grad(z, y):
    return np.zeros(np.shape(z))
''',
    "ex05.py": '''
def answers():
    return {"H_P": 0.0, "H_PQ": 0.0, "KL_PQ": 0.0}
''',
    "ex11.py": '''
import matplotlib.pyplot as plt
import numpy as np
def binary_entropy(p, base=2.0):
    return np.zeros(np.shape(p))
def binary_cross_entropy(p, q, base=2.0):
    return np.zeros(np.broadcast(p, q).shape)
def cross_entropy_argmin(p, q_grid):
    return 0.5
def plot_binary_entropy():
    fig, ax = plt.subplots()
    ax.set_xlabel("p")
    ax.set_ylabel("H(p, 1-p) (bits)")
    return fig
''',
    "ex12.py": '''
import matplotlib.pyplot as plt
import numpy as np
def kl_curves(p=(0.8, 0.2), q_grid=None):
    q = np.linspace(0.01, 0.99, 99) if q_grid is None else np.asarray(q_grid, dtype=float)
    return q, np.zeros_like(q), np.zeros_like(q)
def plot_kl_asymmetry(p=(0.8, 0.2)):
    fig, ax = plt.subplots()
    ax.plot([0.01, 0.99], [0.0, 0.0], label="forward KL(P||Q)")
    ax.plot([0.01, 0.99], [0.0, 0.0], label="reverse KL(Q||P)")
    ax.legend()
    ax.set_xlabel("q")
    ax.set_ylabel("KL (nats)")
    return fig
''',
    "ex14.py": '''
import torch
def info_nce_loss(z1, z2, temperature=0.07):
    return (z1.sum() + z2.sum()) * 0.0 + 1.0
''',
    "ex15.py": '''
import math
def train_mlp(X_train, y_train, X_val, y_val, epochs=10, hidden=128, lr=1e-3, batch_size=64,
              seed=0):
    return [{"epoch": e, "train_ce": 2.3, "val_ce": 2.0, "mean_entropy": 2.0,
             "perplexity": math.exp(2.0), "val_accuracy": 0.1} for e in range(1, epochs + 1)]
''',
    "ex16.py": '''
import torch
def beta_vae_loss(x, x_hat, mu, log_var, beta):
    zero = (x_hat.sum() + mu.sum() + log_var.sum()) * 0.0
    return zero, zero, zero
def train_beta_vae(X, betas=(0.1, 1.0, 4.0, 10.0), epochs=5, latent_dim=8, seed=0):
    item = {"recon": 40.0, "kl": 0.0, "elbo": -40.0}
    return {b: {**item, "history": [dict(item) for _ in range(epochs)]} for b in betas}
def plot_beta_sweep(results):
    return None
''',
}


@pytest.mark.parametrize("seed", [0, 1])
def test_typed_constants_score_zero(grade_files, seed):
    """Constants of the right type earn nothing from the property checks they satisfy."""
    exercises = [name.removesuffix(".py") for name in TYPED_CONSTANTS]
    report = grade_files(TYPED_CONSTANTS, exercises, seed=seed)
    assert_nothing_earned(report, exercises, "typed constants")


def test_honest_helpers_in_both_directions():
    """The helpers fail on degenerate values with a reason, and pass on working ones."""
    from grader.checks import CheckFailure
    from grader.figures import AxesFacts, LineFacts
    from grader.honest import expect_below, expect_draws_a_curve, expect_nonzero, expect_varies

    expect_varies([1.0, 1.5, 0.2], what="f(x)", over="three inputs")
    with pytest.raises(CheckFailure, match="only credited"):
        expect_varies([0.3, 0.3, 0.3], what="f(x)", over="three inputs")
    with pytest.raises(CheckFailure):
        expect_varies([float("nan")] * 2, what="f(x)", over="two inputs")
    expect_below(1.7, 3.4, what="loss", lower_case="matched", higher_case="unrelated", why="w")
    with pytest.raises(CheckFailure, match="the first should be lower"):
        expect_below(1.0, 1.0, what="loss", lower_case="matched", higher_case="unrelated",
                     why="w")
    expect_nonzero([0.0, -1e-3], what="grad", case="c", atol=1e-9)
    with pytest.raises(CheckFailure, match="all zeros"):
        expect_nonzero([[0.0, 0.0], [0.0, 1e-12]], what="grad", case="c", atol=1e-9)

    def axes(*ys):
        lines = tuple(LineFacts(label="", x=[0.0, 1.0], y=y) for y in ys)
        return AxesFacts(title="", xlabel="p", ylabel="H", xlim=(0, 1), ylim=(0, 1),
                         xscale="linear", yscale="linear", lines=lines, legend=(),
                         collections=0)

    expect_draws_a_curve(axes([0.0, 0.0], [0.2, 0.9]), who="plot()")
    for empty in (axes(), axes([0.5, 0.5]), axes([float("nan"), 1.0])):
        with pytest.raises(CheckFailure, match="draws no curve"):
            expect_draws_a_curve(empty, who="plot()")
