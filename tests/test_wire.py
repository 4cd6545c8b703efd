from __future__ import annotations

import socket
import struct
import threading
import time

import pytest

from grader import wire


@pytest.fixture
def pair():
    a, b = socket.socketpair()
    yield a, b
    a.close()
    b.close()


def test_frame_round_trip(pair):
    a, b = pair
    wire.send(a, {"x": [1, 2]}, [b"abc", b""])
    assert wire.recv(b, limit=1000) == ({"x": [1, 2]}, [b"abc", b""])


def test_large_frames_are_sent_in_parts(pair):
    a, b = pair
    blob = bytes(3 << 20)
    sender = threading.Thread(target=wire.send, args=(a, {"big": True}, [blob]))
    sender.start()
    message, blobs = wire.recv(b, limit=4 << 20)
    sender.join()
    assert message == {"big": True} and blobs[0] == blob


def test_announced_size_is_checked_before_reading(pair):
    a, b = pair
    a.sendall(wire.FRAME.pack(10**12, 0))
    with pytest.raises(wire.FrameTooLarge):
        wire.recv(b, limit=1 << 20)


def test_blob_sizes_count_against_the_limit(pair):
    a, b = pair
    a.sendall(wire.FRAME.pack(2, 1) + b"{}" + struct.pack("!Q", 5000))
    with pytest.raises(wire.FrameTooLarge):
        wire.recv(b, limit=1000)


def test_closed_peer(pair):
    a, b = pair
    a.close()
    with pytest.raises(wire.Closed):
        wire.recv(b, limit=1000)


def test_deadline(pair):
    _, b = pair
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        wire.recv(b, limit=1000, deadline=time.monotonic() + 0.2)
    assert time.monotonic() - started < 2


def test_not_json(pair):
    a, b = pair
    a.sendall(wire.FRAME.pack(3, 0) + b"\xff\x00{")
    with pytest.raises(wire.WireError):
        wire.recv(b, limit=1000)
