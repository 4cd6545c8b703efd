"""The CSV files of ``grade batch``, safe to open in a spreadsheet ("CSV injection").

Excel, LibreOffice and Google Sheets run a cell that starts with ``=``, ``+``, ``-`` or
``@`` (or a tab, a line break, a NUL; some also read the full-width forms) as a formula, and
a student controls much of what these files hold: the student id (a folder's or a zip's
name), the written answers, the entries skipped. Every *text* cell that starts with such a
character gets a single quote in front (``'=1+1``), the spreadsheets' mark for "this is
text"; the numbers the grader writes itself (scores, points) are written as numbers.

A cell that starts with a quote gets one more, so :func:`read_text` undoes :func:`text`
exactly: a file ``grade batch`` wrote reads back as the same ids and comments
(``--merge-manual``), and a cell whose quote a spreadsheet dropped on saving reads as it is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

#: the first characters that make a spreadsheet read a cell as a formula (OWASP's list, the
#: line feed and NUL, and the full-width forms that some locales' spreadsheets convert)
FORMULA_START = frozenset("=+-@\t\r\n\0\uff1d\uff0b\uff0d\uff20")
QUOTE = "'"

#: a cell: text (neutralised), a number the grader computed (written as a number), or empty
Cell = str | float | int | None


def text(value: str) -> str:
    """A text cell as written: quoted when a spreadsheet would read it as a formula."""
    if value and (value[0] in FORMULA_START or value[0] == QUOTE):
        return QUOTE + value
    return value


def read_text(value: str) -> str:
    """Undo :func:`text`: the cell's text as the grader had it."""
    if len(value) > 1 and value[0] == QUOTE and (value[1] in FORMULA_START
                                                 or value[1] == QUOTE):
        return value[1:]
    return value


def number(value: float | int | None) -> str:
    """A number as the grader writes it: at most 4 decimals, no trailing zeros."""
    if value is None:
        return ""
    return format(round(float(value), 4), "g")


def cell(value: Cell) -> str:
    """One cell's text: numbers as numbers, every other value through :func:`text`."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number(value)
    return text(str(value))


def csv_text(rows: Iterable[Sequence[Cell]]) -> str:
    """The CSV text of ``rows`` (CRLF line ends, as RFC 4180), every cell through :func:`cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([cell(value) for value in row] for row in rows)
    return buffer.getvalue()
