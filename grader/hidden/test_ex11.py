"""Hidden suite of exercise 11: binary entropy and cross-entropy curves (6 points).

The public checks of this exercise (and helpers shared with them) are in
grader/public/test_ex11.py; hidden checks may import from it, never the reverse.
"""

import math

import numpy as np
import pytest

from grader.checks import (
    CheckFailure,
    Misconception,
    as_array,
    as_float,
    close,
    describe,
    expect,
    expect_close,
    fail,
)
from grader.honest import expect_draws_a_curve
from grader.public.test_ex11 import (  # noqa: F401  (shared helpers)
    NAN_HINT,
    entropy_hints,
    expect_values,
    naive_entropy,
    random_probabilities,
)

LN2 = math.log(2.0)


# the plot: its points are compared with the exact curve at the student's own p values
PLOT_RANGE = (0.01, 0.99)


PLOT_SLACK = 0.015        # the line may start up to 0.025 and end from 0.975 (np.arange ends)


MIN_POINTS = 50


PLOT_TOL = {"rtol": 1e-4, "atol": 1e-4}


def naive_cross_entropy(p, q, base=2.0):
    p, q = np.broadcast_arrays(np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        return -(p * np.log(q) + (1 - p) * np.log(1 - q)) / math.log(base)


def cross_entropy_hints(ref, p, q):
    return [
        Misconception(ref.binary_cross_entropy(p, q, base=math.e),
                      "this is in nats (natural log); the default unit is bits"),
        Misconception(ref.binary_cross_entropy(q, p),
                      "this is H(Q, P): p and q are swapped (-p log q: p weights, q is logged)"),
        Misconception(ref.binary_cross_entropy(p, q) - ref.binary_entropy(p),
                      "this is KL(P||Q) = H(P, Q) - H(P), not the cross-entropy"),
    ]


def curve_points(line):
    """The line's points with 0 < x < 1 (the ends, where the curve may be nan, are skipped)."""
    x, y = line.x, line.y
    keep = np.isfinite(x) & (x > 0.0) & (x < 1.0)
    return x[keep], y[keep]


def covers_range(x) -> bool:
    return (x.size >= MIN_POINTS and x.min() <= PLOT_RANGE[0] + PLOT_SLACK
            and x.max() >= PLOT_RANGE[1] - PLOT_SLACK)


def line_summary(line) -> str:
    x, y = curve_points(line)
    if x.size == 0:
        return f"a line with {line.x.size} points, none with 0 < p < 1"
    return (f"a line of {x.size} points with 0 < p < 1, p from {x.min():.4g} to {x.max():.4g}, "
            f"y from {np.nanmin(y) if np.any(np.isfinite(y)) else math.nan:.4g} to "
            f"{np.nanmax(y) if np.any(np.isfinite(y)) else math.nan:.4g}")


def find_entropy_line(facts, ref):
    """Return (axes, line) of the line that is H(p, 1-p) in bits, or fail with feedback."""
    lines = [(axes, line) for axes in facts.axes for line in axes.lines]
    if not facts.axes:
        fail("plot_binary_entropy(): the figure has no axes: draw with ax.plot(p, H)")
    if not lines:
        fail("plot_binary_entropy(): the figure has no line: draw the curve with "
             "ax.plot(p, H) (a scatter plot or an image is not read as a curve)")
    problems = []
    for axes, line in lines:
        x, y = curve_points(line)
        if x.size == 0:
            continue
        expected = ref.binary_entropy(x)
        if np.allclose(y, expected, equal_nan=False, **PLOT_TOL):
            if covers_range(x):
                return axes, line
            problems.append(
                f"the line is H(p, 1-p) but covers p from {x.min():.4g} to {x.max():.4g} with "
                f"{x.size} points; draw at least {MIN_POINTS} points spanning [0.01, 0.99]")
        elif np.allclose(y, expected * LN2, **PLOT_TOL):
            problems.append("the curve is in nats (natural log): the plot asks for bits "
                            "(log2; its maximum is 1 bit at p = 0.5)")
    if problems:
        fail("plot_binary_entropy() does not draw H(p, 1-p) in bits over p in [0.01, 0.99]."
             f"\nHint: {problems[0]}")
    axes, line = max(lines, key=lambda item: curve_points(item[1])[0].size)
    x, y = curve_points(line)
    detail = ""
    if x.size:
        expected = ref.binary_entropy(x)
        bad = ~np.isclose(y, expected, **PLOT_TOL)
        if bad.any():
            i = int(np.argmax(bad))
            detail = (f"; at p = {x[i]:.4g} it plots {y[i]:.6g}, expected H = "
                      f"{expected[i]:.6g} bits")
    fail(f"plot_binary_entropy(): no line of the figure is H(p, 1-p) in bits over p in "
         f"[0.01, 0.99]. The figure has {len(lines)} line(s); the longest is "
         f"{line_summary(line)}{detail}")


def expect_scalar_result(value, *, what):
    if isinstance(value, np.ndarray) and value.shape != ():
        fail(f"a scalar input: {what} returned an array of shape {value.shape}; a scalar "
             "should give a 0-d array (np.asarray(x) keeps the shape of x) or a float")


@pytest.mark.points(0.5)
def test_base_and_scalar(student, ref, rng):
    """base= changes the unit and a scalar gives a 0-d result"""
    p = rng.uniform(0.05, 0.95, size=7)
    q = rng.uniform(0.05, 0.95, size=7)
    for base, unit in ((math.e, "nats"), (10.0, "hartleys"), (2.0, "bits")):
        wrong = [Misconception(ref.binary_entropy(p), "this is in bits: divide the natural "
                               "log by log(base) (use the base argument)")]
        expect_values(student.binary_entropy(p, base=base), ref.binary_entropy(p, base=base),
                      what=f"binary_entropy(p, base={base:g})", case=f"{unit}",
                      inputs={"p": p}, misconceptions=wrong if base != 2.0 else ())
        wrong = [Misconception(ref.binary_cross_entropy(p, q), "this is in bits: divide the "
                               "natural log by log(base) (use the base argument)")]
        expect_values(student.binary_cross_entropy(p, q, base=base),
                      ref.binary_cross_entropy(p, q, base=base),
                      what=f"binary_cross_entropy(p, q, base={base:g})", case=f"{unit}",
                      inputs={"p": p, "q": q}, misconceptions=wrong if base != 2.0 else ())
    p0, q0 = float(p[0]), float(q[0])
    value = student.binary_entropy(p0, base=2.0)
    expect_scalar_result(value, what="binary_entropy(p)")
    expect_values(value, ref.binary_entropy(p0), what="binary_entropy(p, base=2)",
                  case="a scalar p", inputs={"p": p0}, misconceptions=entropy_hints(ref, p0))
    value = student.binary_cross_entropy(p0, q0, base=2.0)
    expect_scalar_result(value, what="binary_cross_entropy(p, q)")
    expect_values(value, ref.binary_cross_entropy(p0, q0),
                  what="binary_cross_entropy(p, q, base=2)", case="scalar p and q",
                  inputs={"p": p0, "q": q0}, misconceptions=cross_entropy_hints(ref, p0, q0))


@pytest.mark.points(1)
def test_cross_entropy_values(student, ref, rng):
    """binary_cross_entropy matches the reference on grids, scalar against array included"""
    p_scalar = float(rng.uniform(0.1, 0.9))
    q_grid = np.linspace(0.01, 0.99, 99)
    cases = [
        ("one p against the grid q = 0.01, ..., 0.99", p_scalar, q_grid),
        ("random p and q of the same shape", random_probabilities(rng, 30),
         random_probabilities(rng, 30)),
        ("2-D arrays of the same shape", random_probabilities(rng, (4, 3)),
         random_probabilities(rng, (4, 3))),
        ("a grid of p against one q", np.linspace(0.0, 1.0, 21),
         float(rng.uniform(0.05, 0.95))),
        ("Python lists", list(rng.uniform(0.01, 0.99, size=5)),
         list(rng.uniform(0.01, 0.99, size=5))),
    ]
    for case, p, q in cases:
        expect_values(student.binary_cross_entropy(p, q), ref.binary_cross_entropy(p, q),
                      what="binary_cross_entropy(p, q)", case=case,
                      inputs={"p": p, "q": q},
                      misconceptions=cross_entropy_hints(ref, np.asarray(p), np.asarray(q)))
    p = random_probabilities(rng, 12)
    expect_values(student.binary_cross_entropy(p, p), ref.binary_entropy(p),
                  what="binary_cross_entropy(p, p)", case="q = p (the cross-entropy is then "
                  "the entropy H(p, 1-p))", inputs={"p": p},
                  misconceptions=cross_entropy_hints(ref, p, p))


@pytest.mark.points(1)
def test_ends(student, ref, rng):
    """the ends p, q in {0, 1}: entropy 0, cross-entropy 0 where q = p and +inf where p differs"""
    ends = np.array([0.0, 1.0])
    expect_values(student.binary_entropy(ends), [0.0, 0.0], what="binary_entropy(p)",
                  case="p = 0 and p = 1 (a certain outcome)", inputs={"p": ends},
                  misconceptions=[Misconception(naive_entropy(ends), NAN_HINT)],
                  rtol=0.0, atol=1e-9)
    for p_end in (0.0, 1.0):
        value = student.binary_entropy(p_end)
        expect_values(value, 0.0, what="binary_entropy(p)", case=f"a scalar p = {p_end:g}",
                      inputs={"p": p_end}, misconceptions=[Misconception(math.nan, NAN_HINT)],
                      rtol=0.0, atol=1e-9)
    p = np.array([[0.0, 0.0], [1.0, 1.0]])
    q = np.array([[0.0, 1.0], [0.0, 1.0]])
    expect_values(student.binary_cross_entropy(p, q), [[0.0, math.inf], [math.inf, 0.0]],
                  what="binary_cross_entropy(p, q)",
                  case="p and q in {0, 1}: 0 where q = p, +inf where they differ",
                  inputs={"p": p, "q": q},
                  misconceptions=[Misconception(naive_cross_entropy(p, q), NAN_HINT)],
                  rtol=0.0, atol=1e-9)
    inner = rng.uniform(0.05, 0.95, size=5)
    for q_end in (0.0, 1.0):
        expect_values(student.binary_cross_entropy(inner, q_end), np.full(5, math.inf),
                      what="binary_cross_entropy(p, q)",
                      case=f"0 < p < 1 and q = {q_end:g} (an impossible outcome happens)",
                      inputs={"p": inner, "q": q_end})
    grid = np.linspace(0.0, 1.0, 11)
    value = as_array(student.binary_entropy(grid), what="binary_entropy(p)", shape=grid.shape)
    expected = ref.binary_entropy(grid)
    if not close(value, expected * LN2, rtol=1e-9, atol=1e-9):  # units: graded elsewhere
        expect_values(value, expected, what="binary_entropy(p)",
                      case="the grid p = 0, 0.1, ..., 1, ends included", inputs={"p": grid},
                      rtol=1e-9, atol=1e-9,
                      misconceptions=[Misconception(naive_entropy(grid), NAN_HINT),
                                      *entropy_hints(ref, grid)])


def argmin_hints(ref, p, grid):
    values = ref.binary_cross_entropy(p, grid)
    best = int(np.argmin(values))
    return [
        Misconception(float(best), "this is the index of the minimum; return the grid's "
                      "value there: q_grid[index]"),
        Misconception(float(values[best]), "this is the minimal cross-entropy; return the q "
                      "where it is reached"),
        Misconception(float(grid[int(np.argmax(values))]), "this q maximises the "
                      "cross-entropy: use argmin"),
    ]


def expect_argmin(got, p, grid, ref, *, case):
    """The answer must be a grid value at which the cross-entropy is minimal."""
    values = ref.binary_cross_entropy(p, grid)
    best = float(grid[int(np.argmin(values))])
    hints = argmin_hints(ref, p, grid)
    value = as_float(got, what="cross_entropy_argmin(p, q_grid)")
    nearest = int(np.argmin(np.abs(grid - value))) if math.isfinite(value) else 0
    if (abs(grid[nearest] - value) <= 1e-12
            and values[nearest] <= values.min() * (1 + 1e-12) + 1e-15):
        return  # a grid value where the minimum is reached (ties are fine)
    expect_close(value, best, what="cross_entropy_argmin(p, q_grid)", case=case,
                 inputs={"p": p, "q_grid": grid}, misconceptions=hints, rtol=0.0, atol=0.0)


@pytest.mark.points(0.5)
def test_argmin(student, ref, rng):
    """cross_entropy_argmin returns the q of the grid minimising the cross-entropy (q = p)"""
    grid = np.linspace(0.0, 1.0, 101)
    for k in (int(rng.integers(5, 96)), int(rng.integers(1, 5)), 50):
        p = float(grid[k])
        expect_argmin(student.cross_entropy_argmin(p, grid), p, grid, ref,
                      case=f"p = {p:g} on the grid 0, 0.01, ..., 1 (the answer is p itself)")
    for _ in range(3):
        grid = np.sort(rng.uniform(0.001, 0.999, size=int(rng.integers(20, 200))))
        p = float(rng.uniform(0.05, 0.95))
        expect_argmin(student.cross_entropy_argmin(p, grid), p, grid, ref,
                      case="a random sorted grid that does not contain p (the answer is "
                           "the grid point next to p with the smaller cross-entropy)")
    grid = rng.permutation(np.linspace(0.02, 0.98, 49))
    p = float(grid[7])
    expect_argmin(student.cross_entropy_argmin(p, list(grid)), p, grid, ref,
                  case="an unsorted grid given as a Python list")


@pytest.mark.points(1)
def test_plot_curve(student, ref):
    """plot_binary_entropy draws H(p, 1-p) in bits for p in [0.01, 0.99]"""
    find_entropy_line(student.plot_binary_entropy.figure(), ref)


@pytest.mark.points(0.5)
def test_plot_labels(student, ref):
    """plot_binary_entropy labels both axes"""
    facts = student.plot_binary_entropy.figure()
    expect(bool(facts.axes), "plot_binary_entropy(): the figure has no axes")
    try:
        axes, _ = find_entropy_line(facts, ref)
    except CheckFailure:  # graded by the other check; read the labels of the busiest axes
        axes = max(facts.axes, key=lambda a: len(a.lines))
        expect_draws_a_curve(axes, who="plot_binary_entropy()")  # no points for an empty plot
    missing = [name for name, text in (("x-axis", axes.xlabel), ("y-axis", axes.ylabel))
               if not text.strip()]
    expect(not missing, f"plot_binary_entropy(): the {' and the '.join(missing)} "
           f"{'has' if len(missing) == 1 else 'have'} no label (x label "
           f"{describe(axes.xlabel)}, y label {describe(axes.ylabel)}). Hint: "
           "ax.set_xlabel('p') and ax.set_ylabel('H(p, 1-p) (bits)')")
