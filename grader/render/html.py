"""The ``html`` format: one standalone page (no network), figures inline, checks collapsible.

Everything is in the page: the CSS inline, the plot exercises' figures as ``data:`` URIs,
no script. Student text is made safe (:func:`grader.render.common.clean`) and then
HTML-escaped; a figure is shown only when its data really is a PNG. It shows the student's
view (:func:`grader.detail.for_student`), each check labelled ``public`` or ``hidden`` (and
``summary`` when its values are not shown).
"""

from __future__ import annotations

import base64
import binascii
import html

from grader.detail import for_student
from grader.render.common import checks_of, clean, notes, points, summary, tag
from grader.report import Figure, Report

_PNG = b"\x89PNG\r\n\x1a\n"

CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:60em;padding:0 1em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin:1.5em 0 .3em}
.score{font-size:1.2em;font-weight:bold}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.2em .8em;text-align:left}
tr:nth-child(even){background:#f4f4f4}
.passed{color:#17692b}.partial{color:#8a6100}.failed,.error,.timeout{color:#b00020}
.not_attempted,.withheld{color:#777}.manual{color:#0b5aa5}
.tag{color:#666;font-size:.85em}.note{color:#555}
.diagnosis{font-weight:bold;color:#8a6100}
details{margin:.2em 0 .2em 1em}summary{cursor:pointer}
pre{background:#f6f6f6;padding:.6em;white-space:pre-wrap;overflow-wrap:anywhere}
figure{margin:1em 0}img{max-width:100%;border:1px solid #ddd}
""".strip()


def esc(value: object, limit: int | None = 20_000) -> str:
    """Return student text safe inside HTML text or an attribute value."""
    return html.escape(clean(value, limit=limit), quote=True)


def _figure(figure: Figure) -> str:
    try:
        data = base64.b64decode(figure.png_base64, validate=True)
    except (binascii.Error, ValueError):
        data = b""
    caption = esc(figure.caption, limit=500)
    if not data.startswith(_PNG):
        return f"<p class=\"error\">Figure {caption}: not a PNG image</p>"
    uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    return (f"<figure><img src=\"{uri}\" alt=\"{caption}\">"
            f"<figcaption>{caption}</figcaption></figure>")


def render(report: Report) -> str:
    """Return the report (the student's view of it) as one standalone HTML page."""
    report = for_student(report)
    title = f"grade · {esc(report.submission, limit=500)}"
    out = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
           # no network, no script: only inline styles and data: images
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "style-src 'unsafe-inline'; img-src data:\">",
           f"<title>{title}</title><style>{CSS}</style></head><body>",
           f"<h1>{title}</h1>",
           f"<p class=\"score\" id=\"score\">{html.escape(summary(report))}</p>",
           *(f"<p class=\"note\">{esc(line, 1_000)}</p>" for line in notes(report))]
    if report.sandbox is not None:
        missing = ", ".join(report.sandbox.missing)
        out.append(f"<p>Sandbox: {esc(report.sandbox.level)}"
                   + (f" (missing: {esc(missing)})" if missing else "") + "</p>")
    out.append("<table><thead><tr><th>Exercise</th><th>Score</th><th>Status</th></tr></thead>"
               "<tbody>")
    for exercise in report.exercises:
        ex_id = esc(exercise.id, 50)
        out.append(f"<tr><td><a href=\"#{ex_id}\">{ex_id}</a> "
                   f"{esc(exercise.title, 500)}</td><td>{points(exercise.score)} / "
                   f"{points(exercise.max_score)}</td><td class=\"{exercise.status}\">"
                   f"{exercise.status.replace('_', ' ')}</td></tr>")
    out.append("</tbody></table>")
    for exercise in report.exercises:
        ex_id = esc(exercise.id, 50)
        out.append(f"<section id=\"{ex_id}\"><h2>{ex_id} · "
                   f"{esc(exercise.title, 500)}: {points(exercise.score)} / "
                   f"{points(exercise.max_score)} <span class=\"{exercise.status}\">"
                   f"{exercise.status.replace('_', ' ')}</span></h2>")
        if exercise.diagnosis:  # the cause first: fix it once, not each check it broke
            out.append(f"<p class=\"diagnosis\">→ {esc(exercise.diagnosis, 2_000)}</p>")
        if exercise.message:
            out.append(f"<pre class=\"error\">{esc(exercise.message)}</pre>")
        for check in checks_of(exercise):
            label = tag(check)
            line = (f"<span class=\"{check.status}\">{check.status}</span> "
                    f"{esc(check.name, 500)}"
                    + (f" <span class=\"tag\">{esc(label)}</span>" if label else "")
                    + ("" if check.status == "withheld"
                       else f": {points(check.score)} / {points(check.max_score)}"))
            if check.feedback:
                out.append(f"<details{' open' if check.status != 'passed' else ''}>"
                           f"<summary>{line}</summary><pre>{esc(check.feedback)}</pre>"
                           "</details>")
            else:
                out.append(f"<details><summary>{line}</summary></details>")
        if exercise.written is not None:
            out.append("<details><summary>Written answer (graded by hand)</summary>"
                       f"<pre>{esc(exercise.written)}</pre></details>")
        out.extend(_figure(figure) for figure in exercise.figures)
        out.append("</section>")
    out.append(f"<p><small>{report.duration_s:.1f} s · grader "
               f"{esc(report.grader_version, 100)} · same cases again: --seed "
               f"{report.seed}</small></p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
