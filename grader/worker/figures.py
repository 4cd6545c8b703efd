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


def _axes(axes: Any) -> dict:
    legend = axes.get_legend()
    return {
        "title": str(axes.get_title()),
        "xlabel": str(axes.get_xlabel()),
        "ylabel": str(axes.get_ylabel()),
        "xlim": [float(v) for v in axes.get_xlim()],
        "ylim": [float(v) for v in axes.get_ylim()],
        "xscale": str(axes.get_xscale()),
        "yscale": str(axes.get_yscale()),
        "lines": [_line(line) for line in axes.get_lines()[:MAX_LINES]],
        "legend": [str(t.get_text()) for t in legend.get_texts()] if legend else [],
        "collections": len(axes.collections),
    }


def describe_figure(figure: Any, *, dpi: int = 72) -> dict | None:
    """Return ``{"png": bytes, "title": str, "axes": [...]}``, or None if not a Figure."""
    from matplotlib.figure import Figure

    if not isinstance(figure, Figure):
        return None
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)  # render with Agg whatever backend the student picked
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    suptitle = figure._suptitle.get_text() if getattr(figure, "_suptitle", None) else ""
    facts = {"png": buffer.getvalue(), "title": str(suptitle),
             "axes": [_axes(a) for a in figure.get_axes()]}
    import matplotlib.pyplot as plt

    plt.close(figure)
    return facts
