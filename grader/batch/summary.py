"""``summary.html``: the class at a glance, rebuilt from the batch's database alone.

One standalone page (no network, no script; the figures are PNG ``data:`` URIs): the score
distribution overall and per exercise, the checks failed most often with their hints, the
mistakes (hints) ranked by how many students made them, the slowest submissions, the errors
and timeouts, and the pairs of submissions whose code is suspiciously alike
(:mod:`grader.batch.similarity`). Nothing in it depends on the time it was built: the same
database gives the same bytes. Every student-produced string is made safe
(:func:`grader.render.common.clean`) and HTML-escaped.

Exercises still untouched (``not_attempted``) and checks meeting a function that still
raises ``NotImplementedError`` are left out of the failure, hint and error sections: they
say that a student has not started, not what went wrong.
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import json
import statistics
import subprocess
import sys
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from grader import catalog
from grader.batch import similarity
from grader.batch.store import GRADED, Row
from grader.detail import show_due
from grader.render.common import PROBLEMS
from grader.render.html import CSS as REPORT_CSS
from grader.render.html import esc
from grader.report import ExerciseResult, Report, ReportError, hints

SUMMARY = "summary.html"

#: rows shown at most in each ranked table (the page says how many more there are)
TOP_CHECKS = 25
TOP_HINTS = 30
TOP_SLOWEST = 10
TOP_ERRORS = 200
TOP_PAIRS = 100

_NOT_IMPLEMENTED = "is not implemented yet (it raises NotImplementedError)"

CSS = REPORT_CSS.replace("max-width:60em", "max-width:72em") + """
td.n{text-align:right;font-variant-numeric:tabular-nums}
.hint{color:#8a6100}.more{color:#555;font-style:italic}
nav a{margin-right:1em}
"""


@dataclass(frozen=True)
class Graded:
    """A graded row with its report rebuilt (the report model cleans every text)."""

    row: Row
    report: Report


def read_report(data: Mapping | None) -> Report | None:
    """A stored report rebuilt, or None when there is none or this grader cannot read it."""
    if not data:
        return None
    try:
        return Report.from_dict(data)
    except (ReportError, KeyError, TypeError, ValueError, AttributeError):
        return None  # a report this grader cannot read: the gradebook still lists the row


def _graded(rows: Iterable[Row], reports: Mapping[str, Report | None] | None = None
            ) -> list[Graded]:
    out = []
    for row in rows:
        if row.status != GRADED or not row.report:
            continue
        report = (reports[row.student] if reports is not None and row.student in reports
                  else read_report(row.report))
        if report is not None:
            out.append(Graded(row, report))
    return out


def _attempted(exercise: ExerciseResult) -> bool:
    return exercise.status != "not_attempted"


def _problem(check) -> bool:
    return check.status in PROBLEMS and _NOT_IMPLEMENTED not in check.feedback


def _number(value: float) -> str:
    return format(round(float(value), 2), "g")


def _first_line(text: str, limit: int = 300) -> str:
    line = next((part for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[:limit] + "…"


def _more(shown: int, total: int, what: str) -> str:
    return f"<p class=\"more\">and {total - shown} more {what}</p>" if total > shown else ""


# --- figures ---------------------------------------------------------------------------------
def _png(figure) -> str:
    """The figure as a PNG ``data:`` URI, without metadata that varies (same data, same bytes)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _img(uri: str, alt: str, size: tuple[float, float]) -> str:
    width, height = (round(100 * size[0]), round(100 * size[1]))
    return (f"<figure><img src=\"{uri}\" alt=\"{html.escape(alt)}\" width=\"{width}\" "
            f"height=\"{height}\"></figure>")


def _histograms(totals: list[float], per_exercise: dict[str, tuple[float, list[float]]]
                ) -> list[str]:
    """The overall histogram (percent) and one per exercise (``id: (max points, scores)``)."""
    import matplotlib
    import matplotlib.style
    from matplotlib.figure import Figure

    out = []
    with matplotlib.style.context("default"), matplotlib.rc_context({"font.size": 9}):
        size = (7.0, 2.8)
        figure = Figure(figsize=size)
        axes = figure.subplots()
        axes.hist(totals, bins=[5.0 * i for i in range(21)], color="#3b6ea8",
                  edgecolor="white")
        axes.set(xlabel="total score (% of the points graded)", ylabel="submissions",
                 xlim=(0, 100), title=f"All exercises ({len(totals)} submissions)")
        axes.yaxis.get_major_locator().set_params(integer=True)
        figure.tight_layout()
        out.append(_img(_png(figure), "Histogram of the total scores", size))
        if per_exercise:
            columns = min(4, len(per_exercise))
            lines = -(-len(per_exercise) // columns)
            size = (7.0, 1.9 * lines)
            figure = Figure(figsize=size)
            grid = figure.subplots(lines, columns, squeeze=False)
            for axes, (exercise_id, (top, scores)) in zip(grid.flat, per_exercise.items(),
                                                           strict=False):
                top = top or 1.0
                axes.hist(scores, bins=[top * i / 10 for i in range(11)], color="#3b6ea8",
                          edgecolor="white")
                axes.set_title(f"{exercise_id} (n={len(scores)})", fontsize=9)
                axes.set_xlim(0, top)
                axes.yaxis.get_major_locator().set_params(integer=True)
                axes.tick_params(labelsize=7)
            for axes in list(grid.flat)[len(per_exercise):]:
                axes.set_visible(False)
            figure.supxlabel("points (attempted exercises only)", fontsize=8)
            figure.tight_layout()
            out.append(_img(_png(figure), "Histograms of the scores of each exercise", size))
    return out


# --- sections --------------------------------------------------------------------------------
def _due(due: datetime | None) -> str:
    """What the students' reports show of the ``after_due`` checks (no clock: same bytes)."""
    if due is None:
        return ("<p id=\"due\">No due date (<code>--due</code>): the students' reports keep "
                "the checks marked <code>after_due</code> back.</p>")
    return (f"<p id=\"due\">Due date {esc(show_due(due), 100)}: the students' reports show "
            "the checks marked <code>after_due</code> when they are rebuilt after it "
            "(<code>grade batch --report-only</code>).</p>")


def _overview(rows: list[Row], graded: list[Graded], due: datetime | None = None
              ) -> list[str]:
    statuses = Counter(row.status for row in rows)
    parts = ", ".join(f"{count} {esc(status.replace('_', ' '))}"
                      for status, count in sorted(statuses.items()))
    seeds = sorted({row.seed for row in rows})
    versions = sorted({row.grader_version for row in rows})
    out = [f"<p id=\"overview\">{len(rows)} submissions: {parts or 'none'}. Seed "
           f"{', '.join(str(s) for s in seeds) or '-'} · grader "
           f"{esc(', '.join(versions) or '-', 200)}</p>", _due(due)]
    if graded:
        percents = [g.report.percent for g in graded]
        out.append(f"<p>Total score of the graded submissions: mean "
                   f"{statistics.fmean(percents):.1f} %, median "
                   f"{statistics.median(percents):.1f} %.</p>")
    return out


def _by_exercise(graded: list[Graded]) -> dict[str, list[ExerciseResult]]:
    exercises: dict[str, list[ExerciseResult]] = defaultdict(list)
    for g in graded:
        for exercise in g.report.exercises:
            if exercise.id in catalog.BY_ID:
                exercises[exercise.id].append(exercise)
    return exercises


class Histograms:
    """The score histograms, drawn by a process of their own while the rest is written.

    Drawing them (matplotlib's import, two figures laid out and rendered) is about half of
    the outputs' time, so :func:`grader.batch.outputs.write_all` starts this before it
    writes the students' reports and :func:`render` collects the ``<img>`` tags last. The
    process gets numbers only (scores), never a student's text. If it fails in any way,
    the histograms are drawn here: the page is the same bytes either way.
    """

    #: the helper process (tests point it elsewhere to see the fallback work)
    command = (sys.executable, "-m", "grader.batch.summary", "--histograms")

    def __init__(self, graded: list[Graded]) -> None:
        # by exercise: its results, the scores of those attempted, its most points
        self.exercises = _by_exercise(graded)
        self.attempted = {key: [e.score for e in self.exercises[key] if _attempted(e)]
                          for key in sorted(self.exercises)}
        self.tops = {key: max(e.max_score for e in self.exercises[key])
                     for key in self.exercises}
        self.totals = [g.report.percent for g in graded]
        self.per_exercise = {k: (self.tops[k], v) for k, v in self.attempted.items() if v}
        self.process: subprocess.Popen | None = None
        if not graded:
            return
        try:
            self.process = subprocess.Popen(
                [*self.command], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL)
        except OSError:
            return
        data = json.dumps({"totals": self.totals, "per_exercise": self.per_exercise})
        self._feeder = threading.Thread(target=self._feed, args=(data.encode(),), daemon=True)
        self._feeder.start()  # a large class's scores need not fit in the pipe's buffer

    def _feed(self, data: bytes) -> None:
        assert self.process is not None and self.process.stdin is not None
        with contextlib.suppress(OSError):
            self.process.stdin.write(data)
        with contextlib.suppress(OSError):
            self.process.stdin.close()

    def images(self) -> list[str]:
        """The ``<img>`` tags (from the helper process, or drawn here if it failed)."""
        if self.process is not None:
            try:
                data = self.process.stdout.read() if self.process.stdout else b""
                self.process.wait(timeout=60)
                self._feeder.join(timeout=5)
                tags = json.loads(data)
                if (self.process.returncode == 0 and isinstance(tags, list) and tags
                        and all(isinstance(tag, str) and tag.startswith(_IMG) for tag in tags)):
                    return tags
            except (OSError, ValueError, subprocess.TimeoutExpired):
                self.process.kill()
            finally:
                with contextlib.suppress(OSError):
                    self.process.stdout.close()
        return _histograms(self.totals, self.per_exercise)


def start_histograms(rows: Iterable[Row], reports: Mapping[str, Report | None] | None = None
                     ) -> Histograms:
    """Start drawing the histograms of these rows (see :class:`Histograms`)."""
    return Histograms(_graded(rows, reports))


_IMG = "<figure><img src=\"data:image/png;base64,"


def _distribution(graded: list[Graded], histograms: Histograms) -> list[str]:
    out = ["<section id=\"distribution\"><h2>Score distribution</h2>"]
    if not graded:
        out.append("<p>No graded submission.</p></section>")
        return out
    exercises, attempted, tops = histograms.exercises, histograms.attempted, histograms.tops
    out.extend(histograms.images())
    out.append("<table id=\"exercises\"><thead><tr><th>Exercise</th><th>Graded</th>"
               "<th>Not attempted</th><th>Mean (attempted)</th><th>Median</th>"
               "<th>Full marks</th><th>Max</th></tr></thead><tbody>")
    for key in sorted(exercises):
        results, scores = exercises[key], attempted[key]
        top = tops[key]
        full = sum(1 for e in results if e.max_score and e.score >= e.max_score - 1e-9)
        mean = _number(statistics.fmean(scores)) if scores else "-"
        median = _number(statistics.median(scores)) if scores else "-"
        out.append(f"<tr><td>{esc(key, 50)} {esc(catalog.get(key).title, 200)}</td>"
                   f"<td class=\"n\">{len(results)}</td>"
                   f"<td class=\"n\">{len(results) - len(scores)}</td>"
                   f"<td class=\"n\">{mean}</td><td class=\"n\">{median}</td>"
                   f"<td class=\"n\">{full}</td><td class=\"n\">{_number(top)}</td></tr>")
    out.append("</tbody></table></section>")
    return out


def failed_checks(graded: list[Graded]) -> list[tuple[str, str, int, int, Counter[str]]]:
    """``(exercise, check, students failing it, students graded on it, hint counts)``.

    Ranked by the students failing it (most first), then exercise and check name.
    """
    failing: Counter[tuple[str, str]] = Counter()
    seen: Counter[tuple[str, str]] = Counter()
    hint_counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for g in graded:
        for exercise in g.report.exercises:
            if not _attempted(exercise):
                continue
            for check in exercise.checks:
                key = (exercise.id, check.name)
                seen[key] += 1
                if _problem(check):
                    failing[key] += 1
                    hint_counts[key].update(dict.fromkeys(hints(check.feedback), 1))
    ranked = sorted(failing.items(), key=lambda item: (-item[1], item[0]))
    return [(ex, name, count, seen[(ex, name)], hint_counts[(ex, name)])
            for (ex, name), count in ranked]


def ranked_hints(graded: list[Graded]) -> list[tuple[str, str, int, int]]:
    """``(exercise, hint, students, checks)``: each hint by how many students triggered it.

    A student counts once per hint and exercise however many of their checks carry it;
    ``checks`` counts every failed check that carried it. Ranked by students, then checks,
    then exercise and hint.
    """
    students: Counter[tuple[str, str]] = Counter()
    checks: Counter[tuple[str, str]] = Counter()
    for g in graded:
        for exercise in g.report.exercises:
            mine: set[tuple[str, str]] = set()
            for check in exercise.checks:
                if _problem(check):
                    for hint in dict.fromkeys(hints(check.feedback)):
                        mine.add((exercise.id, hint))
                        checks[(exercise.id, hint)] += 1
            students.update(mine)
    ranked = sorted(students, key=lambda key: (-students[key], -checks[key], key))
    return [(ex, hint, students[(ex, hint)], checks[(ex, hint)]) for ex, hint in ranked]


def _checks_section(graded: list[Graded]) -> list[str]:
    ranked = failed_checks(graded)
    out = ["<section id=\"failed-checks\"><h2>Checks failed most often</h2>"]
    if not ranked:
        out.append("<p>No check failed.</p></section>")
        return out
    out.append("<table><thead><tr><th>Exercise</th><th>Check</th><th>Failed</th>"
               "<th>Hints in the feedback (students)</th></tr></thead><tbody>")
    for ex, name, count, seen, hint_counts in ranked[:TOP_CHECKS]:
        top = sorted(hint_counts.items(), key=lambda item: (-item[1], item[0]))[:3]
        text = "<br>".join(f"<span class=\"hint\">{esc(h, 500)}</span> ({n})" for h, n in top)
        out.append(f"<tr><td>{esc(ex, 50)}</td><td>{esc(name, 300)}</td>"
                   f"<td class=\"n\">{count} / {seen}</td><td>{text}</td></tr>")
    out.append("</tbody></table>" + _more(TOP_CHECKS, len(ranked), "checks") + "</section>")
    return out


def _hints_section(graded: list[Graded]) -> list[str]:
    ranked = ranked_hints(graded)
    out = ["<section id=\"misconceptions\"><h2>Mistakes by the number of students</h2>",
           "<p>The hints the grader gave (a hint names a known mistake), each counted once "
           "per student.</p>"]
    if not ranked:
        out.append("<p>No hint was given.</p></section>")
        return out
    out.append("<table><thead><tr><th>Students</th><th>Exercise</th><th>Hint</th>"
               "<th>Checks</th></tr></thead><tbody>")
    for ex, hint, students, checks in ranked[:TOP_HINTS]:
        out.append(f"<tr><td class=\"n\">{students}</td><td>{esc(ex, 50)}</td>"
                   f"<td class=\"hint\">{esc(hint, 500)}</td><td class=\"n\">{checks}</td></tr>")
    out.append("</tbody></table>" + _more(TOP_HINTS, len(ranked), "hints") + "</section>")
    return out


def _slowest_section(rows: list[Row], graded: list[Graded]) -> list[str]:
    reports = {g.row.student: g.report for g in graded}
    ranked = sorted((r for r in rows if r.duration_s > 0),
                    key=lambda r: (-r.duration_s, r.student))
    out = ["<section id=\"slowest\"><h2>Slowest submissions</h2>"]
    if not ranked:
        out.append("<p>No grading time recorded.</p></section>")
        return out
    out.append("<table><thead><tr><th>Student</th><th>Grading time</th>"
               "<th>Slowest check</th></tr></thead><tbody>")
    for row in ranked[:TOP_SLOWEST]:
        slowest = ""
        report = reports.get(row.student)
        if report is not None:
            checks = [(c.duration_s, e.id, c.name, c.status) for e in report.exercises
                      for c in e.checks]
            if checks:
                duration, ex, name, status = max(checks, key=lambda c: (c[0], c[1], c[2]))
                slowest = (f"{esc(ex, 50)} · {esc(name, 300)}: {duration:.2f} s "
                           f"<span class=\"{status}\">{status}</span>")
        out.append(f"<tr><td>{esc(row.student, 500)}</td><td class=\"n\">"
                   f"{row.duration_s:.2f} s</td><td>{slowest}</td></tr>")
    out.append("</tbody></table></section>")
    return out


def _errors_section(rows: list[Row], graded: list[Graded]) -> list[str]:
    lines: list[tuple[str, str, str, str, str]] = []
    for row in rows:
        if row.status != GRADED:
            lines.append((row.student, "", "", row.status, _first_line(row.message or "")))
    for g in graded:
        for exercise in g.report.exercises:
            if exercise.status == "error" and exercise.message:
                lines.append((g.row.student, exercise.id, "", "error",
                              _first_line(exercise.message)))
            for check in exercise.checks:
                if check.status in ("error", "timeout") and _problem(check):
                    lines.append((g.row.student, exercise.id, check.name, check.status,
                                  _first_line(check.feedback)))
    lines.sort()
    counts = Counter(line[3] for line in lines)
    out = ["<section id=\"errors\"><h2>Errors and timeouts</h2>"]
    if not lines:
        out.append("<p>None.</p></section>")
        return out
    out.append("<p>" + ", ".join(f"{n} {esc(status.replace('_', ' '))}"
                                 for status, n in sorted(counts.items())) + "</p>")
    out.append("<table><thead><tr><th>Student</th><th>Exercise</th><th>Check</th>"
               "<th>Status</th><th>What happened</th></tr></thead><tbody>")
    for student, ex, check, status, text in lines[:TOP_ERRORS]:
        out.append(f"<tr><td>{esc(student, 500)}</td><td>{esc(ex, 50)}</td>"
                   f"<td>{esc(check, 300)}</td><td class=\"{esc(status, 30)}\">"
                   f"{esc(status.replace('_', ' '), 30)}</td><td>{esc(text, 400)}</td></tr>")
    out.append("</tbody></table>" + _more(TOP_ERRORS, len(lines), "lines") + "</section>")
    return out


def compared_sources(graded: list[Graded], sources: Mapping[str, Mapping[str, str]]
                     ) -> tuple[list[tuple[str, str, str]], int]:
    """``(student, exercise, text)`` of every attempted exercise, and the rows without code."""
    triples, missing = [], 0
    for g in graded:
        texts = sources.get(g.row.content_hash)
        if texts is None:
            missing += 1
            continue
        for exercise in g.report.exercises:
            if _attempted(exercise) and exercise.id in texts:
                triples.append((g.row.student, exercise.id, texts[exercise.id]))
    return triples, missing


def _similarity_section(graded: list[Graded], sources: Mapping[str, Mapping[str, str]]
                        ) -> list[str]:
    triples, missing = compared_sources(graded, sources)
    compared = Counter(exercise for _, exercise, _ in triples)
    pairs = similarity.all_pairs(triples)
    out = ["<section id=\"similarity\"><h2>Similar code</h2>",
           f"<p>Pairs of submissions of the same exercise whose code is alike: the share of "
           f"the smaller one's fingerprints (runs of {similarity.K} tokens, names, numbers "
           f"and strings made equal, winnowed) found in the other is at least "
           f"{similarity.THRESHOLD:.0%} and they share at least {similarity.MIN_SHARED} "
           "fingerprints. The stub's own code, imports, comments and docstrings are left "
           "out. A listed pair is a reason to read both, not proof of copying.</p>"]
    if missing:
        out.append(f"<p class=\"more\">{missing} graded submissions have no code stored "
                   "(graded by an older grader): run <code>grade batch</code> on the folder "
                   "again to compare them.</p>")
    out.append("<table id=\"similarity-exercises\"><thead><tr><th>Exercise</th>"
               "<th>Compared</th><th>Pairs listed</th></tr></thead><tbody>")
    for exercise in sorted(compared):
        out.append(f"<tr><td>{esc(exercise, 50)}</td><td class=\"n\">{compared[exercise]}"
                   f"</td><td class=\"n\">{len(pairs.get(exercise, []))}</td></tr>")
    out.append("</tbody></table>")
    for exercise, found in pairs.items():
        if not found:
            continue
        out.append(f"<h3>{esc(exercise, 50)}</h3><table class=\"pairs\" "
                   f"data-exercise=\"{esc(exercise, 50)}\"><thead><tr><th>Student</th>"
                   "<th>Student</th><th>Similarity</th><th>Shared fingerprints</th>"
                   "</tr></thead><tbody>")
        for pair in found[:TOP_PAIRS]:
            out.append(f"<tr><td>{esc(pair.first, 500)}</td><td>{esc(pair.second, 500)}</td>"
                       f"<td class=\"n\">{pair.score:.0%}</td><td class=\"n\">{pair.shared} "
                       f"of {pair.sizes[0]} / {pair.sizes[1]}</td></tr>")
        out.append("</tbody></table>" + _more(TOP_PAIRS, len(found), "pairs"))
    out.append("</section>")
    return out


def render(rows: list[Row], sources: Mapping[str, Mapping[str, str]],
           due: datetime | None = None, *, reports: Mapping[str, Report | None] | None = None,
           histograms: Histograms | None = None) -> str:
    """Return ``summary.html`` for the database's rows and stored sources.

    ``due`` is the batch's due date, stated on the page (the scores here are all the
    points, after_due checks included: the page is the instructor's). ``reports``: the
    rows' reports already rebuilt (:func:`read_report`), by student. ``histograms``: the
    figures already started (:class:`Histograms`, from the same rows); by default they are
    started here and collected after every other section.
    """
    graded = _graded(rows, reports)
    if histograms is None:
        histograms = Histograms(graded)
    out = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "style-src 'unsafe-inline'; img-src data:\">",
           f"<title>grade batch · summary</title><style>{CSS}</style></head><body>",
           "<h1>grade batch · summary</h1>",
           "<nav><a href=\"#distribution\">Scores</a><a href=\"#failed-checks\">Failed "
           "checks</a><a href=\"#misconceptions\">Mistakes</a><a href=\"#slowest\">Slowest"
           "</a><a href=\"#errors\">Errors</a><a href=\"#similarity\">Similar code</a></nav>"]
    out += _overview(rows, graded, due)
    rest = [*_checks_section(graded), *_hints_section(graded), *_slowest_section(rows, graded),
            *_errors_section(rows, graded), *_similarity_section(graded, sources)]
    out += _distribution(graded, histograms)  # the figures last: they are drawn meanwhile
    out += rest
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _histograms_process() -> None:
    """``python -m grader.batch.summary --histograms``: scores on stdin, tags on stdout."""
    data = json.loads(sys.stdin.buffer.read())
    per_exercise = {str(k): (float(top), [float(x) for x in scores])
                    for k, (top, scores) in data["per_exercise"].items()}
    tags = _histograms([float(x) for x in data["totals"]], per_exercise)
    sys.stdout.write(json.dumps(tags))


if __name__ == "__main__" and sys.argv[1:] == ["--histograms"]:
    _histograms_process()
