"""Opening the sealed bundle for one grading run.

The course key comes from ``--key-file`` or the ``GRADE_COURSE_KEY`` environment variable
(a CI secret). It is read once and removed from the environment at once, so no process the
grader starts later (the worker's zygote is started with an environment of its own anyway)
can inherit it. The bundle is decrypted in memory and written to a private folder (mode
0700, under the system's temporary folder) that the grading process reads the hidden suites
and the reference from; the sandbox adds that folder to its secret paths, so a child can
neither read nor list it (Landlock), and it is removed when grading ends, whatever happens.

Without a key nothing is opened: the run grades the public checks (or the hidden suites
that lie in ``grader/hidden``, in the instructor's own repository).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import grader
from grader.release import bundle as sealing

KEY_ENV = "GRADE_COURSE_KEY"
BUNDLE_ENV = "GRADE_BUNDLE"
BUNDLE_NAME = "hidden.bundle"
#: what a bundle holds: the hidden suites, the reference and its rubrics
BUNDLE_FOLDERS = ("hidden", "reference")


class SealedError(Exception):
    """The key or the bundle cannot be used (a one-line reason; the command exits 2)."""


def add_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--key-file`` and ``--bundle`` to a command that grades."""
    parser.add_argument("--key-file", metavar="FILE",
                        help=f"the course key (grade keygen): opens the sealed hidden suites "
                             f"(default: ${KEY_ENV} when set)")
    parser.add_argument("--bundle", metavar="FILE",
                        help=f"the sealed bundle (default: ${BUNDLE_ENV}, else ./{BUNDLE_NAME})")


def take_key(key_file: str | None) -> bytes | None:
    """Return the course key from ``key_file`` or the environment (then removed from it)."""
    text = os.environ.pop(KEY_ENV, None)
    try:
        if key_file is not None:
            return sealing.read_key(key_file)
        if text is None or not text.strip():
            return None
        return sealing.parse_key(text)
    except sealing.BundleError as exc:
        where = key_file if key_file is not None else f"${KEY_ENV}"
        raise SealedError(f"{where}: {exc}") from None


def find_bundle(path: str | None) -> Path:
    """Return the bundle to open: ``path``, ``$GRADE_BUNDLE`` or ``./hidden.bundle``."""
    chosen = path or os.environ.get(BUNDLE_ENV) or BUNDLE_NAME
    bundle = Path(chosen)
    if not bundle.is_file():
        raise SealedError(f"a course key was given but there is no sealed bundle at {bundle} "
                          "(--bundle FILE, or run from the course repository's root)")
    return bundle


def files_to_seal(root: Path) -> dict[str, bytes]:
    """What goes into a bundle from the instructor's repository at ``root``.

    The hidden suites (``grader/hidden/test_exNN.py``) and the whole ``reference`` package
    (solutions and ``exNN_rubric.md``), caches left out.
    """
    files: dict[str, bytes] = {}
    sources = {"hidden": root / "grader" / "hidden", "reference": root / "reference"}
    for name, folder in sources.items():
        if not folder.is_dir():
            raise SealedError(f"{folder} is missing: run from the instructor's repository")
        for path in sorted(folder.rglob("*")):
            if (path.is_file() and "__pycache__" not in path.parts
                    and path.suffix in (".py", ".md")):
                files[f"{name}/{path.relative_to(folder).as_posix()}"] = path.read_bytes()
    if not any(n.startswith("hidden/test_ex") for n in files):
        raise SealedError(f"{sources['hidden']} holds no hidden suite")
    return files


def seal_repository(root: Path, key: bytes, out: Path) -> int:
    """Seal the hidden suites and the reference of ``root`` into ``out``; return its size."""
    data = sealing.seal(files_to_seal(root), key, grader.__version__)
    out.write_bytes(data)
    return len(data)


@contextlib.contextmanager
def opened(key: bytes, bundle: Path) -> Iterator[Path]:
    """Open ``bundle`` into a private folder used by this run's grading; remove it after."""
    from grader import suites

    try:
        files = sealing.open_bundle(bundle.read_bytes(), key, grader.__version__)
    except OSError as exc:
        raise SealedError(f"cannot read {bundle}: {exc.strerror or exc}") from None
    except sealing.BundleError as exc:
        raise SealedError(f"{bundle}: {exc}") from None
    if not any(n.startswith("hidden/test_ex") for n in files):
        raise SealedError(f"{bundle} holds no hidden suite")
    folder = Path(tempfile.mkdtemp(prefix="grade-sealed-"))  # mode 0700, ours alone
    try:
        for name, data in files.items():
            if name.split("/", 1)[0] not in BUNDLE_FOLDERS:
                continue
            target = folder / name
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        (folder / "reference" / "__init__.py").touch(mode=0o600)
        suites.use_sealed(folder)
        yield folder
    finally:
        suites.use_sealed(None)
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def session(key_file: str | None, bundle: str | None) -> Iterator[Path | None]:
    """Open the bundle for a grading command when a course key is given (else do nothing)."""
    key = take_key(key_file)
    if key is None:
        if key_file is None and bundle is not None:
            raise SealedError("--bundle needs a course key (--key-file or $GRADE_COURSE_KEY)")
        yield None
        return
    with opened(key, find_bundle(bundle)) as folder:
        yield folder
