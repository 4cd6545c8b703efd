"""The SciPy oracle process: evaluates ``scipy.special`` for the grading process.

Importing ``scipy.special`` costs about 0.15 s of CPU (most of it SciPy's array-API layer
cloning NumPy's namespace). In a single student's ``grade exNN`` the grading process is the
longest path (pytest, collection, the checks) while the zygote's core is idle after
NumPy, so the zygote forks this process right after NumPy: it imports SciPy there,
and the suites' SciPy calls (:data:`grader.oracles.special`) come here over a socket.

It is the grader's own process: forked from the zygote before any child and never
confined, it runs no student code and talks only to the grading process. Requests and
answers use the same plain-data encoding as the children (:mod:`grader.codec`, no pickle).
A request is ``{"fn": name, "args": tree}`` with ``name`` one of :data:`FUNCTIONS`; the
answer is ``{"value": tree}`` or ``{"error": text}``.
"""

from __future__ import annotations

import contextlib
import os
import socket
import traceback

from grader import codec, wire

#: what the suites may ask for (``grader.oracles.special`` offers exactly these)
FUNCTIONS = frozenset({"entr", "rel_entr", "xlogy", "softmax", "log_softmax", "logsumexp"})
MAX_REQUEST = 1 << 30
#: the oracle's niceness: SciPy's import runs in the time the zygote and the grading process
#: leave free (on 2 cores the three compete while pytest starts; the zygote is then the
#: longest path of a plotting exercise: ``grade ex11`` about 30 ms faster, ex10 unchanged)
NICE = 10


def serve(sock: socket.socket) -> None:
    """Answer requests until the grading process closes the socket."""
    with contextlib.suppress(OSError):
        os.nice(NICE)  # lowering one's own priority needs no privilege
    import scipy.special

    while True:
        try:
            request, blobs = wire.recv(sock, limit=MAX_REQUEST)
        except (wire.WireError, OSError):
            return
        try:
            name = request["fn"]
            if name not in FUNCTIONS:
                raise ValueError(f"not an oracle function: {name!r}")
            args, kwargs = codec.decode(request["args"], blobs)
            tree, out = codec.encode(getattr(scipy.special, name)(*args, **kwargs),
                                     numpy_scalars=True)
            answer = {"value": tree}
        except Exception as exc:  # noqa: BLE001 - the grading process decides what it means
            answer, out = {"error": "".join(traceback.format_exception_only(exc)).strip()}, []
        try:
            wire.send(sock, answer, out)
        except OSError:
            return


def main(fd: int) -> None:
    """Run in the process the zygote forked for this: serve, then exit."""
    try:
        serve(socket.socket(fileno=fd))
    finally:
        os._exit(0)
