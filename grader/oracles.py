"""The second oracle: SciPy's entropy, without importing ``scipy.stats``.

The hidden suites check the reference against SciPy on every case (a disagreement is a
grader bug). ``scipy.stats.entropy`` is a thin layer over ``scipy.special.entr`` and
``scipy.special.rel_entr``, but importing ``scipy.stats`` costs about 0.6 s, more than a
whole ``grade ex10``. :func:`entropy` is the same computation on the same SciPy kernels,
with the same conventions; ``tests/test_oracles.py`` checks that it equals
``scipy.stats.entropy`` on random, degenerate and infinite cases.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.special


def entropy(pk: Any, qk: Any = None, base: float | None = None, axis: int = 0) -> Any:
    """``scipy.stats.entropy(pk, qk, base, axis)``: H(P), or KL(P||Q) when ``qk`` is given.

    Both are normalised to sum to 1 along ``axis`` first; ``0 log 0 = 0``; KL is ``inf``
    where ``q = 0 < p``; ``base`` changes the unit (nats by default).
    """
    if base is not None and base <= 0:
        raise ValueError("`base` must be a positive number or `None`.")
    pk = np.asarray(pk, dtype=np.result_type(np.asarray(pk).dtype, np.float64))
    with np.errstate(invalid="ignore"):
        if qk is not None:
            qk = np.asarray(qk, dtype=np.result_type(np.asarray(qk).dtype, np.float64))
            pk, qk = np.broadcast_arrays(pk, qk)
            qk = qk / np.sum(qk, axis=axis, keepdims=True)
        pk = pk / np.sum(pk, axis=axis, keepdims=True)
    vec = scipy.special.entr(pk) if qk is None else scipy.special.rel_entr(pk, qk)
    total = np.sum(vec, axis=axis)
    if base is not None:
        total = total / math.log(base)
    return total[()] if isinstance(total, np.ndarray) and total.ndim == 0 else total


__all__ = ["entropy"]
