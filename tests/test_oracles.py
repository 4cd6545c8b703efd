"""grader.oracles.entropy is scipy.stats.entropy, without its import cost."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats

from grader import oracles


def cases():
    rng = np.random.default_rng(7)
    for size in (1, 2, 3, 10, 1000):
        p, q = rng.dirichlet(np.ones(size)), rng.dirichlet(np.ones(size) * 0.1)
        yield p, q
        yield p * 7.5, q * 0.01                      # unnormalised weights
    yield np.array([0.5, 0.5, 0.0]), np.array([0.5, 0.0, 0.5])   # q = 0 < p: inf
    yield np.array([1.0, 0.0]), np.array([0.0, 1.0])
    yield np.array([0.0, 0.0]), np.array([0.5, 0.5])             # all-zero: nan
    yield [0.2, 0.8], (0.5, 0.5)                                 # lists and tuples
    yield np.array([1e-300, 1.0]), np.array([1.0, 1e-300])


@pytest.mark.parametrize("base", [None, 2, 10, np.e])
def test_entropy_and_kl_equal_scipy_stats(base):
    for p, q in cases():
        for args in ((p,), (p, q)):
            ours = oracles.entropy(*args, base=base)
            theirs = scipy.stats.entropy(*args, base=base)
            np.testing.assert_array_equal(ours, theirs)


def test_axis_and_2d_tables_equal_scipy_stats():
    table = np.random.default_rng(3).random((4, 5))
    for axis in (0, 1):
        np.testing.assert_array_equal(oracles.entropy(table, axis=axis),
                                      scipy.stats.entropy(table, axis=axis))
        np.testing.assert_array_equal(oracles.entropy(table, table[::-1], axis=axis),
                                      scipy.stats.entropy(table, table[::-1], axis=axis))


def test_a_scalar_result_is_a_numpy_scalar_like_scipys():
    assert np.ndim(oracles.entropy([0.5, 0.5])) == 0
    assert type(oracles.entropy([0.5, 0.5])) is type(scipy.stats.entropy([0.5, 0.5]))


def test_bad_base_is_refused_like_scipy():
    with pytest.raises(ValueError):
        oracles.entropy([0.5, 0.5], base=-1)
