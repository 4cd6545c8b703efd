"""Length-prefixed frames of JSON plus binary blobs over a stream socket.

A frame is ``[json length: u64][blob count: u32][json][blob length: u64][blob]...``. The
reader checks every announced length against its limit before it allocates anything, so
a peer cannot make it read more than it agreed to.
"""

from __future__ import annotations

import json
import socket
import struct
import time
from typing import Any

FRAME = struct.Struct("!QI")
BLOB = struct.Struct("!Q")
MAX_BLOBS = 10_000


class WireError(Exception):
    """The peer sent something that is not a frame, or went away."""


class Closed(WireError):
    """The peer closed the connection (it exited or crashed)."""


class FrameTooLarge(WireError):
    """The peer announced more bytes than the reader accepts."""


def send(sock: socket.socket, message: dict, blobs: list[bytes] | tuple = (),
         deadline: float | None = None) -> None:
    """Write one frame; raise ``TimeoutError`` if the peer does not take it by ``deadline``."""
    if deadline is None:
        sock.settimeout(None)
    else:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no time left to send")
        sock.settimeout(remaining)
    body = json.dumps(message, allow_nan=False, separators=(",", ":")).encode()
    parts = [FRAME.pack(len(body), len(blobs)), body]
    for blob in blobs:
        parts.append(BLOB.pack(len(blob)))
        parts.append(blob)
    if sum(len(part) for part in parts) < (1 << 20):
        sock.sendall(b"".join(parts))  # one system call for the usual small frame
        return
    for part in parts:
        sock.sendall(part)


def recv(sock: socket.socket, *, limit: int, deadline: float | None = None
         ) -> tuple[Any, list[bytes]]:
    """Read one frame; raise :class:`Closed`, :class:`FrameTooLarge` or ``TimeoutError``.

    ``deadline`` is a ``time.monotonic()`` instant; ``None`` waits for ever.
    """
    body_length, count = FRAME.unpack(_read(sock, FRAME.size, deadline))
    if count > MAX_BLOBS:
        raise FrameTooLarge(f"{count} blobs (at most {MAX_BLOBS})")
    budget = limit - body_length
    if budget < 0:
        raise FrameTooLarge(f"{body_length} bytes (at most {limit})")
    body = _read(sock, body_length, deadline)
    blobs = []
    for _ in range(count):
        (length,) = BLOB.unpack(_read(sock, BLOB.size, deadline))
        budget -= length
        if budget < 0:
            raise FrameTooLarge(f"more than {limit} bytes")
        blobs.append(_read(sock, length, deadline))
    try:
        message = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise WireError(f"a frame that is not JSON: {exc}") from None
    return message, blobs


def _read(sock: socket.socket, size: int, deadline: float | None) -> bytes:
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no answer in time")
            sock.settimeout(remaining)
        else:
            sock.settimeout(None)
        try:
            n = sock.recv_into(view[got:], size - got)
        except ConnectionResetError:
            n = 0
        if n == 0:
            raise Closed("the peer closed the connection")
        got += n
    return bytes(buffer)
