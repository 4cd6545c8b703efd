r"""Text a student's code produced, made safe for any output.

Any ``str`` a submission can produce (an exception message, printed output, a written
answer, a figure's caption) may reach any renderer and any file. :func:`safe_text` turns it
into text that every output can encode and show without harm:

- lone surrogates (``"\\ud800"``), which no UTF-8 writer accepts, become U+FFFD;
- NUL and the other C0/C1 control characters (ANSI escape sequences start with ESC) become
  visible ``\\xNN`` escapes, except newline and tab; a carriage return becomes ``\\r``;
- bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069), which can make text
  read differently from what it is, become visible ``\\u202e`` escapes;
- text longer than ``limit`` characters is cut, with a note of how much was cut.

Each renderer still escapes for its own format (XML, HTML, Markdown); this is the part all
of them share, applied once where student text enters the report model.
"""

from __future__ import annotations

import re

#: The longest piece of student text kept in one field of a report.
DEFAULT_LIMIT = 20_000

_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\r":
        return "\\r"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(value: object, *, limit: int | None = DEFAULT_LIMIT) -> str:
    """Return ``value`` as text any output can encode and show, cut to ``limit`` characters."""
    text = value if isinstance(value, str) else str(value)
    if limit is None or len(text) <= limit:
        text = _escape_all(text)
        if limit is None or len(text) <= limit:
            return text
    # cut before escaping (bounded work on a megabyte line) and again after (escapes grow);
    # the note counts against the limit, so that cleaning twice changes nothing
    keep = max(0, limit - 40)
    total = len(text)
    text = _escape_all(text[:keep])[:keep]
    return text + f" ... [{total - len(text)} characters cut]"


def _escape_all(text: str) -> str:
    text = _SURROGATES.sub("\ufffd", text)
    text = _CONTROLS.sub(_escape, text)
    return _BIDI.sub(_escape, text)


def is_safe(text: str) -> bool:
    """True when ``text`` holds nothing :func:`safe_text` would replace or escape."""
    return not (_SURROGATES.search(text) or _CONTROLS.search(text) or _BIDI.search(text))


__all__ = ["DEFAULT_LIMIT", "is_safe", "safe_text"]
