"""Exercise 12's hidden suite, graded in both directions."""

from __future__ import annotations

import base64

import pytest

from tests.conftest import REFERENCE, STUBS, SUBMISSIONS, check, exercise

FILES = SUBMISSIONS / "ex12"
CHECKS = {  # the start of each check's name
    "default": "kl_curves() gives the default grid",
    "other": "kl_curves matches the reference for other P",
    "cross": "forward and reverse KL cross",
    "ends": "the reverse KL(Q||P) stays finite",
    "invalid": "ValueError for p or q",
    "plot": "plot_kl_asymmetry draws",
    "legend": "the legend names each curve",
    "labels": "plot_kl_asymmetry labels",
}
CORRECT = ("correct_rel_entr_subplots", "correct_legend_list", "correct_figure_legend")

# golden wrong submissions: the checks they must fail (all others pass), and words of the
# feedback of the first of them
WRONG = {
    "swapped_kl_curves": ({"default", "other", "ends", "legend"}, "swapped"),
    "bits_instead_of_nats": ({"default", "other", "plot"}, "bits"),
    "nan_at_ends": ({"ends"}, "0 * log 0"),
    "no_legend": ({"legend"}, "no legend"),
    "ambiguous_legend": ({"legend"}, "does not say which direction"),
    "no_axis_labels": ({"labels"}, "no label"),
    "curves_on_two_axes": ({"plot", "legend"}, "different axes"),
    "plot_ignores_p": ({"plot"}, "Hint: the plot ignores its argument p"),
    "plot_returns_none": ({"plot", "legend", "labels"}, "return fig"),
}
HINTED = {"swapped_kl_curves", "bits_instead_of_nats", "nan_at_ends", "plot_returns_none",
          "plot_ignores_p"}


def failing(result) -> set[str]:
    return {key for key, start in CHECKS.items()
            for c in result.checks if c.name.startswith(start) and c.status != "passed"}


def test_checks_and_points(grade_files):
    result = exercise(grade_files({"ex12.py": REFERENCE / "ex12.py"}, ["ex12"]), "ex12")
    points = {key: next(c.max_score for c in result.checks if c.name.startswith(start))
              for key, start in CHECKS.items()}
    assert len(result.checks) == len(CHECKS)
    assert points == {"default": 1, "other": 1, "cross": 0.5, "ends": 1, "invalid": 0.5,
                      "plot": 1, "legend": 0.5, "labels": 0.5}


@pytest.mark.parametrize("seed", range(10))
def test_reference_full_marks(grade_files, seed):
    report = grade_files({"ex12.py": REFERENCE / "ex12.py"}, ["ex12"], seed=seed)
    result = exercise(report, "ex12")
    assert result.status == "passed", [c.feedback for c in result.checks if c.feedback]
    assert result.score == result.max_score == 6
    [figure] = result.figures
    assert figure.caption == "plot_kl_asymmetry"
    assert base64.b64decode(figure.png_base64).startswith(b"\x89PNG\r\n\x1a\n")


def test_stub_not_attempted(grade_files):
    result = exercise(grade_files({"ex12.py": STUBS / "ex12.py"}, ["ex12"]), "ex12")
    assert (result.status, result.score) == ("not_attempted", 0)
    assert result.figures == ()


@pytest.mark.parametrize("name", CORRECT)
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_correct_variants_full_marks(grade_files, name, seed):
    result = exercise(grade_files({"ex12.py": FILES / f"{name}.py"}, ["ex12"], seed=seed),
                      "ex12")
    assert result.score == 6, [c.feedback for c in result.checks if c.feedback]


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_submission_loses_the_right_points(grade_files, name, seed=3):
    expected, words = WRONG[name]
    report = grade_files({"ex12.py": FILES / f"{name}.py"}, ["ex12"], seed=seed)
    result = exercise(report, "ex12")
    assert failing(result) == expected, [(c.name, c.feedback) for c in result.checks]
    first = next(key for key in CHECKS if key in expected)
    feedback = check(report, "ex12", CHECKS[first]).feedback
    assert words in feedback, feedback
    if name in HINTED:
        assert "Hint:" in feedback, feedback
    assert result.score == 6 - sum(c.max_score for c in result.checks
                                   if c.status != "passed")


def test_swapped_curves_named_in_every_failing_check(grade_files):
    report = grade_files({"ex12.py": FILES / "swapped_kl_curves.py"}, ["ex12"], seed=5)
    for key in WRONG["swapped_kl_curves"][0]:
        assert "swapped" in check(report, "ex12", CHECKS[key]).feedback, key


def test_legend_wordings():
    """The names students give the curves are understood (pure function of the suite)."""
    import importlib.util

    from grader.suites import suite_path

    spec = importlib.util.spec_from_file_location("hidden_ex12", suite_path("ex12"))
    suite = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(suite)
    forward = ["KL(P||Q)", "D_KL(P‖Q)", r"$D_{\mathrm{KL}}(P \,\|\, Q)$", "forward KL",
               r"$KL(p \parallel q)$", "KL(P, Q)", "inclusive (mass-covering) KL"]
    reverse = ["KL(Q||P)", "D_KL(Q∥P)", r"$\mathrm{KL}(Q \Vert P)$", "Reverse KL",
               "KL[q || p]", "mode-seeking"]
    unclear = ["KL 1", "KL", "KL(P||Q) vs KL(Q||P)", "divergence", ""]
    assert [suite.kl_direction(t) for t in forward] == ["forward"] * len(forward)
    assert [suite.kl_direction(t) for t in reverse] == ["reverse"] * len(reverse)
    assert [suite.kl_direction(t) for t in unclear] == [None] * len(unclear)


def test_every_golden_file_is_tested():
    names = {path.stem for path in FILES.glob("*.py")}
    assert names == set(WRONG) | set(CORRECT)


COUNTING = '''
from matplotlib.figure import Figure

DRAWN = []


class CountingFigure(Figure):
    def draw(self, renderer):
        DRAWN.append(1)
        return super().draw(renderer)


def plot_kl_asymmetry(p=(0.8, 0.2)):
    figure = CountingFigure()
    figure.add_subplot().plot([0.1, 0.5, 0.9], [p[0], 1.0, p[1]], label="forward KL(P||Q)")
    return figure


def renders():
    return len(DRAWN)


def kl_curves(p=(0.8, 0.2), q_grid=None):
    raise NotImplementedError
'''


def test_only_the_figure_the_report_keeps_is_rendered(pool):
    """The default figure is rendered to a PNG; another drawn after it is only described."""
    from grader import catalog
    from grader.proxy import StudentModule

    kept = []
    module = StudentModule(pool=pool, exercise=catalog.get("ex12"),
                           files={"ex12.py": COUNTING},
                           on_figure=lambda caption, png: kept.append((caption, png)))
    try:
        default = module.plot_kl_asymmetry.figure()
        other = module.plot_kl_asymmetry.figure(p=(0.3, 0.7))
        again = module.plot_kl_asymmetry.figure(p=(0.3, 0.7))
        renders = module.renders()
    finally:
        module.close()
    assert default.png is not None and default.png.startswith(b"\x89PNG")
    assert other.png is None and again is other  # described, not rendered; asked once
    assert list(other.axes[0].lines[0].y) == [0.3, 1.0, 0.7]  # its facts are all there
    assert renders == 1
    assert kept == [("plot_kl_asymmetry", default.png)]
