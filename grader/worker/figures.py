"""Turn a matplotlib figure into plain data in the worker: PNG bytes plus the facts checks need.

Runs in the untrusted child; only numbers, strings and PNG bytes leave it.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

MAX_LINES = 50
MAX_POINTS = 20_000


def _line(line: Any) -> dict:
    x = np.asarray(line.get_xdata(), dtype=np.float64).reshape(-1)[:MAX_POINTS]
    y = np.asarray(line.get_ydata(), dtype=np.float64).reshape(-1)[:MAX_POINTS]
    return {"label": str(line.get_label()), "x": x, "y": y}


def _legend_entries(legend: Any, lines: list) -> list[tuple[str, int]]:
    """Each legend entry's text and the index of the line it stands for (-1: not a line)."""
    handles = getattr(legend, "legend_handles", None) or getattr(legend, "legendHandles", [])
    texts = [str(t.get_text()) for t in legend.get_texts()]
    entries = []
    for position, text in enumerate(texts):
        index = -1
        if position < len(handles):
            handle = handles[position]
            for i, line in enumerate(lines):  # a legend shows a copy of the line: match it
                if line is handle or (getattr(handle, "get_label", None)
                                      and handle.get_label() == line.get_label()
                                      and not line.get_label().startswith("_")):
                    index = i
                    break
        entries.append((text, index))
    if entries and all(i == -1 for _, i in entries) and len(entries) <= len(lines):
        # ax.legend(["a", "b"]) labels the lines in order without naming them
        entries = [(text, i) for i, (text, _) in enumerate(entries)]
    return entries


def _axes(axes: Any, figure_legends: list) -> dict:
    lines = axes.get_lines()[:MAX_LINES]
    entries = _legend_entries(axes.get_legend(), lines) if axes.get_legend() else []
    for legend in figure_legends:  # fig.legend(): keep the entries whose lines are here
        entries += [(t, i) for t, i in _legend_entries(legend, lines) if i >= 0]
    return {
        "title": str(axes.get_title()),
        "xlabel": str(axes.get_xlabel()),
        "ylabel": str(axes.get_ylabel()),
        "xlim": [float(v) for v in axes.get_xlim()],
        "ylim": [float(v) for v in axes.get_ylim()],
        "xscale": str(axes.get_xscale()),
        "yscale": str(axes.get_yscale()),
        "lines": [_line(line) for line in lines],
        "legend": [text for text, _ in entries],
        "legend_lines": [index for _, index in entries],
        "collections": len(axes.collections),
    }


def describe_figure(figure: Any, *, dpi: int = 72, png: bool = True) -> dict | None:
    """Return ``{"png": bytes, "title": str, "axes": [...]}``, or None if not a Figure.

    With ``png=False`` the figure is not rendered (``"png"`` is None): drawing it is most of
    the cost, and the facts (lines, labels, limits, legend) do not need it.
    """
    from matplotlib.figure import Figure

    if not isinstance(figure, Figure):
        return None
    rendered = None
    if png:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(figure)  # render with Agg whatever backend the student picked
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi)
        rendered = buffer.getvalue()
    suptitle = figure._suptitle.get_text() if getattr(figure, "_suptitle", None) else ""
    facts = {"png": rendered, "title": str(suptitle),
             "axes": [_axes(a, list(figure.legends)) for a in figure.get_axes()]}
    import matplotlib.pyplot as plt

    plt.close(figure)
    return facts
