"""Trusted side of figures: validate what the worker says about a student's plot.

The worker renders the figure and extracts its facts (:mod:`grader.worker.figures`);
here they are checked to be plain data of the right shape before any check reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.problems import BadResult


@dataclass(frozen=True)
class LineFacts:
    """One plotted line."""

    label: str
    x: np.ndarray
    y: np.ndarray


@dataclass(frozen=True)
class AxesFacts:
    """One panel of a figure."""

    title: str
    xlabel: str
    ylabel: str
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    xscale: str
    yscale: str
    lines: tuple[LineFacts, ...]
    legend: tuple[str, ...]
    collections: int
    legend_lines: tuple[int, ...] = ()  # per legend entry, the index of its line (-1: none)

    def labelled_lines(self) -> list[LineFacts]:
        """Lines with a label of their own (matplotlib names unlabelled ones ``_child0``)."""
        return [line for line in self.lines if line.label and not line.label.startswith("_")]

    def legend_for(self, line: LineFacts) -> str | None:
        """Return the legend text naming a line, or None when the legend does not show it.

        Works for ``ax.legend()``, ``ax.legend([...])`` and ``fig.legend()`` alike.
        """
        for text, index in zip(self.legend, self.legend_lines, strict=True):
            if 0 <= index < len(self.lines) and self.lines[index] is line:
                return text
        return None


@dataclass(frozen=True)
class FigureFacts:
    """A figure: its PNG (None when not asked for) and the facts checks read."""

    png: bytes | None
    title: str
    axes: tuple[AxesFacts, ...]


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise BadResult("the figure's description is malformed")
    return value[:500]


def _pair(value: Any) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise BadResult("the figure's description is malformed")
    return float(value[0]), float(value[1])


def _array(value: Any) -> np.ndarray:
    if not isinstance(value, np.ndarray) or value.ndim != 1:
        raise BadResult("the figure's description is malformed")
    return value.astype(np.float64)


def parse_figure(answer: dict, *, what: str, png: bool = True) -> FigureFacts:
    """Build FigureFacts from a ``figure`` answer; raise BadResult when it is not one.

    ``png``: whether the PNG was asked for (it must then be one; otherwise it must be absent).
    """
    data = answer.get("figure")
    if data is None:
        kind = _text(answer.get("type", "value"))
        kind = "None" if kind == "NoneType" else f"a {kind}"
        raise BadResult(f"{what} should return a matplotlib Figure; it returned {kind}.\n"
                        "Hint: make the figure with fig, ax = plt.subplots() (or matplotlib."
                        "figure.Figure()), draw on ax and end with `return fig` (not the Axes, "
                        "not plt.show()).")
    try:
        axes = tuple(
            AxesFacts(_text(a["title"]), _text(a["xlabel"]), _text(a["ylabel"]),
                      _pair(a["xlim"]), _pair(a["ylim"]), _text(a["xscale"]),
                      _text(a["yscale"]),
                      tuple(LineFacts(_text(ln["label"]), _array(ln["x"]), _array(ln["y"]))
                            for ln in a["lines"]),
                      tuple(_text(t) for t in a["legend"]), int(a["collections"]),
                      tuple(int(i) for i in a.get("legend_lines", [])))
            for a in data["axes"])
        image = data["png"]
        if png and (not isinstance(image, bytes) or not image.startswith(b"\x89PNG")):
            raise BadResult(f"{what}: the figure did not render to a PNG")
        if not png and image is not None:
            raise BadResult(f"{what}: the figure's description is malformed")
        return FigureFacts(image, _text(data.get("title", "")), axes)
    except (KeyError, TypeError, ValueError):
        raise BadResult(f"{what}: the figure's description is malformed") from None
