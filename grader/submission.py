"""Load a submission (a folder, a notebook or a zip of either) into module sources.

Nothing here executes student code: a submission is read as text and validated, and the
worker imports it later. Problems with the submission as a whole (missing, unreadable,
not a folder/notebook/zip) raise :class:`SubmissionError`; a problem with one file
(not UTF-8, too large) is kept on that file's :class:`Source` so the other exercises are
still graded.

Symbolic links are followed only while they stay inside the submission: in a folder, a link
``ex04.py -> drafts/ex04_v3.py`` is read, and one that leaves the submission (to the
grader's ``reference/``, ``/etc``, ``/proc``, ...) makes that exercise an error. Only
regular files are read: a FIFO, a device or a folder named like an exercise is refused
without being opened for reading. A zip's links are resolved among the zip's own members
the same way (an absolute target or one with ``..`` leaving the archive is refused).
"""

from __future__ import annotations

import errno
import io
import os
import posixpath
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_FILE_BYTES = 1 << 20          # one exercise file
MAX_ZIP_BYTES = 64 << 20          # everything a zip may expand to
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_RATIO = 200              # expanded / compressed, past the first MiB

_EXERCISE_FILE = re.compile(r"ex(\d\d)\.py")


class SubmissionError(Exception):
    """The submission as a whole cannot be read."""


class FileProblem(Exception):
    """One file of the submission cannot be read (a link leaving it, not a regular file)."""


SYSTEM_TREES = ("/proc", "/sys", "/dev")
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a link"))


@dataclass(frozen=True)
class Source:
    """One exercise module of a submission: its text, or why it has none."""

    filename: str
    text: str | None
    problem: str | None = None
    #: what was left out of a notebook's cells (magics, top-level statements not run)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Submission:
    """The module sources of one submission, by exercise id."""

    name: str
    sources: dict[str, Source] = field(default_factory=dict)
    #: the submitted notebook's text, when the submission is one (for ``--format notebook``)
    notebook: str | None = None

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
        data = _read_bytes(path, MAX_ZIP_BYTES)
        return notebook_submission(path.stem, data, path.name)
    if suffix == ".zip":
        return _from_zip(path)
    raise SubmissionError(
        f"cannot grade {path}: expected a folder of exNN.py files, a .ipynb or a .zip"
    )


def _read_bytes(path: Path, limit: int) -> bytes:
    """Read the submission's own file (a notebook or zip named by the user, links followed)."""
    try:
        data = read_regular(os.path.realpath(path), path.name, limit)
    except FileProblem as exc:
        raise SubmissionError(f"cannot read {path}: {exc}") from None
    if len(data) > limit:
        raise SubmissionError(f"{path} is larger than {limit >> 20} MiB")
    return data


def _kind(mode: int) -> str:
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def read_regular(path: str, name: str, limit: int) -> bytes:
    """Read at most ``limit + 1`` bytes of the regular file at ``path`` (no link at its end).

    Anything else (a FIFO, a device, a folder, a socket) raises :class:`FileProblem`
    without being opened for reading: the check is made on the path, then again on the
    open descriptor, so swapping the file in between changes nothing.
    """
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise FileProblem(f"cannot read {name}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise FileProblem(f"{name} is {_kind(info.st_mode)}, not a regular file")
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FileProblem(f"{name} changed into a link while being read") from None
        raise FileProblem(f"cannot read {name}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileProblem(f"{name} is {_kind(info.st_mode)}, not a regular file")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise FileProblem(f"cannot read {name}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def read_in_folder(entry: Path, root: str, limit: int) -> bytes:
    """Read a file of the submission folder ``root`` (resolved), following a link inside it.

    A link whose target leaves the submission, or lies under /proc, /sys or /dev, raises
    :class:`FileProblem` naming the link: the trusted grader never reads through it.
    """
    name = entry.name
    path = str(entry)
    try:
        is_link = stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError as exc:
        raise FileProblem(f"cannot read {name}: {exc.strerror or exc}") from None
    if is_link:
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        resolved = os.path.realpath(path)
        if not _inside(resolved, root) or any(_inside(resolved, t) for t in SYSTEM_TREES):
            raise FileProblem(
                f"{name} is a symbolic link to {target!r}, outside the submission; the "
                "grader does not follow it: submit the file itself")
        path = resolved
    return read_regular(path, name, limit)


def source_from_bytes(filename: str, data: bytes) -> Source:
    """An exercise file's source from its bytes: too large or not UTF-8 is its problem."""
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
    root = os.path.realpath(folder)
    for entry in entries:
        exercise_id = _exercise_id(entry.name)
        if exercise_id is None:
            continue
        try:
            data = read_in_folder(entry, root, MAX_FILE_BYTES)
        except FileProblem as exc:
            sources[exercise_id] = Source(entry.name, None, str(exc))
            continue
        sources[exercise_id] = source_from_bytes(entry.name, data)
    if not sources:
        notebooks = sorted(folder.glob("*.ipynb"))
        if len(notebooks) == 1:
            try:
                data = read_in_folder(notebooks[0], root, MAX_ZIP_BYTES)
            except FileProblem as exc:
                raise SubmissionError(f"cannot grade {folder}: {exc}") from None
            if len(data) > MAX_ZIP_BYTES:
                raise SubmissionError(f"{notebooks[0]} is larger than {MAX_ZIP_BYTES >> 20} MiB")
            return notebook_submission(folder.name, data, notebooks[0].name)
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
    expanded = sum(m.file_size for m in members)
    if expanded > 1 << 20 and expanded > MAX_ZIP_RATIO * sum(m.compress_size for m in members):
        raise SubmissionError(f"{path} is compressed more than {MAX_ZIP_RATIO} to 1 "
                              "(a zip bomb?); zip the files without tricks")
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
        try:
            sources[exercise_id] = source_from_bytes(name, _read_zip_file(archive, member, path))
        except FileProblem as exc:
            sources[exercise_id] = Source(name, None, str(exc))
    if sources:
        return Submission(path.stem, sources)
    if len(notebooks) == 1:
        try:
            data = _read_zip_file(archive, notebooks[0], path)
        except FileProblem as exc:
            raise SubmissionError(f"cannot grade {path}: {exc}") from None
        return notebook_submission(path.stem, data, notebooks[0].filename)
    raise SubmissionError(f"no exercise files (ex01.py ... ex16.py) or notebook in {path}")


def _member_mode(member: zipfile.ZipInfo) -> int:
    """The Unix file type bits a zip made on Unix stores (0 when it stores none)."""
    return stat.S_IFMT(member.external_attr >> 16) if member.create_system == 3 else 0


def _read_zip_file(archive: zipfile.ZipFile, member: zipfile.ZipInfo, path: Path) -> bytes:
    """Read a member; a stored link is resolved among the zip's members, never on disk."""
    name = PurePosixPath(member.filename).name
    mode = _member_mode(member)
    if mode and stat.S_ISLNK(mode):
        target = _read_member(archive, member, path)[:4096].decode("utf-8", "replace")
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(member.filename), target))
        if target.startswith("/") or joined == ".." or joined.startswith("../"):
            raise FileProblem(
                f"{name} is a symbolic link to {target!r}, outside the submission; the "
                "grader does not follow it: submit the file itself")
        try:
            linked = archive.getinfo(joined)
        except KeyError:
            raise FileProblem(f"{name} is a symbolic link to {target!r}, which is not in "
                              "the zip: submit the file itself") from None
        if _member_mode(linked) and not stat.S_ISREG(_member_mode(linked)):
            raise FileProblem(f"{name} is a symbolic link to {target!r}, which is "
                              f"{_kind(_member_mode(linked))}, not a regular file")
        return _read_member(archive, linked, path)
    if mode and not stat.S_ISREG(mode):
        raise FileProblem(f"{name} is {_kind(mode)} in the zip, not a regular file")
    return _read_member(archive, member, path)


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, path: Path) -> bytes:
    try:
        with archive.open(member) as handle:
            return handle.read(MAX_ZIP_BYTES)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        raise SubmissionError(f"cannot read {member.filename} in {path}: {exc}") from None


def notebook_submission(name: str, data: bytes, filename: str) -> Submission:
    """The submission a notebook's bytes hold (its exercises, and its text for feedback)."""
    return Submission(name, _from_notebook(data, filename), data.decode("utf-8"))


def _from_notebook(data: bytes, name: str) -> dict[str, Source]:
    """Split a notebook into exercise modules (:mod:`grader.notebook.intake`).

    Cells are taken by their ``grade`` metadata, a tag (``ex04``), a first-line marker
    (``# ex04``) or the exercise functions they define; magics, shell lines and top-level
    statements that are not definitions, imports or constants are not run, and each is
    named in the source's ``notes``.
    """
    from grader.notebook import intake

    try:
        found = intake.modules(data, name)
    except intake.NotebookError as exc:
        raise SubmissionError(str(exc)) from None
    sources = {}
    for exercise_id, module in found.items():
        source = source_from_bytes(f"{exercise_id}.py", module.text.encode("utf-8"))
        sources[exercise_id] = Source(source.filename, source.text, source.problem,
                                      module.notes)
    return sources
