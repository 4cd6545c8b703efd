"""The report formats: golden files on a fixed report, and hostile student text everywhere.

Each format is read back by the tool that consumes it (junitparser, json, html.parser,
markdown-it, the Actions command syntax, headless Chromium). ``UPDATE_GOLDEN=1`` rewrites
the golden files; otherwise the output must equal them exactly.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import junitparser
import pytest
from markdown_it import MarkdownIt

from grader.render import FORMATS, render
from grader.render import github as github_format
from grader.render import markdown as markdown_format
from grader.report import CheckResult, ExerciseResult, Figure, Report, Sandbox

GOLDEN = Path(__file__).parent / "golden" / "render"
NEW_FORMATS = ("junit", "markdown", "html", "gradescope", "github", "classroom")
SUFFIX = {"junit": "xml", "markdown": "md", "html": "html", "gradescope": "json",
          "github": "txt", "classroom": "json"}
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAADklEQVR4nGP4zwAEcAIAGvQC/v0BV80AAAAAS"
       "UVORK5CYII=")
SOURCES = {"ex10": "import numpy as np\n\n\ndef entropy(p):\n    return -np.sum(p * np.log2(p))\n"
                   "\n\ndef cross_entropy(p, q):\n    raise ValueError('no')\n\n\n"
                   "def kl_divergence(p, q):\n    while True:\n        pass\n"}


DIAGNOSIS = "one mistake, two checks: you used log2 (bits) instead of the natural log (nats)"


def fixed_report() -> Report:
    """A report with a passed, failed, error, timeout and manual check, a figure, a diagnosis;
    public and hidden checks, one of which shows only a summary to students."""  # noqa: D209
    ex10 = ExerciseResult("ex10", "Entropy, cross-entropy and KL from scratch", 2.0, 8.0,
                          "partial", (
        CheckResult("entropy matches the reference", 2.0, 2.0, "passed", "", 0.012, "public"),
        CheckResult("entropy is in nats", 0.0, 2.0, "failed",
                    "case: uniform over 4 outcomes\nreturned: 2.0\nexpected: 1.3863\n"
                    "hint: you used log2 (bits) instead of the natural log (nats)", 0.02,
                    "public"),
        CheckResult("cross_entropy matches the reference", 0.0, 2.0, "error",
                    "cross_entropy() raised ValueError: no\n"
                    '  File "ex10.py", line 9, in cross_entropy\n'
                    "    raise ValueError('no')", 0.003, "hidden"),
        CheckResult("kl_divergence matches the reference", 0.0, 2.0, "timeout",
                    "kl_divergence() took longer than 10 s and was stopped\n"
                    "Hint: a loop over the outcomes must end", 10.0, "hidden", "summary"),
    ), diagnosis=DIAGNOSIS)
    ex03 = ExerciseResult("ex03", "Entropy of a coin", 4.0, 4.0, "passed", (
        CheckResult("binary entropy", 4.0, 4.0, "passed", "", 0.01, "hidden"),
        CheckResult("written answer", 0.0, 0.0, "manual", "", 0.0),
    ), written="The entropy peaks at p = 1/2.",
        figures=(Figure("binary entropy against p", PNG),))
    ex05 = ExerciseResult("ex05", "Jensen's inequality", 0.0, 6.0, "error", (),
                          message="ex05.py does not import: SyntaxError: invalid syntax "
                                  "(ex05.py, line 3)")
    ex06 = ExerciseResult("ex06", "Mutual information", 0.0, 5.0, "not_attempted", (
        CheckResult("mutual_information matches the reference", 0.0, 5.0, "failed",
                    "mutual_information() is not implemented yet", 0.0),))
    return Report("exercises", 1234, 6.0, 23.0, 12.5, "0.1.0", (ex03, ex05, ex06, ex10),
                  Sandbox("partial", ("landlock",)))


HOSTILE = ("\x1b[31mRED\x1b[0m <script>alert(1)</script> <img src=x onerror=alert(1)> ]]> "
           "\x00 nul \ud800 lone \udfff \u202egnp.exe | a | b | `tick` ``` **bold** "
           "[link](javascript:alert(1)) %0A 100% \r\n::warning::injected\n::error file=x::y "
           "& \"quote\" 'single' \x7f \x9b \ufffe\uffff </pre></details></td></table> "
           "<!-- --> # heading\n---\n")
MEGA = "A" * 1_000_000


def hostile_report() -> Report:
    """Student text in every field that can carry it, and a megabyte line."""
    checks = tuple(CheckResult(f"{HOSTILE} check {status}", 0.0, 1.0, status,
                               HOSTILE + ' File "ex10.py", line 4, in entropy\n' + HOSTILE)
                   for status in ("failed", "error", "timeout"))
    checks += (CheckResult("mega", 0.0, 1.0, "failed", MEGA + HOSTILE),
               CheckResult(HOSTILE, 0.0, 0.0, "manual", HOSTILE))
    exercise = ExerciseResult("ex10", HOSTILE, 0.0, 4.0, "failed", checks,
                              written=HOSTILE + MEGA,
                              figures=(Figure(HOSTILE, PNG), Figure(HOSTILE, HOSTILE)),
                              diagnosis=HOSTILE + MEGA)
    broken = ExerciseResult("ex1\x1b<script>\ud800²", "Broken", 0.0, 3.0, "error", (),
                            message=HOSTILE + MEGA)
    return Report(HOSTILE, 7, 0.0, 7.0, 1.0, HOSTILE, (exercise, broken),
                  Sandbox("partial", (HOSTILE,)))


def _golden(name: str, text: str) -> None:
    path = GOLDEN / f"report.{name}.{SUFFIX[name]}"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8")


def test_every_format_is_registered():
    # the notebook format rewrites a notebook (random cell ids): tests/test_notebook.py
    assert set(NEW_FORMATS) | {"table", "json", "notebook"} == set(FORMATS)


@pytest.mark.parametrize("name", NEW_FORMATS)
def test_golden(name):
    _golden(name, render(name, fixed_report(), sources=SOURCES))


# -- consumers -----------------------------------------------------------------------------
def _junit(text: str) -> junitparser.JUnitXml:
    return junitparser.JUnitXml.fromstring(text.encode("utf-8"))


def test_junit_reads_back_with_junitparser():
    xml = _junit(render("junit", fixed_report()))
    suites = {suite.name: suite for suite in xml}
    ex10 = suites["ex10 Entropy, cross-entropy and KL from scratch"]
    assert (ex10.tests, ex10.failures, ex10.errors, ex10.skipped) == (4, 1, 2, 0)
    cases = {case.name: case for case in ex10}
    assert cases["entropy matches the reference"].is_passed
    failure = cases["entropy is in nats"].result[0]
    assert isinstance(failure, junitparser.Failure) and "log2" in failure.text
    assert isinstance(cases["kl_divergence matches the reference"].result[0], junitparser.Error)
    props = {p.name: p.value for p in ex10.properties()}
    assert props["score"] == "2" and props["max_score"] == "8"
    assert props["points: entropy is in nats"] == "0/2"
    assert props["diagnosis"] == DIAGNOSIS
    assert "diagnosis" not in {p.name for p in suites["ex03 Entropy of a coin"].properties()}
    ex03 = suites["ex03 Entropy of a coin"]
    assert ex03.skipped == 1
    assert isinstance({c.name: c for c in ex03}["written answer"].result[0],
                      junitparser.Skipped)
    # an exercise that did not import still has a test case that says why
    ex05 = suites["ex05 Jensen's inequality"]
    assert ex05.errors == 1 and "SyntaxError" in next(iter(ex05)).result[0].text


def test_gradescope_follows_the_results_spec():
    data = json.loads(render("gradescope", fixed_report()))
    assert {"score", "execution_time", "output", "output_format", "visibility",
            "stdout_visibility", "tests"} <= set(data)
    assert data["score"] == 6.0 and isinstance(data["execution_time"], int)
    assert data["output_format"] in ("text", "html", "simple_format", "md", "ansi")
    for test in data["tests"]:
        assert {"name", "number", "score", "max_score", "status", "output",
                "visibility"} <= set(test)
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in ("hidden", "after_due_date", "after_published", "visible")
        assert 0 <= test["score"] <= test["max_score"]
    assert sum(t["max_score"] for t in data["tests"]) == 23.0
    assert sum(t["score"] for t in data["tests"]) == data["score"]
    nats = next(t for t in data["tests"] if t["name"].endswith("entropy is in nats"))
    assert (nats["number"], nats["status"], nats["score"]) == ("10.2", "failed", 0.0)
    assert "log2" in nats["output"]
    lines = data["output"].splitlines()  # the diagnosis sits under its exercise's line
    assert lines[lines.index("ex10: 2 / 8 partial") + 1] == f"  → {DIAGNOSIS}"
    assert data["output"].count("→") == 1


def test_classroom_follows_the_reporter_format():
    data = json.loads(render("classroom", fixed_report(), sources=SOURCES))
    assert (data["version"], data["status"], data["max_score"]) == (1, "error", 23.0)
    for test in data["tests"]:
        assert set(test) == {"name", "status", "message", "test_code", "filename", "line_no",
                             "duration", "score"}
        assert test["status"] in ("pass", "fail", "error")
    by_name = {t["name"]: t for t in data["tests"]}
    assert by_name["ex10: cross_entropy matches the reference [hidden]"]["line_no"] == 9
    assert by_name["ex10: entropy is in nats [public]"]["line_no"] == 4  # def entropy
    assert by_name["ex10: entropy is in nats [public]"]["filename"] == "exercises/ex10.py"
    assert sum(t["score"] for t in data["tests"]) == 6.0
    assert "written answer" not in json.dumps(data)  # manual checks carry no points here
    passing = Report("x", 1, 1.0, 1.0, 0.1, "0.1.0", (ExerciseResult(
        "ex01", "t", 1.0, 1.0, "passed", (CheckResult("c", 1.0, 1.0, "passed"),)),))
    assert json.loads(render("classroom", passing))["status"] == "pass"


def test_github_commands_point_at_the_students_lines():
    lines = render("github", fixed_report(), sources=SOURCES).splitlines()
    assert all(line.startswith(("::error ", "::notice ")) for line in lines)
    by_title = {re.search(r"title=([^,:]*)", line)[1]: line for line in lines}
    error = next(v for k, v in by_title.items() if "cross_entropy" in k)
    assert "file=exercises/ex10.py,line=9," in error  # the traceback's line
    nats = next(v for k, v in by_title.items() if "in nats" in k)
    assert "file=exercises/ex10.py,line=4," in nats  # def entropy
    assert "%0A" in nats and "\n" not in nats
    assert lines[-1].startswith("::notice title=grade::Score 6 / 23")
    diagnosis = [line for line in lines if "one mistake behind several checks" in line]
    assert diagnosis == ["::error file=exercises/ex10.py,title=ex10%3A one mistake behind "
                         f"several checks::{DIAGNOSIS}"]
    assert lines.index(diagnosis[0]) < lines.index(nats)  # the cause before its checks
    # without the sources, a check with no traceback has no line (the file only)
    plain = render("github", fixed_report())
    assert re.search(r"::error file=exercises/ex10.py,title=ex10%3A entropy is in nats", plain)


def test_github_escapes_command_syntax():
    assert github_format.escape_data("50%\r\n::x") == "50%25%0D%0A::x"
    assert github_format.escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_github_step_summary_is_appended(tmp_path):
    target = tmp_path / "summary.md"
    target.write_text("before\n")
    assert github_format.append_step_summary(fixed_report(),
                                             {"GITHUB_STEP_SUMMARY": str(target)})
    text = target.read_text()
    assert text.startswith("before\n") and "Score 6 / 23" in text
    assert not github_format.append_step_summary(fixed_report(), {})


def test_markdown_renders_tables_and_feedback():
    text = render("markdown", fixed_report())
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    assert rendered.count("<table>") == 1 + 2  # the summary, ex03 and ex10
    assert "hint: you used log2" in rendered
    assert "not_attempted" not in text and "Not attempted" in text
    assert f"<blockquote>\n<p><strong>→ {DIAGNOSIS}</strong></p>" in rendered
    assert rendered.index(DIAGNOSIS) < rendered.index("hint: you used log2")


def test_markdown_fits_a_comment_and_says_it_was_cut():
    checks = tuple(CheckResult(f"check {i}", 0.0, 1.0, "failed", f"line {i} " * 600)
                   for i in range(60))
    big = Report("x", 1, 0.0, 60.0, 1.0, "0.1.0", tuple(
        ExerciseResult(f"ex{n:02d}", "t", 0.0, 60.0, "failed", checks) for n in (1, 2, 3)))
    text = markdown_format.render(big)
    assert len(text) <= markdown_format.LIMIT
    assert "Report truncated" in text and text.count("```") % 2 == 0
    assert "| ex03 t | 0 / 60 |" in text  # the summary table survives


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.imgs: list[dict] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "img":
            self.imgs.append(dict(attrs))

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_standalone_with_inline_figure_and_details():
    page = render("html", fixed_report())
    parser = _Collect()
    parser.feed(page)
    assert "script" not in parser.tags and "link" not in parser.tags
    assert parser.tags.count("details") == 9  # 8 checks (one stands for ex05) + written
    assert [img["src"] for img in parser.imgs] == [f"data:image/png;base64,{PNG}"]
    assert "http://" not in page and "https://" not in page
    assert "Score 6 / 23 (26.1 %)" in "".join(parser.text)
    assert f'<p class="diagnosis">→ {DIAGNOSIS}</p>' in page
    assert page.count('class="diagnosis"') == 1


# -- hostile text ----------------------------------------------------------------------------
RAW_FORBIDDEN = ("\x1b", "\x00", "\u202e", "\x9b", "\x7f", "\ufffe")


@pytest.fixture(scope="module")
def hostile_outputs():
    report = hostile_report()
    return {name: render(name, report, sources={"ex10": HOSTILE}) for name in NEW_FORMATS}


@pytest.mark.parametrize("name", NEW_FORMATS)
def test_hostile_text_is_made_harmless(hostile_outputs, name):
    text = hostile_outputs[name]
    text.encode("utf-8")  # strict: no lone surrogate survives
    for char in RAW_FORBIDDEN:
        assert char not in text, (name, char)
    assert not re.search("[\ud800-\udfff]", text)
    assert len(text) < 400_000  # the megabyte line was cut
    assert "characters cut" in text  # grader.text says how much of the line was cut


def test_hostile_junit_parses_and_keeps_no_tag(hostile_outputs):
    text = hostile_outputs["junit"]
    xml = _junit(text)
    assert sum(suite.tests for suite in xml) == 6
    assert "<script" not in text and "]]>" not in text


def test_hostile_json_formats_parse(hostile_outputs):
    for name in ("gradescope", "classroom"):
        data = json.loads(hostile_outputs[name])
        assert data["tests"]


def test_hostile_html_has_no_injected_tag(hostile_outputs):
    parser = _Collect()
    parser.feed(hostile_outputs["html"])
    assert set(parser.tags) <= {"html", "head", "meta", "title", "style", "body", "h1", "p",
                                "table", "thead", "tbody", "tr", "th", "td", "a", "section",
                                "h2", "span", "pre", "details", "summary", "figure", "img",
                                "figcaption", "small"}
    assert len(parser.imgs) == 1  # the one figure whose data is not a PNG is not shown
    assert all(set(img) == {"src", "alt"} for img in parser.imgs)


def test_hostile_markdown_renders_no_tag_or_link(hostile_outputs):
    html = MarkdownIt("commonmark").enable("table").render(hostile_outputs["markdown"])
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert "<h1" not in html and "<strong>bold" not in html


def test_hostile_github_cannot_inject_commands(hostile_outputs):
    lines = hostile_outputs["github"].splitlines()
    assert len(lines) == 7  # five checks lost points, the diagnosis, the notice, nothing else
    assert all(line.startswith(("::error file=", "::notice title=")) for line in lines)
    assert "%0D%0A::warning::injected%0A::error file=x::y" not in hostile_outputs["github"]
    assert "\\r%0A::warning::injected%0A::error file=x::y" in hostile_outputs["github"]
    for line in lines:  # parsed as the Actions runner does: split on ',' then on one '='
        name, _, properties = line.split("::")[1].partition(" ")
        keys = [item.split("=", 1)[0] for item in properties.split(",")]
        assert keys in (["file", "line", "title"], ["file", "title"], ["title"]), (name, keys)


# -- the HTML page in a real browser ---------------------------------------------------------
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _chromium(page: Path, profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-extensions", f"--user-data-dir={profile}",
         "--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_html_renders_in_headless_chromium(tmp_path, hostile_outputs):
    for name, text in (("fixed", render("html", fixed_report())),
                       ("hostile", hostile_outputs["html"])):
        page = tmp_path / f"{name}.html"
        page.write_text(text, encoding="utf-8")
        done = _chromium(page, tmp_path / f"profile-{name}")
        assert done.returncode == 0, done.stderr[-2000:]
        assert "</section>" in done.stdout
        console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
        assert console == [], console
        if name == "fixed":
            assert "Score 6 / 23 (26.1 %)" in done.stdout
            assert 'src="data:image/png;base64,' in done.stdout
        else:
            assert "<script" not in done.stdout.split("</head>", 1)[1]
