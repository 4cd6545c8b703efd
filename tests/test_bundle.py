"""The sealed bundle (issue 10, point 3): AES-GCM, bound to the grader version."""

from __future__ import annotations

import ast
import os
import stat
from pathlib import Path

import pytest

from grader import cli
from grader.release.bundle import (
    HEADER_SIZE,
    MAGIC,
    NONCE_SIZE,
    TAG_SIZE,
    BundleError,
    generate_key,
    open_bundle,
    pack,
    read_key,
    seal,
)

ROOT = Path(__file__).resolve().parents[1]
VERSION = "0.1.0"


def secret_files() -> dict[str, bytes]:
    files = {}
    for folder in ("reference", "grader/hidden"):
        for path in sorted((ROOT / folder).glob("*")):
            if path.suffix in (".py", ".md"):
                files[f"{folder}/{path.name}"] = path.read_bytes()
    return files


@pytest.fixture(scope="module")
def files():
    return secret_files()


@pytest.fixture(scope="module")
def key():
    return generate_key()


@pytest.fixture(scope="module")
def sealed(files, key):
    return seal(files, key, VERSION)


def test_round_trip(files, key, sealed):
    assert len(files) > 20
    assert open_bundle(sealed, key, VERSION) == files
    assert sealed.startswith(MAGIC)


def test_packing_is_deterministic(files):
    assert pack(files) == pack(dict(reversed(list(files.items()))))


def test_nonce_is_fresh(files, key, sealed):
    again = seal(files, key, VERSION)
    assert again[len(MAGIC) + 1:HEADER_SIZE] != sealed[len(MAGIC) + 1:HEADER_SIZE]
    assert open_bundle(again, key, VERSION) == files


def test_wrong_key(sealed):
    with pytest.raises(BundleError, match="wrong course key"):
        open_bundle(sealed, generate_key(), VERSION)


def test_other_grader_version(sealed, key):
    with pytest.raises(BundleError, match="another grader version"):
        open_bundle(sealed, key, "0.1.1")


@pytest.mark.parametrize("region", ["magic", "format", "nonce", "ciphertext", "tag"])
def test_each_region_tampered(sealed, key, region):
    offsets = {"magic": 0, "format": len(MAGIC), "nonce": len(MAGIC) + 1 + NONCE_SIZE // 2,
               "ciphertext": HEADER_SIZE + (len(sealed) - HEADER_SIZE - TAG_SIZE) // 2,
               "tag": len(sealed) - 3}
    data = bytearray(sealed)
    data[offsets[region]] ^= 0x01
    with pytest.raises(BundleError) as caught:
        open_bundle(bytes(data), key, VERSION)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("size", [0, 5, HEADER_SIZE, HEADER_SIZE + TAG_SIZE + 10])
def test_truncated(sealed, key, size):
    with pytest.raises(BundleError):
        open_bundle(sealed[:size], key, VERSION)


def test_bundle_reveals_no_name_or_source(files, sealed):
    """Without the key: no file name, no function name, no source fragment."""
    words = {name.rsplit("/", 1)[-1] for name in files}
    for name, data in files.items():
        if name.endswith(".py"):
            tree = ast.parse(data)
            words |= {n.name for n in ast.walk(tree)
                      if isinstance(n, ast.FunctionDef) and len(n.name) > 4}
    assert len(words) > 50
    lowered = sealed.lower()
    assert [w for w in words if w.lower().encode() in lowered] == []
    long = [data for data in files.values() if len(data) > 200]
    assert len(long) > 10
    for data in long:
        assert data[100:140] not in sealed


def test_bad_relative_paths_refused(key):
    for name in ("/etc/passwd", "../x.py", "a/../b.py", ""):
        with pytest.raises(BundleError):
            seal({name: b"x"}, key, VERSION)


def test_keygen_writes_a_private_key_and_never_overwrites(tmp_path, capsys):
    out = tmp_path / "course.key"
    assert cli.main(["keygen", "--out", str(out)]) == 0
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    key = read_key(out)
    assert len(key) == 32
    before = out.read_bytes()
    assert cli.main(["keygen", "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert out.read_bytes() == before
    other = tmp_path / "other.key"
    assert cli.main(["keygen", "--out", str(other)]) == 0
    assert read_key(other) != key
    bad = tmp_path / "bad.key"
    bad.write_text("not hex")
    with pytest.raises(BundleError, match="hex digits"):
        read_key(bad)
