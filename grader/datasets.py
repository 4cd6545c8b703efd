"""Data the training exercises use: scikit-learn's bundled digits, or MNIST's IDX files.

Loaded in the trusted process and sent to the worker as arrays (nothing here is secret).
Nothing is downloaded: the digits ship with scikit-learn, and MNIST is read only from a
folder the user names (``grade --mnist DIR`` or ``GRADE_MNIST``).
"""

from __future__ import annotations

import gzip
import struct
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
MNIST_FILES = {
    "train_images": ("train-images-idx3-ubyte", "train-images.idx3-ubyte"),
    "train_labels": ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte"),
    "test_images": ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"),
    "test_labels": ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"),
}


class DataError(ValueError):
    """A data file or folder that cannot be used."""


@dataclass(frozen=True)
class Split:
    """A train/validation split: float pixels in [0, 1], int64 labels."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    name: str


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (optionally gzipped) into an array of its declared type and shape."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            data = handle.read()
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"cannot read {path}: {exc}") from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise DataError(f"{path} is not an IDX file (bad magic number)")
    code, ndim = data[2], data[3]
    if code not in IDX_TYPES:
        raise DataError(f"{path}: unknown IDX element type {code:#04x}")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(f"{path} is truncated")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    dtype = np.dtype(IDX_TYPES[code])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) - header != expected:
        raise DataError(f"{path}: the header announces {expected} bytes of data, the file "
                        f"holds {len(data) - header}")
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape).astype(
        dtype.newbyteorder("="))


def _find(folder: Path, names: tuple[str, ...]) -> Path | None:
    for name in names:
        for candidate in (folder / name, folder / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    return None


def check_mnist_folder(folder: str | Path) -> Path:
    """Return the folder if it holds MNIST's four IDX files; DataError naming what is missing."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"--mnist {folder}: not a folder")
    missing = [names[0] for names in MNIST_FILES.values() if _find(folder, names) is None]
    if missing:
        raise DataError(f"--mnist {folder}: missing {', '.join(missing)} (.gz accepted)")
    return folder.resolve()


@cache
def digits(val_fraction: float = 0.25, split_seed: int = 0) -> Split:
    """scikit-learn's 8x8 digits, pixels scaled to [0, 1], a fixed stratified split."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    X = (bunch.data / 16.0).astype(np.float32)
    y = bunch.target.astype(np.int64)
    X_train, X_val, y_train, y_val = train_test_split(
        X, y, test_size=val_fraction, random_state=split_seed, stratify=y)
    return Split(X_train, y_train, X_val, y_val, "digits")


@cache
def mnist(folder: str, train_size: int = 10_000, val_size: int = 2_000) -> Split:
    """Load MNIST from IDX files: the first training and test images, pixels in [0, 1].

    ``train_size`` training images and ``val_size`` test images, flattened to 784 pixels.
    """
    root = check_mnist_folder(folder)
    arrays = {key: read_idx(_find(root, names)) for key, names in MNIST_FILES.items()}
    for part in ("train", "test"):
        images, labels = arrays[f"{part}_images"], arrays[f"{part}_labels"]
        if images.ndim != 3 or labels.ndim != 1:
            raise DataError(f"--mnist {folder}: {part} images must be 3-D and labels 1-D "
                            f"(got {images.ndim}-D and {labels.ndim}-D)")
        if len(images) != len(labels):
            raise DataError(f"--mnist {folder}: {len(images)} {part} images but "
                            f"{len(labels)} labels")
        if labels.size and (labels.min() < 0 or labels.max() > 9):
            raise DataError(f"--mnist {folder}: {part} labels outside 0..9")
    def images(a: np.ndarray, n: int) -> np.ndarray:
        return (a[:n].reshape(min(n, len(a)), -1) / 255.0).astype(np.float32)
    return Split(images(arrays["train_images"], train_size),
                 arrays["train_labels"][:train_size].astype(np.int64),
                 images(arrays["test_images"], val_size),
                 arrays["test_labels"][:val_size].astype(np.int64), "mnist")


def load(options: dict) -> Split:
    """The split a grading run uses: MNIST when ``options["mnist"]`` names a folder, else digits."""
    folder = options.get("mnist")
    return mnist(str(folder)) if folder else digits()
