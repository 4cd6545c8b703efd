"""The sealed bundle: hidden suites, reference and rubrics in one authenticated file.

Layout (all integers big-endian)::

    magic b"GRADEBND" | format version (1 byte) | nonce (12 bytes) | AES-256-GCM ciphertext+tag

The grader version is bound as associated data (with the magic and the format version), so a
bundle sealed for another grader version does not open. The plaintext is a tar archive built
in memory with sorted names, fixed mtimes, owners and modes: sealing the same files gives the
same plaintext. Without the key the file reveals nothing but its size.
"""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

MAGIC = b"GRADEBND"
FORMAT_VERSION = 1
NONCE_SIZE = 12
KEY_SIZE = 32
TAG_SIZE = 16
HEADER_SIZE = len(MAGIC) + 1 + NONCE_SIZE
MAX_FILES = 10_000
MAX_PLAINTEXT = 256 * 1024 * 1024


class BundleError(Exception):
    """The bundle cannot be opened (wrong key, tampered, other grader version, truncated)."""


def generate_key() -> bytes:
    """Return a new random 256-bit course key."""
    return os.urandom(KEY_SIZE)


def write_key(path: str | os.PathLike[str]) -> Path:
    """Write a new key to ``path`` (mode 0600); refuse to overwrite an existing file."""
    target = Path(path)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BundleError(f"{target} already exists: not overwriting a key") from None
    except OSError as exc:
        raise BundleError(f"cannot write {target}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(generate_key().hex().encode("ascii") + b"\n")
    os.chmod(target, 0o600)
    return target


def read_key(path: str | os.PathLike[str]) -> bytes:
    """Read a key file written by :func:`write_key` (64 hex digits)."""
    try:
        text = Path(path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise BundleError(f"cannot read the key file {path}: {exc}") from None
    return parse_key(text)


def parse_key(text: str) -> bytes:
    """Parse a key given as 64 hex digits (a key file's content or ``GRADE_COURSE_KEY``)."""
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        key = b""
    if len(key) != KEY_SIZE:
        raise BundleError(f"a course key is {2 * KEY_SIZE} hex digits (grade keygen makes one)")
    return key


def _aad(grader_version: str) -> bytes:
    return MAGIC + bytes([FORMAT_VERSION]) + b"grader=" + grader_version.encode("utf-8")


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes) or len(key) != KEY_SIZE:
        raise BundleError(f"a course key is {KEY_SIZE} bytes")


def _safe_name(name: str) -> str:
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts or str(path) != name:
        raise BundleError(f"not a relative path inside the bundle: {name!r}")
    return name


def pack(files: Mapping[str, bytes]) -> bytes:
    """Pack files into a deterministic tar (sorted names, fixed mtime, owner and mode)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(files):
            data = files[name]
            info = tarfile.TarInfo(_safe_name(str(name)))
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def unpack(data: bytes) -> dict[str, bytes]:
    """Unpack a tar made by :func:`pack` (regular files only, relative names)."""
    files: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
            for info in tar:
                if len(files) >= MAX_FILES or not info.isfile():
                    raise BundleError(f"unexpected entry in the bundle: {info.name!r}")
                handle = tar.extractfile(info)
                files[_safe_name(info.name)] = handle.read() if handle else b""
    except tarfile.TarError as exc:
        raise BundleError(f"the bundle's contents are damaged: {exc}") from None
    return files


def seal(files: Mapping[str, bytes], key: bytes, grader_version: str) -> bytes:
    """Encrypt and authenticate ``{relative path: bytes}`` for one grader version."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    _check_key(key)
    nonce = os.urandom(NONCE_SIZE)
    ciphertext = AESGCM(key).encrypt(nonce, pack(files), _aad(grader_version))
    return MAGIC + bytes([FORMAT_VERSION]) + nonce + ciphertext


def open_bundle(data: bytes, key: bytes, grader_version: str) -> dict[str, bytes]:
    """Decrypt a sealed bundle into memory; raise :class:`BundleError` with a one-line reason."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    _check_key(key)
    if len(data) < HEADER_SIZE + TAG_SIZE:
        raise BundleError(f"the bundle is truncated ({len(data)} bytes)")
    if data[:len(MAGIC)] != MAGIC:
        raise BundleError("not a grade bundle (bad magic)")
    version = data[len(MAGIC)]
    if version != FORMAT_VERSION:
        raise BundleError(f"bundle format {version} is not supported (this grader reads "
                          f"format {FORMAT_VERSION})")
    nonce = data[len(MAGIC) + 1:HEADER_SIZE]
    try:
        plaintext = AESGCM(key).decrypt(nonce, data[HEADER_SIZE:], _aad(grader_version))
    except InvalidTag:
        raise BundleError("the bundle does not open: wrong course key, a tampered or truncated "
                          f"file, or a bundle sealed for another grader version (this is "
                          f"{grader_version})") from None
    if len(plaintext) > MAX_PLAINTEXT:
        raise BundleError("the bundle is too large")
    return unpack(plaintext)
