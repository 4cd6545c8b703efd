from __future__ import annotations

import io
import math

import numpy as np
import pytest
import torch

from grader import codec


def roundtrip(value, **kwargs):
    tree, blobs = codec.encode(value, allow_opaque=True)
    return codec.decode(tree, blobs, **kwargs)


@pytest.mark.parametrize("value", [None, True, 0, -7, 10**30, 1.5, "text", "", [1, 2.5],
                                   (1, "a"), {"a": 1, "b": [1.0]}, {1.0: "x", (1, 2): 3}, b"\x00"])
def test_plain_values_round_trip(value):
    assert roundtrip(value) == value
    assert type(roundtrip(value)) is type(value)


def test_non_finite_floats_round_trip_as_strict_json():
    tree, _ = codec.encode([math.inf, -math.inf, math.nan])
    import json
    json.dumps(tree, allow_nan=False)  # strict JSON
    got = roundtrip([math.inf, -math.inf, math.nan])
    assert got[0] == math.inf and got[1] == -math.inf and math.isnan(got[2])


@pytest.mark.parametrize("array", [np.arange(6.0).reshape(2, 3), np.arange(6).reshape(2, 3).T,
                                   np.array(2.5), np.zeros((0, 3)), np.array([True, False]),
                                   np.array([1 + 2j])])
def test_arrays_keep_shape_dtype_and_values(array):
    got = roundtrip(array)
    assert isinstance(got, np.ndarray)
    assert got.shape == array.shape and got.dtype == array.dtype
    np.testing.assert_array_equal(got, array)


def test_numpy_scalar_stays_a_scalar():
    got = roundtrip(np.float32(1.25))
    assert isinstance(got, np.float32) and got == np.float32(1.25)


def test_tensor_travels_as_array_plus_flag():
    tensor = torch.arange(4.0, dtype=torch.float64, requires_grad=True) * 2
    plain = roundtrip(tensor)
    assert isinstance(plain, np.ndarray)  # without a tensor maker: the array
    back = roundtrip(tensor, tensor=codec.torch_tensor)
    assert isinstance(back, torch.Tensor) and back.dtype == torch.float64
    assert torch.equal(back, tensor.detach())
    scalar = roundtrip(torch.tensor(3.0), tensor=codec.torch_tensor)
    assert scalar.shape == () and float(scalar) == 3.0


def test_subclasses_are_sent_as_their_plain_value():
    class AlwaysEqual(float):
        def __eq__(self, other):
            return True

        __hash__ = float.__hash__

    class Sneaky(np.ndarray):
        def __eq__(self, other):
            return True

    got = roundtrip(AlwaysEqual(0.25))
    assert type(got) is float and got == 0.25 and got != 0.5
    sneaky = roundtrip(np.arange(3.0).view(Sneaky))
    assert type(sneaky) is np.ndarray


def test_unknown_objects_become_opaque_on_the_worker_side_only():
    class Thing:
        pass

    got = roundtrip([Thing()])
    assert isinstance(got[0], codec.Opaque) and got[0].type_name.endswith("Thing")
    with pytest.raises(codec.CodecError):
        codec.encode(Thing())


def test_object_arrays_are_never_loaded():
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(codec.CodecError):
        codec.decode({"a": 0}, [buffer.getvalue()])


@pytest.mark.parametrize("tree, blobs", [({"a": 3}, []), ({"zz": 1}, []), ({"f": "1e9"}, []),
                                         ({"d": [[1]]}, []), ({"d": [[[1], 2]]}, []),
                                         ({"a": 0}, [b"garbage"]), ({"t": 5}, [])])
def test_malformed_trees_are_refused(tree, blobs):
    with pytest.raises(codec.CodecError):
        codec.decode(tree, blobs)


def test_depth_is_limited():
    value: list = []
    for _ in range(codec.MAX_DEPTH + 5):
        value = [value]
    with pytest.raises(codec.CodecError):
        codec.encode(value)


def test_fixture_recipes_are_built_only_when_a_builder_is_given():
    tree, blobs = codec.encode(codec.Fixture("thing", size=3))
    built = codec.decode(tree, blobs, fixture=lambda name, params: (name, params))
    assert built == ("thing", {"size": 3})
    with pytest.raises(codec.CodecError):
        codec.decode(tree, blobs)


@pytest.mark.parametrize("array", [np.arange(6.0).reshape(2, 3), np.array(2.5), np.zeros((0, 3)),
                                   np.array([True]), np.arange(4, dtype=">i4"),
                                   np.arange(24.0).reshape(2, 3, 4)[:, ::2]])
def test_npy_bytes_are_numpys_own_format(array):
    written = codec.write_npy(array)
    np.testing.assert_array_equal(np.load(io.BytesIO(written), allow_pickle=False), array)
    saved = io.BytesIO()
    np.save(saved, array, allow_pickle=False)
    for data in (written, saved.getvalue()):
        back = codec.read_npy(data)
        assert back.shape == array.shape and back.dtype == array.dtype
        np.testing.assert_array_equal(back, array)
        assert back.flags.writeable  # a student may change its inputs in place


def test_npy_header_and_size_are_checked():
    good = codec.write_npy(np.arange(4.0))
    with pytest.raises(codec.CodecError, match="size"):
        codec.read_npy(good[:-8])
    with pytest.raises(codec.CodecError):
        codec.read_npy(b"\x93NUMPY\x01\x00" + b"\x05\x00" + b"{'des")
    with pytest.raises(codec.CodecError):
        codec.write_npy(np.array(["text"]))
