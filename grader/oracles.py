"""The second oracle: SciPy, without its import cost in the grading process.

The hidden suites check the reference against SciPy on every case (a disagreement is a
grader bug), and the public suites take their expected values from SciPy's formulas.

Two costs are kept off a student's ``grade exNN``:

* ``scipy.stats.entropy`` is a thin layer over ``scipy.special.entr`` and
  ``scipy.special.rel_entr``, but importing ``scipy.stats`` costs about 0.6 s, more than a
  whole ``grade ex10``. :func:`entropy` is the same computation on the same SciPy kernels,
  with the same conventions; ``tests/test_oracles.py`` checks that it equals
  ``scipy.stats.entropy`` on random, degenerate and infinite cases.
* Even ``scipy.special`` costs about 0.15 s to import, on the grading process's path. The
  suites call it through :data:`special` (``oracles.special.xlogy(p, q)``): once
  :func:`connect` has been given the socket of the oracle process the zygote forked
  (:mod:`grader.worker.oracle`, started with the zygote by a single student's grading),
  the calls are evaluated there, where SciPy was imported on the other core while pytest
  started here. Without a connection (batch grading, the project's tests), or if the
  oracle process is gone, ``scipy.special`` is imported here and called directly: the
  values are the same bits either way (``tests/test_oracle_process.py``).
"""

from __future__ import annotations

import json
import math
import socket
import threading
import time
from typing import Any

import numpy as np

from grader import codec, wire
from grader.worker.oracle import FUNCTIONS

#: how long a call waits for the oracle process (still importing SciPy) before computing here
WAIT = 30.0
MAX_ANSWER = 1 << 30

#: answers kept per connection: requests of at most this many bytes, this many of them
MEMO_BYTES = 1 << 16
MEMO_ENTRIES = 4096

_lock = threading.RLock()
_remote: socket.socket | None = None
_memo: dict[tuple, Any] = {}


def connect(sock: socket.socket | None) -> None:
    """Evaluate :data:`special` calls in the oracle process on ``sock`` (None: here)."""
    global _remote
    with _lock:
        _remote = sock
        _memo.clear()


def _local(name: str) -> Any:
    import scipy.special

    return getattr(scipy.special, name)


def _remote_call(sock: socket.socket, name: str, args: tuple, kwargs: dict) -> Any:
    """The value from the oracle process; raises ``LookupError`` to compute it here.

    A suite often asks for the same value twice (the expected value, then a misconception
    built on it): answers to small requests are kept for the connection's life (a round
    trip costs about as much as the call itself), and an array comes back as a copy.
    """
    try:
        tree, blobs = codec.encode((args, kwargs), numpy_scalars=True)
    except codec.CodecError as exc:  # an argument the codec does not carry: this call only
        raise LookupError(str(exc)) from None
    key = (name, json.dumps(tree), *blobs) if sum(map(len, blobs)) <= MEMO_BYTES else None
    if key is not None and key in _memo:
        value = _memo[key]
        return value.copy() if isinstance(value, np.ndarray) else value
    try:
        deadline = time.monotonic() + WAIT
        wire.send(sock, {"fn": name, "args": tree}, blobs, deadline=deadline)
        answer, blobs = wire.recv(sock, limit=MAX_ANSWER, deadline=deadline)
        if "value" not in answer:  # SciPy raised: raise the same exception here
            raise LookupError(answer.get("error"))
        value = codec.decode(answer["value"], blobs)
    except (wire.WireError, OSError, codec.CodecError, ValueError, TypeError) as exc:
        connect(None)  # a broken or late oracle process is not asked again
        raise LookupError(str(exc)) from None
    if key is not None and len(_memo) < MEMO_ENTRIES:
        _memo[key] = value.copy() if isinstance(value, np.ndarray) else value
    return value


def _call(name: str, *args: Any, **kwargs: Any) -> Any:
    with _lock:
        sock = _remote
        if sock is not None:
            try:
                return _remote_call(sock, name, args, kwargs)
            except LookupError:
                pass
    return _local(name)(*args, **kwargs)


class _Special:
    """``scipy.special``'s functions the suites use, evaluated where it is cheapest."""

    def __getattr__(self, name: str) -> Any:
        if name not in FUNCTIONS:
            raise AttributeError(f"grader.oracles.special has no {name!r} (add it to "
                                 "grader.worker.oracle.FUNCTIONS)")
        return lambda *args, **kwargs: _call(name, *args, **kwargs)

    def __dir__(self) -> list[str]:
        return sorted(FUNCTIONS)


special = _Special()


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
    vec = special.entr(pk) if qk is None else special.rel_entr(pk, qk)
    total = np.sum(vec, axis=axis)
    if base is not None:
        total = total / math.log(base)
    return total[()] if isinstance(total, np.ndarray) and total.ndim == 0 else total


__all__ = ["connect", "entropy", "special"]
