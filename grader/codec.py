"""Plain-data encoding that the trusted grader and the untrusted worker share (no pickle).

A value becomes a JSON tree plus a list of binary blobs. Arrays travel as ``.npy`` bytes
read back with ``allow_pickle=False`` and only numeric dtypes are accepted; a torch tensor
travels as its array plus a flag. In the tree every JSON object is a marker, so nothing a
student returns can be mistaken for one:

==========================  ===================================================
``{"d": [[k, v], ...]}``    a dict (keys of any plain type, order kept)
``{"t": [...]}``            a tuple
``{"a": i, ...}``           blob ``i`` is an array; ``"scalar": true`` for a NumPy
                            scalar, ``"torch": {...}`` for a tensor
``{"s": [...]}``            an array of strings, as nested lists
``{"b": i}``                blob ``i`` is bytes
``{"f": "nan"}``            a float that JSON cannot spell (nan, inf, -inf)
``{"o": "Type", ...}``      an object that is not plain data (worker to grader only)
``{"fx": name, ...}``       a fixture recipe (grader to worker only)
==========================  ===================================================
"""

from __future__ import annotations

import io
import math
import re
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MAX_DEPTH = 64
MAX_NODES = 1_000_000
NUMERIC_KINDS = frozenset("biufc")


NPY_MAGIC = b"\x93NUMPY\x01\x00"
_NPY_HEADER = re.compile(r"\{'descr': '([<>|]?[biufc][0-9]{1,2})', 'fortran_order': (False|True), "
                         r"'shape': \(((?:[0-9]+, ?)*(?:[0-9]+)?)\), \} *\n")


def write_npy(array: np.ndarray) -> bytes:
    """Return the ``.npy`` (version 1.0) bytes of a numeric array.

    The same bytes as ``np.save``, without its generic header formatting, which costs more
    than the rest of a small call. Non-numeric dtypes are never written.
    """
    if array.dtype.kind not in NUMERIC_KINDS:
        raise CodecError(f"cannot send an array of dtype {array.dtype}")
    if not array.flags.c_contiguous:
        array = array.copy(order="C")
    shape = tuple(int(n) for n in array.shape)
    header = f"{{'descr': '{array.dtype.str}', 'fortran_order': False, 'shape': {shape!r}, }}"
    length = len(header) + 1
    header += " " * ((-(len(NPY_MAGIC) + 2 + length)) % 64) + "\n"
    return NPY_MAGIC + struct.pack("<H", len(header)) + header.encode("latin1") + \
        array.tobytes()


def read_npy(data: bytes) -> np.ndarray:
    """Read ``.npy`` bytes into a writable array; numeric dtypes only, never pickles."""
    match = None
    if data[:8] == NPY_MAGIC and len(data) >= 10:
        (length,) = struct.unpack("<H", data[8:10])
        match = _NPY_HEADER.fullmatch(data[10:10 + length].decode("latin1"))
    if match is None:  # another writer's layout: numpy's own reader, pickles refused
        try:
            array = np.lib.format.read_array(io.BytesIO(data), allow_pickle=False)
        except Exception as exc:  # noqa: BLE001 - untrusted bytes fail in many ways
            raise CodecError(f"an array that does not decode: {exc}") from None
        return array
    dtype = np.dtype(match.group(1))
    shape = tuple(int(n) for n in match.group(3).replace(" ", "").split(",") if n)
    count = math.prod(shape)
    offset = 10 + length
    if len(data) - offset != count * dtype.itemsize:
        raise CodecError("an array whose size does not match its header")
    order = "F" if match.group(2) == "True" else "C"
    return np.frombuffer(data, dtype=dtype, count=count, offset=offset).reshape(
        shape, order=order).copy()


class CodecError(Exception):
    """A value that cannot be encoded, or a tree that does not decode as plain data.

    Deliberately not a ``ValueError``: the grader's own errors must never look like an
    exception the student raised (``expect_raises(ValueError, ...)`` matches builtins).
    """


@dataclass(frozen=True)
class Opaque:
    """Stands in for an object the worker could not send as plain data."""

    type_name: str
    text: str = ""

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


@dataclass(frozen=True)
class Fixture:
    """A recipe for an object the worker builds itself (a model, a tokenizer, a data set)."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)

    def __init__(self, name: str, **params: Any) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "params", params)


@dataclass(frozen=True)
class TensorInfo:
    """What a tensor carried besides its values."""

    dtype: str
    requires_grad: bool = False


def _torch_tensor_type() -> type | None:
    torch = sys.modules.get("torch")
    return getattr(torch, "Tensor", None) if torch is not None else None


class _Encoder:
    def __init__(self, *, allow_opaque: bool, numpy_scalars: bool = False) -> None:
        self.blobs: list[bytes] = []
        self.nodes = 0
        self.allow_opaque = allow_opaque
        self.numpy_scalars = numpy_scalars

    def blob(self, data: bytes) -> int:
        self.blobs.append(data)
        return len(self.blobs) - 1

    def array(self, array: np.ndarray) -> int:
        return self.blob(write_npy(np.asanyarray(array).view(np.ndarray)))

    def encode(self, value: Any, depth: int) -> Any:  # noqa: C901 - one branch per type
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise CodecError(f"the value is too large to send (more than {MAX_NODES} parts)")
        if depth > MAX_DEPTH:
            raise CodecError(f"the value is nested more than {MAX_DEPTH} levels deep")
        if value is None or type(value) in (bool, str, int):
            return value
        if isinstance(value, float) and not (self.numpy_scalars and
                                             isinstance(value, np.generic)):
            # a subclass is sent as the float it holds
            number = float.__float__(value)
            return number if math.isfinite(number) else {"f": repr(number)}
        if isinstance(value, np.ndarray):
            return self.ndarray(value.view(np.ndarray))
        if isinstance(value, (int, str)) and not isinstance(value, np.generic):
            return self.encode(_base_value(value), depth)
        if isinstance(value, np.generic):
            if isinstance(value, (np.str_, np.bytes_)):
                return self.encode(value.item(), depth)
            return {"a": self.array(np.asarray(value)), "scalar": True}
        tensor_type = _torch_tensor_type()
        if tensor_type is not None and isinstance(value, tensor_type):
            return self.tensor(value)
        if type(value) in (list, tuple, dict):
            # refuse an oversized container before walking it (a 3-million-key dict)
            parts = len(value) * (2 if type(value) is dict else 1)
            if self.nodes + parts > MAX_NODES:
                raise CodecError(f"the value is too large to send (more than {MAX_NODES} parts)")
        if type(value) in (list, tuple):
            items = [self.encode(item, depth + 1) for item in value]
            return items if type(value) is list else {"t": items}
        if type(value) is dict:
            return {"d": [[self.encode(k, depth + 1), self.encode(v, depth + 1)]
                          for k, v in value.items()]}
        if type(value) is bytes:
            return {"b": self.blob(value)}
        if isinstance(value, Fixture):
            return {"fx": value.name, "params": self.encode(value.params, depth + 1)}
        return self.opaque(value)

    def ndarray(self, value: np.ndarray) -> Any:
        if value.dtype.kind in NUMERIC_KINDS:
            return {"a": self.array(value)}
        if value.dtype.kind in "US":
            return {"s": value.astype(str).tolist()}
        return self.opaque(value)

    def tensor(self, value: Any) -> Any:
        data = value.detach().cpu()
        if data.is_complex():
            data = data.resolve_conj()
        dtype = str(data.dtype).removeprefix("torch.")
        if dtype in ("bfloat16", "float16"):
            data = data.float()
        meta = {"dtype": dtype, "requires_grad": bool(value.requires_grad)}
        return {"a": self.array(data.numpy()), "torch": meta}

    def opaque(self, value: Any) -> Any:
        if not self.allow_opaque:
            raise CodecError(f"cannot send a {type(value).__name__} as plain data")
        try:
            text = object.__repr__(value)
        except Exception:  # noqa: BLE001 - a student's object may fail in any way
            text = ""
        return {"o": type(value).__qualname__, "text": text[:200]}


def _base_value(value: Any) -> Any:
    if isinstance(value, int):
        return int.__index__(value)
    return str.__str__(value)


def encode(value: Any, *, allow_opaque: bool = False,
           numpy_scalars: bool = False) -> tuple[Any, list[bytes]]:
    """Return ``(tree, blobs)`` for a value; unknown objects become :class:`Opaque`.

    ``allow_opaque`` is for the worker, which must answer whatever a student returns.
    ``numpy_scalars`` keeps a ``np.float64`` a NumPy scalar (it is otherwise sent as the
    Python float it subclasses), for the SciPy oracle, whose values keep SciPy's types.
    """
    encoder = _Encoder(allow_opaque=allow_opaque, numpy_scalars=numpy_scalars)
    return encoder.encode(value, 0), encoder.blobs


TensorMaker = Callable[[np.ndarray, TensorInfo], Any]
FixtureMaker = Callable[[str, dict], Any]


class _Decoder:
    def __init__(self, blobs: list[bytes], tensor: TensorMaker | None,
                 fixture: FixtureMaker | None) -> None:
        self.blobs = blobs
        self.tensor = tensor
        self.fixture = fixture
        self.nodes = 0

    def blob(self, index: Any) -> bytes:
        if type(index) is not int or not 0 <= index < len(self.blobs):
            raise CodecError(f"reference to a missing blob {index!r}")
        return self.blobs[index]

    def array(self, index: Any) -> np.ndarray:
        array = read_npy(self.blob(index))
        if array.dtype.kind not in NUMERIC_KINDS or array.dtype.hasobject:
            raise CodecError(f"an array of non-numeric dtype {array.dtype}")
        return array

    def decode(self, tree: Any, depth: int) -> Any:  # noqa: C901 - one branch per marker
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            raise CodecError("the value is too deeply nested or too large")
        if tree is None or type(tree) in (bool, str, int, float):
            return tree
        if type(tree) is list:
            return [self.decode(item, depth + 1) for item in tree]
        if type(tree) is not dict:
            raise CodecError(f"unexpected {type(tree).__name__} in the tree")
        if "a" in tree:
            array = self.array(tree["a"])
            if tree.get("scalar"):
                return array[()] if array.ndim == 0 else array
            if "torch" in tree:
                if self.tensor is None:
                    return array
                meta = tree["torch"]
                return self.tensor(array, TensorInfo(str(meta.get("dtype", "")),
                                                     bool(meta.get("requires_grad"))))
            return array
        if "t" in tree:
            return tuple(self.decode(item, depth + 1) for item in self._list(tree["t"]))
        if "d" in tree:
            out = {}
            for pair in self._list(tree["d"]):
                if type(pair) is not list or len(pair) != 2:
                    raise CodecError("a malformed dict entry")
                key = self.decode(pair[0], depth + 1)
                try:
                    out[key] = self.decode(pair[1], depth + 1)
                except TypeError:
                    raise CodecError(f"an unhashable dict key {key!r}") from None
            return out
        if "f" in tree:
            if tree["f"] not in ("nan", "inf", "-inf"):
                raise CodecError(f"an unknown float {tree['f']!r}")
            return float(tree["f"])
        if "s" in tree:
            return np.array(self._list(tree["s"]), dtype=str)
        if "b" in tree:
            return self.blob(tree["b"])
        if "o" in tree:
            return Opaque(str(tree["o"])[:200], str(tree.get("text", ""))[:200])
        if "fx" in tree and self.fixture is not None:
            params = self.decode(tree.get("params", {"d": []}), depth + 1)
            return self.fixture(str(tree["fx"]), params)
        raise CodecError(f"an unknown marker {sorted(tree)!r}")

    @staticmethod
    def _list(value: Any) -> list:
        if type(value) is not list:
            raise CodecError(f"expected a list, got {type(value).__name__}")
        return value


def decode(tree: Any, blobs: list[bytes], *, tensor: TensorMaker | None = None,
           fixture: FixtureMaker | None = None) -> Any:
    """Rebuild a value from ``(tree, blobs)``; raise :class:`CodecError` on anything else.

    ``tensor`` turns a flagged array into a tensor (without it the array is returned);
    ``fixture`` builds a recipe (only the worker passes it).
    """
    return _Decoder(blobs, tensor, fixture).decode(tree, 0)


def torch_tensor(array: np.ndarray, info: TensorInfo) -> Any:
    """Make a tensor from a decoded array (imports torch on first use)."""
    import torch

    tensor = torch.from_numpy(np.array(array, copy=True))
    dtype = getattr(torch, info.dtype, None)
    if isinstance(dtype, torch.dtype) and dtype != tensor.dtype:
        tensor = tensor.to(dtype)
    return tensor
