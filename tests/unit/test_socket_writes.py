"""RelaySocket writes a burst of frames in bounded writes, every frame intact and in order.

The socket runs over an in-memory stream (what httpx-ws would hand it after
the upgrade); a wsproto server connection reads what was written.
"""

from __future__ import annotations

import pytest
from wsproto.connection import Connection, ConnectionType
from wsproto.events import TextMessage

from relay_anyio._socket import WRITE_CHUNK, RelaySocket

pytestmark = pytest.mark.anyio


class MemoryStream:
    def __init__(self) -> None:
        self.writes: list[bytes] = []

    async def write(self, data: bytes) -> None:
        self.writes.append(data)

    async def read(self, max_bytes: int) -> bytes:
        return b""

    async def aclose(self) -> None:
        pass


def read_back(writes: list[bytes]) -> list[str]:
    server = Connection(ConnectionType.SERVER)
    server.receive_data(b"".join(writes))
    return [event.data for event in server.events() if isinstance(event, TextMessage)]


async def test_a_burst_goes_out_in_bounded_writes_in_order() -> None:
    stream = MemoryStream()
    socket = RelaySocket(stream)
    frames = [f'{{"n":{n},"pad":"{"x" * 300}"}}' for n in range(2_000)]  # ~640 KB
    await socket.send_frames(frames)
    assert read_back(stream.writes) == frames
    assert len(stream.writes) > 1
    frame_bytes = max(len(f) for f in frames) + 14  # a frame's header and mask at most
    assert all(len(data) < WRITE_CHUNK + frame_bytes for data in stream.writes)


async def test_a_few_frames_go_out_in_one_write() -> None:
    stream = MemoryStream()
    socket = RelaySocket(stream)
    await socket.send_frames(["a", "b", "c"])
    assert len(stream.writes) == 1
    assert read_back(stream.writes) == ["a", "b", "c"]
