"""Load a submission (a folder, a notebook or a zip of either) into module sources.

Nothing here executes student code: a submission is read as text and validated, and the
worker imports it later. Problems with the submission as a whole (missing, unreadable,
not a folder/notebook/zip) raise :class:`SubmissionError`; a problem with one file
(not UTF-8, too large) is kept on that file's :class:`Source` so the other exercises are
still graded.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_FILE_BYTES = 1 << 20          # one exercise file
MAX_ZIP_BYTES = 64 << 20          # everything a zip may expand to
MAX_ZIP_MEMBERS = 2000

_EXERCISE_FILE = re.compile(r"ex(\d\d)\.py")
_CELL_MARKER = re.compile(r"#\s*(?:%%\s*)?(ex\d\d)\b", re.IGNORECASE)
_MAGIC = re.compile(r"^\s*[%!]")


class SubmissionError(Exception):
    """The submission as a whole cannot be read."""


@dataclass(frozen=True)
class Source:
    """One exercise module of a submission: its text, or why it has none."""

    filename: str
    text: str | None
    problem: str | None = None


@dataclass(frozen=True)
class Submission:
    """The module sources of one submission, by exercise id."""

    name: str
    sources: dict[str, Source] = field(default_factory=dict)

    def source(self, exercise_id: str) -> Source | None:
        """Return the source of an exercise, or None when the submission lacks it."""
        return self.sources.get(exercise_id)


def load(path: str | Path) -> Submission:
    """Read a submission from a folder, an ``.ipynb`` file or a ``.zip`` of either."""
    path = Path(path)
    if not path.exists():
        raise SubmissionError(f"submission not found: {path}")
    if path.is_dir():
        return _from_folder(path)
    suffix = path.suffix.lower()
    if suffix == ".ipynb":
        return Submission(path.stem, _from_notebook(_read_bytes(path, MAX_ZIP_BYTES), path.name))
    if suffix == ".zip":
        return _from_zip(path)
    raise SubmissionError(
        f"cannot grade {path}: expected a folder of exNN.py files, a .ipynb or a .zip"
    )


def _read_bytes(path: Path, limit: int) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise SubmissionError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise SubmissionError(f"{path} is larger than {limit >> 20} MiB")
    return data


def _source(filename: str, data: bytes) -> Source:
    if len(data) > MAX_FILE_BYTES:
        return Source(filename, None, f"{filename} is larger than {MAX_FILE_BYTES >> 10} KiB")
    try:
        return Source(filename, data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return Source(
            filename, None,
            f"{filename} is not valid UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start})",
        )


def _exercise_id(filename: str) -> str | None:
    match = _EXERCISE_FILE.fullmatch(filename)
    return f"ex{match.group(1)}" if match else None


def _from_folder(folder: Path) -> Submission:
    sources: dict[str, Source] = {}
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise SubmissionError(f"cannot read {folder}: {exc.strerror or exc}") from None
    for entry in entries:
        exercise_id = _exercise_id(entry.name)
        if exercise_id is None or not entry.is_file():
            continue
        try:
            with entry.open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            sources[exercise_id] = Source(entry.name, None, f"cannot read {entry.name}: {exc}")
            continue
        sources[exercise_id] = _source(entry.name, data)
    if not sources:
        notebooks = sorted(folder.glob("*.ipynb"))
        if len(notebooks) == 1:
            data = _read_bytes(notebooks[0], MAX_ZIP_BYTES)
            return Submission(folder.name, _from_notebook(data, notebooks[0].name))
        raise SubmissionError(f"no exercise files (ex01.py ... ex16.py) in {folder}")
    return Submission(folder.name, sources)


def _from_zip(path: Path) -> Submission:
    try:
        archive = zipfile.ZipFile(io.BytesIO(_read_bytes(path, MAX_ZIP_BYTES)))
    except zipfile.BadZipFile:
        raise SubmissionError(f"{path} is not a valid zip file") from None
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > MAX_ZIP_MEMBERS:
        raise SubmissionError(f"{path} holds more than {MAX_ZIP_MEMBERS} files")
    if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
        raise SubmissionError(f"{path} expands to more than {MAX_ZIP_BYTES >> 20} MiB")
    sources: dict[str, Source] = {}
    notebooks = []
    for member in members:
        name = PurePosixPath(member.filename).name
        if "__MACOSX" in member.filename or name.startswith("._"):
            continue
        if name.endswith(".ipynb"):
            notebooks.append(member)
        exercise_id = _exercise_id(name)
        if exercise_id is None:
            continue
        if exercise_id in sources:
            raise SubmissionError(f"{path} holds more than one {name}")
        sources[exercise_id] = _source(name, _read_member(archive, member, path))
    if sources:
        return Submission(path.stem, sources)
    if len(notebooks) == 1:
        data = _read_member(archive, notebooks[0], path)
        return Submission(path.stem, _from_notebook(data, notebooks[0].filename))
    raise SubmissionError(f"no exercise files (ex01.py ... ex16.py) or notebook in {path}")


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, path: Path) -> bytes:
    try:
        with archive.open(member) as handle:
            return handle.read(MAX_ZIP_BYTES)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        raise SubmissionError(f"cannot read {member.filename} in {path}: {exc}") from None


def _from_notebook(data: bytes, name: str) -> dict[str, Source]:
    """Split a notebook's code cells into exercise modules.

    A code cell belongs to ``exNN`` when its first line is a marker comment (``# ex04``
    or ``# %% ex04``) or its metadata tags hold ``exNN``; unmarked cells after it belong
    to the same exercise. Unmarked cells before the first marker are a preamble (imports)
    put in front of every exercise. IPython magics and shell lines are commented out.
    """
    import nbformat

    try:
        notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types on bad input
        raise SubmissionError(f"{name} is not a readable notebook: {exc}") from None
    preamble: list[str] = []
    cells: dict[str, list[str]] = {}
    current: str | None = None
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        text = "\n".join(
            f"# (not run by the grader) {line}" if _MAGIC.match(line) else line
            for line in cell.source.splitlines()
        )
        tags = [t.lower() for t in cell.get("metadata", {}).get("tags", [])]
        tagged = next((t for t in tags if _exercise_id(f"{t}.py")), None)
        first = text.lstrip().splitlines()[0] if text.strip() else ""
        marker = _CELL_MARKER.match(first)
        if tagged or marker:
            current = tagged or marker.group(1).lower()
        if current is None:
            preamble.append(text)
        else:
            cells.setdefault(current, []).append(text)
    if not cells:
        raise SubmissionError(
            f"{name} has no exercise cells (a code cell starting with '# ex04', or tagged ex04)"
        )
    return {
        exercise_id: _source(f"{exercise_id}.py", "\n\n".join(preamble + parts).encode())
        for exercise_id, parts in cells.items()
    }
