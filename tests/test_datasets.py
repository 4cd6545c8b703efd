"""grader/datasets.py: the IDX reader, the MNIST folder check, the splits the suites train on.

Every IDX file here is written by the test itself (nothing is downloaded).
"""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from grader import datasets
from grader.datasets import DataError

CODES = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(">i2"): 0x0B,
         np.dtype(">i4"): 0x0C, np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}


def idx_bytes(array: np.ndarray, dtype=np.uint8) -> bytes:
    """Encode an array as an IDX file: magic (0, 0, type, ndim), big-endian sizes, data."""
    dtype = np.dtype(dtype)
    header = bytes([0, 0, CODES[dtype], array.ndim]) + struct.pack(f">{array.ndim}I",
                                                                     *array.shape)
    return header + np.asarray(array).astype(dtype).tobytes()


def write(path: Path, array: np.ndarray, dtype=np.uint8) -> Path:
    data = idx_bytes(array, dtype)
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def images(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(n, 28, 28), dtype=np.uint8)


def labels(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 10, size=n, dtype=np.uint8)


def mnist_folder(folder: Path, *, n_train: int = 12, n_test: int = 7, gz: bool = False,
                 dotted: bool = False) -> Path:
    """Write the four MNIST files (optionally gzipped, or with the dotted names)."""
    folder.mkdir(exist_ok=True)
    suffix = ".gz" if gz else ""
    for key, array in (("train_images", images(n_train, 1)), ("train_labels", labels(n_train, 2)),
                       ("test_images", images(n_test, 3)), ("test_labels", labels(n_test, 4))):
        name = datasets.MNIST_FILES[key][1 if dotted else 0]
        write(folder / f"{name}{suffix}", array)
    return folder


# -- read_idx ------------------------------------------------------------------------
def test_read_uint8_images(tmp_path):
    array = images(5)
    got = datasets.read_idx(write(tmp_path / "img-idx3-ubyte", array))
    assert got.dtype == np.uint8 and got.shape == (5, 28, 28)
    np.testing.assert_array_equal(got, array)


def test_read_labels(tmp_path):
    array = labels(9)
    got = datasets.read_idx(write(tmp_path / "lab-idx1-ubyte", array))
    assert got.shape == (9,)
    np.testing.assert_array_equal(got, array)


def test_read_gzip(tmp_path):
    array = images(4)
    got = datasets.read_idx(write(tmp_path / "img-idx3-ubyte.gz", array))
    np.testing.assert_array_equal(got, array)


@pytest.mark.parametrize("dtype", [np.int8, ">i2", ">i4", ">f4", ">f8"])
def test_read_big_endian_types_to_native(tmp_path, dtype):
    array = np.arange(-6, 6).reshape(3, 4)
    got = datasets.read_idx(write(tmp_path / "values.idx", array, dtype))
    assert got.dtype == np.dtype(dtype).newbyteorder("=")
    assert got.dtype.isnative
    np.testing.assert_array_equal(got, array)


def test_read_empty_array(tmp_path):
    got = datasets.read_idx(write(tmp_path / "none.idx", np.zeros((0, 28, 28))))
    assert got.shape == (0, 28, 28)


@pytest.mark.parametrize("content", [b"\x01\x00\x08\x01" + bytes(8), b"\x00\x07\x08\x01" + bytes(8),
                                     b"PK\x03\x04" + bytes(8), b"\x00\x00\x08", b""])
def test_bad_magic(tmp_path, content):
    path = tmp_path / "bad.idx"
    path.write_bytes(content)
    with pytest.raises(DataError, match="bad magic"):
        datasets.read_idx(path)


def test_unknown_element_type(tmp_path):
    path = tmp_path / "bad.idx"
    path.write_bytes(bytes([0, 0, 0x0A, 1]) + struct.pack(">I", 2) + b"\x00\x00")
    with pytest.raises(DataError, match="unknown IDX element type"):
        datasets.read_idx(path)


def test_truncated_data(tmp_path):
    path = tmp_path / "short-idx3-ubyte"
    path.write_bytes(idx_bytes(images(3))[:-10])
    with pytest.raises(DataError, match="announces 2352 bytes.*holds 2342"):
        datasets.read_idx(path)


def test_trailing_bytes(tmp_path):
    path = tmp_path / "long-idx1-ubyte"
    path.write_bytes(idx_bytes(labels(3)) + b"\x00")
    with pytest.raises(DataError, match="announces 3 bytes"):
        datasets.read_idx(path)


def test_truncated_header(tmp_path):
    path = tmp_path / "header-idx3-ubyte"
    path.write_bytes(idx_bytes(images(3))[:9])  # 3 dimensions need 16 header bytes
    with pytest.raises(DataError, match="truncated"):
        datasets.read_idx(path)


def test_truncated_gzip_data(tmp_path):
    path = tmp_path / "short-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(labels(50))[:-5]))
    with pytest.raises(DataError, match="announces 50 bytes"):
        datasets.read_idx(path)


def test_cut_off_gzip_stream(tmp_path):
    path = tmp_path / "cut-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(labels(500)))[:40])
    with pytest.raises(DataError):
        datasets.read_idx(path)


def test_not_gzip_despite_suffix(tmp_path):
    path = tmp_path / "plain-idx1-ubyte.gz"
    path.write_bytes(idx_bytes(labels(5)))
    with pytest.raises(DataError, match="cannot read"):
        datasets.read_idx(path)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="cannot read"):
        datasets.read_idx(tmp_path / "absent-idx3-ubyte")


# -- check_mnist_folder ----------------------------------------------------------------
@pytest.mark.parametrize(("gz", "dotted"), [(False, False), (True, False), (False, True),
                                            (True, True)])
def test_mnist_folder_accepted(tmp_path, gz, dotted):
    folder = mnist_folder(tmp_path / "mnist", gz=gz, dotted=dotted)
    assert datasets.check_mnist_folder(folder) == folder.resolve()
    assert datasets.check_mnist_folder(str(folder)) == folder.resolve()


def test_mnist_folder_names_missing_files(tmp_path):
    folder = mnist_folder(tmp_path / "mnist")
    (folder / "t10k-labels-idx1-ubyte").unlink()
    (folder / "train-images-idx3-ubyte").unlink()
    with pytest.raises(DataError) as raised:
        datasets.check_mnist_folder(folder)
    message = str(raised.value)
    assert "train-images-idx3-ubyte" in message and "t10k-labels-idx1-ubyte" in message
    assert "train-labels" not in message and "t10k-images" not in message


def test_mnist_folder_not_a_folder(tmp_path):
    with pytest.raises(DataError, match="not a folder"):
        datasets.check_mnist_folder(tmp_path / "nowhere")
    (tmp_path / "file").write_text("x")
    with pytest.raises(DataError, match="not a folder"):
        datasets.check_mnist_folder(tmp_path / "file")


# -- the splits ----------------------------------------------------------------------
def assert_split(split: datasets.Split, *, n_train: int, n_val: int, features: int) -> None:
    assert split.X_train.shape == (n_train, features)
    assert split.X_val.shape == (n_val, features)
    assert split.y_train.shape == (n_train,) and split.y_val.shape == (n_val,)
    for X in (split.X_train, split.X_val):
        assert X.dtype == np.float32
        assert X.min() >= 0.0 and X.max() <= 1.0
    for y in (split.y_train, split.y_val):
        assert y.dtype == np.int64
        assert y.min() >= 0 and y.max() <= 9


def test_load_mnist(tmp_path):
    folder = mnist_folder(tmp_path / "mnist", n_train=12, n_test=7, gz=True)
    split = datasets.load({"mnist": str(folder)})
    assert split.name == "mnist"
    assert_split(split, n_train=12, n_val=7, features=784)
    np.testing.assert_allclose(split.X_train[3], images(12, 1)[3].reshape(-1) / 255.0,
                               rtol=1e-6)
    np.testing.assert_array_equal(split.y_val, labels(7, 4))
    assert split.X_train.max() == pytest.approx(1.0)  # 255 becomes 1


def test_mnist_takes_the_first_images(tmp_path):
    folder = mnist_folder(tmp_path / "mnist", n_train=12, n_test=7)
    split = datasets.mnist(str(folder.resolve()), train_size=5, val_size=3)
    assert_split(split, n_train=5, n_val=3, features=784)
    np.testing.assert_array_equal(split.y_train, labels(12, 2)[:5])


def test_mnist_images_and_labels_disagree(tmp_path):
    folder = mnist_folder(tmp_path / "mnist", n_train=12, n_test=7)
    write(folder / "train-labels-idx1-ubyte", labels(10, 2))
    with pytest.raises(DataError, match="12 train images but 10 labels"):
        datasets.mnist(str(folder.resolve()))


@pytest.mark.parametrize("options", [{}, {"mnist": None}, {"mnist": ""}, {"gpt2": True}])
def test_load_defaults_to_digits(options):
    split = datasets.load(options)
    assert split.name == "digits"
    assert_split(split, n_train=1347, n_val=450, features=64)
    for y in (split.y_train, split.y_val):  # stratified: every class on both sides
        assert set(np.unique(y)) == set(range(10))


def test_digits_split_is_fixed():
    first = datasets.digits()
    datasets.digits.cache_clear()
    second = datasets.digits()
    np.testing.assert_array_equal(first.X_train, second.X_train)
    np.testing.assert_array_equal(first.y_val, second.y_val)
