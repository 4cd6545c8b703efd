"""Hidden suite of exercise 12: the asymmetry of KL (6 points).

The public checks of this exercise (and helpers shared with them) are in
grader/public/test_ex12.py; hidden checks may import from it, never the reverse.
"""

import math
import re

import numpy as np
import pytest

from grader.checks import (
    CheckFailure,
    Misconception,
    close,
    describe,
    expect,
    expect_close,
    fail,
)
from grader.hints import nonfinite_hint
from grader.honest import expect_draws_a_curve
from grader.public.test_ex12 import (  # noqa: F401  (shared helpers)
    DEFAULT_P,
    pair,
    random_p1,
    show,
    unpack,
)

TOL = {"rtol": 1e-9, "atol": 1e-12}


LN2 = math.log(2.0)


DEFAULT_GRID = np.linspace(0.01, 0.99, 99)


# the plot: its points are compared with the exact curves at the student's own q values
PLOT_RANGE = (0.01, 0.99)


PLOT_SLACK = 0.015        # a line may start up to 0.025 and end from 0.975 (np.arange ends)


MIN_POINTS = 50


PLOT_TOL = {"rtol": 1e-4, "atol": 1e-4}


NAN_HINT = ("nan comes from 0 * log 0 in floating point (q log q at q = 0, or (1 - q) "
            "log(1 - q) at q = 1); its limit is 0, so set those terms to 0 (np.where, or "
            "scipy.special.xlogy / scipy.special.rel_entr, which handle it)")


CLIP_HINT = ("where the exact value is +inf you return a finite number: do not clip q with an "
             "epsilon; p_i log(p_i / 0) with p_i > 0 is +inf (np.inf)")


SWAP_HINT = ("the two curves are swapped: forward KL(P||Q) = sum_i p_i log(p_i / q_i) "
             "averages over P (it diverges as q -> 0 or 1); reverse KL(Q||P) = "
             "sum_i q_i log(q_i / p_i) averages over Q")


def naive_curves(p, q):
    """The formulas without 0 log 0 handling."""
    p1, p2 = p
    q = np.asarray(q, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        forward = p1 * np.log(p1 / q) + p2 * np.log(p2 / (1 - q))
        reverse = q * np.log(q / p1) + (1 - q) * np.log((1 - q) / p2)
    return forward, reverse


def generic_hint(value, expected) -> str:
    return nonfinite_hint(value, expected, nan=NAN_HINT, clipped=CLIP_HINT)


def expect_values(value, expected, *, what, case, inputs=None, misconceptions=(), **tol):
    """expect_close on converted arrays, plus a hint for nan (0 log 0) and clipped infinities."""
    tol = tol or TOL
    try:
        return expect_close(value, expected, what=what, case=case, inputs=inputs,
                            misconceptions=misconceptions, **tol)
    except CheckFailure as failure:
        hint = "" if "\nHint:" in failure.feedback else generic_hint(value, expected)
        if not hint:
            raise
        fail(f"{failure.feedback}\nHint: {hint}")


def curve_hints(ref, p, q, which):
    """Misconceptions for the forward (which=1) or reverse (which=2) curve."""
    curves = ref.kl_curves(p, q_grid=q)
    other = curves[3 - which]
    mine = curves[which]
    hints = [
        Misconception(other, SWAP_HINT),
        Misconception(mine / LN2, "these are bits (log2); this exercise works in nats "
                      "(natural log, np.log)"),
        Misconception(naive_curves(p, q)[which - 1], NAN_HINT),
    ]
    if which == 1:
        entropy = -(p[0] * np.log(p[0]) + p[1] * np.log(p[1]))
        hints.append(Misconception(mine + entropy, "this is the cross-entropy H(P, Q) = "
                                   "H(P) + KL(P||Q), not the KL divergence"))
    return hints


def expect_curves(student_result, p, q, ref, *, what, case, inputs):
    """Compare (q_grid, forward, reverse) with the reference, each with its hints."""
    q_ref, forward, reverse = ref.kl_curves(p, q_grid=q)
    got_q, got_forward, got_reverse = unpack(student_result, q_ref.size, what=what)
    if close(got_forward, reverse, **TOL) and close(got_reverse, forward, **TOL):
        fail(f"{case}: {what} returned forward = {describe(got_forward)} and reverse = "
             f"{describe(got_reverse)}: these are KL(Q||P) and KL(P||Q).\nHint: {SWAP_HINT}")
    expect_values(got_q, q_ref, what=f"{what}[0] (q_grid)", case=case, inputs=inputs,
                  rtol=0.0, atol=1e-12)
    expect_values(got_forward, forward, what=f"{what}[1] (forward KL(P||Q))", case=case,
                  inputs=inputs, misconceptions=curve_hints(ref, p, q_ref, 1))
    expect_values(got_reverse, reverse, what=f"{what}[2] (reverse KL(Q||P))", case=case,
                  inputs=inputs, misconceptions=curve_hints(ref, p, q_ref, 2))
    return got_forward, got_reverse


def curve_points(line):
    """The line's points with 0 < q < 1 (the ends, where KL may be infinite, are skipped)."""
    keep = np.isfinite(line.x) & (line.x > 0.0) & (line.x < 1.0)
    return line.x[keep], line.y[keep]


def covers_range(x) -> bool:
    return (x.size >= MIN_POINTS and x.min() <= PLOT_RANGE[0] + PLOT_SLACK
            and x.max() >= PLOT_RANGE[1] - PLOT_SLACK)


def classify_line(line, p, ref, scales):
    """('forward' | 'reverse', scale) when the line is one of the curves, else None."""
    x, y = curve_points(line)
    if x.size == 0:
        return None
    _, forward, reverse = ref.kl_curves(p, q_grid=x)
    for scale in scales:
        for name, curve in (("forward", forward), ("reverse", reverse)):
            if np.allclose(y, curve * scale, **PLOT_TOL):
                return name, scale
    return None


def find_kl_lines(facts, p, ref, *, who, units_matter=True):
    """Return (axes, forward_line, reverse_line) drawn on one axes, or fail with feedback."""
    if not facts.axes:
        fail(f"{who}: the figure has no axes: draw with ax.plot(q, forward) and "
             "ax.plot(q, reverse)")
    lines = [line for axes in facts.axes for line in axes.lines]
    if not lines:
        fail(f"{who}: the figure has no line: draw both curves with ax.plot (a scatter plot "
             "is not read as a curve)")
    scales = (1.0,) if units_matter else (1.0, 1.0 / LN2)
    found = []  # (axes index, name, scale, line, covers)
    for index, axes in enumerate(facts.axes):
        for line in axes.lines:
            kind_scale = classify_line(line, p, ref, (1.0, 1.0 / LN2))
            if kind_scale is not None:
                found.append((index, *kind_scale, line, covers_range(curve_points(line)[0])))
    usable = [f for f in found if f[2] in scales and f[4]]
    for index, axes in enumerate(facts.axes):
        forward = [f[3] for f in usable if f[0] == index and f[1] == "forward"]
        reverse = [f[3] for f in usable if f[0] == index and f[1] == "reverse"]
        if forward and reverse:
            return axes, forward[0], reverse[0]
    names = {f[1] for f in usable}
    if any(f[2] != 1.0 for f in found) and units_matter:
        fail(f"{who}: no line of the figure is KL(P||Q) or KL(Q||P) in nats.\nHint: the "
             "curves are in bits (log2); this exercise works in nats (natural log): plot KL "
             "in nats, as kl_curves returns it")
    if len(names) == 2:
        fail(f"{who}: the two curves are on different axes; draw both on one axes so they "
             "can be compared")
    if any(not f[4] for f in found):
        x = curve_points(next(f[3] for f in found if not f[4]))[0]
        fail(f"{who}: a KL curve covers q from {x.min():.4g} to {x.max():.4g} with {x.size} "
             f"points.\nHint: draw at least {MIN_POINTS} points spanning [0.01, 0.99] (the "
             "default grid of kl_curves)")
    if names:
        missing = "reverse KL(Q||P)" if "forward" in names else "forward KL(P||Q)"
        fail(f"{who}: only one curve is right; no line of the figure is the {missing} "
             f"curve for P = {show(p)}")
    default = (0.8, 0.2)  # the stub's default p: a plot that ignores its argument draws it
    if not np.allclose(p, default) and any(classify_line(line, default, ref, (1.0,))
                                           for line in lines):
        fail(f"{who}: no line of the figure is KL(P||Q) or KL(Q||P) for P = {show(p)}; the "
             f"lines are the curves of P = {show(default)}, the default.\nHint: the plot "
             "ignores its argument p: compute the curves with kl_curves(p), the p that "
             "plot_kl_asymmetry was given")
    longest = max(lines, key=lambda line: curve_points(line)[0].size)
    x, y = curve_points(longest)
    detail = f"; the longest line has {longest.x.size} points, none with 0 < q < 1"
    if x.size:
        _, forward, _ = ref.kl_curves(p, q_grid=x)
        i = int(np.argmax(~np.isclose(y, forward, **PLOT_TOL)))
        detail = (f"; the longest line has {x.size} points with 0 < q < 1, and at q = "
                  f"{x[i]:.4g} it plots {y[i]:.6g} where KL(P||Q) = {forward[i]:.6g}")
    fail(f"{who}: no line of the figure is KL(P||Q) or KL(Q||P) in nats against q for "
         f"P = {show(p)}{detail}")


_BARS = ("\\parallel", "\\Vert", "\\vert", "\\|", "\\mid", "‖", "∥", "||", "|")


_NOISE = ("\\mathrm", "\\operatorname", "\\mathbb", "\\mathcal", "\\text", "\\left",
          "\\right", "\\bigg", "\\big", "\\qquad", "\\quad", "\\,", "\\;", "\\:",
          "\\!", "\\ ", "~")


FORWARD_WORDS = ("forward", "inclusive", "masscovering", "meanseeking", "zeroavoiding",
                 "mprojection")


REVERSE_WORDS = ("reverse", "backward", "exclusive", "modeseeking", "zeroforcing",
                 "iprojection")


def kl_direction(text: str) -> str | None:
    """'forward' or 'reverse' when a label says which KL it is, else None."""
    t = text.lower()
    for token in _NOISE:
        t = t.replace(token.lower(), "")
    for bar in _BARS:
        t = t.replace(bar.lower(), "|")
    t = re.sub(r"[\s${}_\\\-\"'`]", "", t)
    t = re.sub(r"\|+", "|", t)
    says_forward = bool(re.search(r"p\|q|\(p,q\)|\[p,q\]", t)) or any(
        w in t for w in FORWARD_WORDS)
    says_reverse = bool(re.search(r"q\|p|\(q,p\)|\[q,p\]", t)) or any(
        w in t for w in REVERSE_WORDS)
    if says_forward == says_reverse:
        return None
    return "forward" if says_forward else "reverse"


# -- checks ----------------------------------------------------------------------------------
@pytest.mark.points(1)
def test_default_curves(student, ref):
    """kl_curves() gives the default grid, KL(P||Q) and KL(Q||P) in nats for P = (0.8, 0.2)"""
    expect_curves(student.kl_curves(), DEFAULT_P, None, ref, what="kl_curves()",
                  case="the defaults P = (0.8, 0.2), q_grid = np.linspace(0.01, 0.99, 99)",
                  inputs=None)
    expect_curves(student.kl_curves(DEFAULT_P, DEFAULT_GRID), DEFAULT_P, DEFAULT_GRID, ref,
                  what="kl_curves(p, q_grid)", case="P = (0.8, 0.2) and the default grid "
                  "passed explicitly", inputs=None)


@pytest.mark.points(1)
def test_other_curves(student, ref, rng):
    """kl_curves matches the reference for other P and other grids of q"""
    cases = []
    p = pair(random_p1(rng))
    cases.append(("another P on the default grid", p, None))
    for _ in range(3):
        p = pair(random_p1(rng))
        grid = np.sort(rng.uniform(0.001, 0.999, size=int(rng.integers(20, 150))))
        cases.append(("a random P and a random sorted grid of q", p, grid))
    p = pair(random_p1(rng))
    cases.append(("a random P given as a list, an unsorted grid given as a list", p,
                  rng.uniform(0.01, 0.99, size=17)))
    for number, (case, p, grid) in enumerate(cases):
        if number == len(cases) - 1:
            result = student.kl_curves(p=list(p), q_grid=list(grid))
        elif grid is None:
            result = student.kl_curves(p=p)
        else:
            result = student.kl_curves(p, q_grid=grid)
        inputs = {"p": p} if grid is None else {"p": p, "q_grid": grid}
        expect_curves(result, p, grid, ref, what="kl_curves(p, q_grid)", case=case,
                      inputs=inputs)


def expect_some_unit(value, expected, *, what, case, inputs, misconceptions=()):
    """Compare with the reference in nats (or in bits: units are graded by other checks)."""
    if close(value, np.asarray(expected) / LN2, rtol=1e-6, atol=1e-12):
        return
    expect_values(value, expected, what=what, case=case, inputs=inputs,
                  misconceptions=misconceptions, rtol=1e-6, atol=1e-12)


@pytest.mark.points(1)
def test_ends(student, ref, rng):
    """the reverse KL(Q||P) stays finite as q -> 0 or 1 while the forward KL(P||Q) diverges"""
    near = np.array([1e-12, 1e-9, 1e-6, 1e-3, 0.5, 1 - 1e-3, 1 - 1e-6, 1 - 1e-9, 1 - 1e-12])
    ends = np.array([0.0, 1e-6, 0.5, 1 - 1e-6, 1.0])
    for p in (DEFAULT_P, pair(random_p1(rng))):
        bound = max(-math.log(p[0]), -math.log(p[1]))
        for case, grid in ((f"P = {show(p)}, q close to 0 and 1", near),
                           (f"P = {show(p)}, the ends q = 0 and q = 1 included", ends)):
            _, forward, reverse = ref.kl_curves(p, q_grid=grid)
            _, got_forward, got_reverse = unpack(student.kl_curves(p, q_grid=grid), grid.size,
                                                 what="kl_curves(p, q_grid)")
            inputs = {"p": p, "q_grid": grid}
            if (not np.all(np.isfinite(got_reverse))
                    and close(got_reverse, forward, rtol=1e-6, atol=1e-12)):
                fail(f"{case}: kl_curves(p, q_grid)[2] (reverse KL(Q||P)) returned "
                     f"{describe(got_reverse)}, which diverges at the ends; the reverse KL "
                     f"stays below max(log 1/p1, log 1/p2) = {bound:.4g}.\nHint: {SWAP_HINT}")
            expect_some_unit(got_reverse, reverse, what="kl_curves(p, q_grid)[2] (reverse "
                             "KL(Q||P), bounded)", case=case, inputs=inputs,
                             misconceptions=[Misconception(naive_curves(p, grid)[1], NAN_HINT),
                                             Misconception(forward, SWAP_HINT)])
            expect_some_unit(got_forward, forward, what="kl_curves(p, q_grid)[1] (forward "
                             "KL(P||Q), diverging)", case=case, inputs=inputs,
                             misconceptions=[Misconception(naive_curves(p, grid)[0], NAN_HINT),
                                             Misconception(reverse, SWAP_HINT)])


@pytest.mark.points(1)
def test_plot_curves(student, ref, rng):
    """plot_kl_asymmetry draws KL(P||Q) and KL(Q||P) against q on one axes, in nats"""
    p = pair(random_p1(rng))
    # the default first: it is the figure the report keeps, and the only one rendered
    find_kl_lines(student.plot_kl_asymmetry.figure(), DEFAULT_P, ref,
                  who="plot_kl_asymmetry()")
    find_kl_lines(student.plot_kl_asymmetry.figure(p=p), p, ref,
                  who=f"plot_kl_asymmetry(p={show(p)})")


@pytest.mark.points(0.5)
def test_legend(student, ref):
    """the legend names each curve: forward KL(P||Q) and reverse KL(Q||P)"""
    who = "plot_kl_asymmetry()"
    facts = student.plot_kl_asymmetry.figure()
    try:
        axes, forward, reverse = find_kl_lines(facts, DEFAULT_P, ref, who=who,
                                               units_matter=False)
    except CheckFailure as failure:
        fail(f"{failure.feedback}\n(the legend is checked on the two KL curves, so they must "
             "be drawn first)")
    if not axes.legend:
        labels = [ln.label for ln in (forward, reverse) if not ln.label.startswith("_")]
        extra = (f" The lines have labels ({', '.join(map(repr, labels))}) but no legend is "
                 "shown: call ax.legend() (or fig.legend())."
                 if labels else " Give each line a label (ax.plot(q, forward, label="
                 "\"forward KL(P||Q)\")) and call ax.legend().")
        fail(f"{who}: the axes have no legend, so a reader cannot tell the curves apart."
             + extra)
    names = {"forward": axes.legend_for(forward), "reverse": axes.legend_for(reverse)}
    said = {side: kl_direction(name) if name else None for side, name in names.items()}
    if said == {"forward": "reverse", "reverse": "forward"}:
        fail(f"{who}: the legend names are swapped: the curve named {names['forward']!r} is "
             f"KL(P||Q) and the one named {names['reverse']!r} is KL(Q||P).\n"
             f"Hint: {SWAP_HINT}")
    for side, title in (("forward", "KL(P||Q)"), ("reverse", "KL(Q||P)")):
        if names[side] is None:
            fail(f"{who}: the {title} curve has no entry in the legend (legend: "
                 f"{', '.join(map(repr, axes.legend))}); give it a label and call ax.legend()")
        expect(said[side] == side,
               f"{who}: the legend entry of the {title} curve is {names[side]!r}, which does "
               f"not say which direction it is. Name it e.g. \"{side} {title}\" "
               "(\"KL(P||Q)\", \"D_KL(P‖Q)\", \"forward\" / \"reverse\" are understood)")


@pytest.mark.points(0.5)
def test_plot_labels(student, ref):
    """plot_kl_asymmetry labels both axes"""
    facts = student.plot_kl_asymmetry.figure()
    expect(bool(facts.axes), "plot_kl_asymmetry(): the figure has no axes")
    try:
        axes, _, _ = find_kl_lines(facts, DEFAULT_P, ref, who="plot_kl_asymmetry()",
                                   units_matter=False)
    except CheckFailure:  # graded by the other check; read the labels of the busiest axes
        axes = max(facts.axes, key=lambda a: len(a.lines))
        expect_draws_a_curve(axes, who="plot_kl_asymmetry()")  # no points for an empty plot
    missing = [name for name, text in (("x-axis", axes.xlabel), ("y-axis", axes.ylabel))
               if not text.strip()]
    expect(not missing, f"plot_kl_asymmetry(): the {' and the '.join(missing)} "
           f"{'has' if len(missing) == 1 else 'have'} no label (x label "
           f"{describe(axes.xlabel)}, y label {describe(axes.ylabel)}). Hint: "
           "ax.set_xlabel('q') and ax.set_ylabel('KL divergence (nats)')")
