"""The WebSocket under a session: httpx-ws for the upgrade, wsproto for frames.

httpx-ws performs the HTTP upgrade and hands us the network stream through
its ``session_class`` hook. Its own session class delivers each message
through a background task and a zero-buffer stream (a task switch and a
cancel scope per frame), which measured as most of the client's CPU under
load. This class reads a chunk, lets wsproto parse every frame in it, and
returns them together; writes likewise go out many frames per write. wsproto
does all the framing; nothing here parses WebSocket bytes.

It also enforces ``max_frame_size`` while a fragmented message is being
assembled, which httpx-ws does not do.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import anyio
import httpcore
import wsproto.events
import wsproto.utilities
from wsproto.connection import Connection, ConnectionState, ConnectionType
from wsproto.frame_protocol import CloseReason

__all__ = ["RelaySocket", "SocketClosed", "FrameTooLarge"]

READ_CHUNK = 256 * 1024
WRITE_CHUNK = 64 * 1024  # bytes of frames encoded before they are written


class SocketClosed(Exception):
    """The peer closed the WebSocket or the network stream failed."""


class FrameTooLarge(Exception):
    """A message larger than the frame cap was dropped (the socket stays usable)."""

    def __init__(self, size: int) -> None:
        super().__init__(f"message of at least {size} bytes exceeds the frame cap")
        self.size = size


class RelaySocket:
    """A client WebSocket over an upgraded httpx network stream.

    Built by ``httpx_ws.aconnect_ws(..., session_class=RelaySocket)``, which
    passes the stream and its own options (we ignore its keep-alive: Relay
    pings at the Blade level).
    """

    max_frame_size = 4 * 1024 * 1024

    def __init__(self, stream: Any, **_options: Any) -> None:
        self.stream = stream
        self.connection = Connection(ConnectionType.CLIENT)
        self._write_lock = anyio.Lock()
        self._parts: list[str] = []
        self._parts_size = 0
        self._dropping = False
        self._oversized = 0
        self._closed_reason: str | None = None
        self.binary_dropped = 0

    async def __aenter__(self) -> RelaySocket:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        with anyio.CancelScope(shield=True), anyio.move_on_after(2):
            await self.close()

    async def receive_frames(self) -> list[str]:
        """Every complete text message in the next chunk read (maybe none).

        Raises SocketClosed at the end. Oversized messages are dropped and
        counted in ``take_oversized()``.
        """
        if self._closed_reason is not None:
            raise SocketClosed(self._closed_reason)
        try:
            data = await self.stream.read(READ_CHUNK)
        except (httpcore.ReadError, anyio.BrokenResourceError, anyio.ClosedResourceError, OSError) as exc:
            raise SocketClosed(f"read failed: {exc!r}") from exc
        if not data:
            raise SocketClosed("the peer closed the connection")
        self.connection.receive_data(data)
        texts: list[str] = []
        for event in self.connection.events():
            if isinstance(event, wsproto.events.TextMessage):
                self._collect(event, texts)
            elif isinstance(event, wsproto.events.Ping):
                await self._write(self.connection.send(event.response()))
            elif isinstance(event, wsproto.events.CloseConnection):
                # Frames that came before the close in this chunk still count:
                # hand them over now and report the close on the next read.
                self._closed_reason = f"closed by the peer ({event.code} {event.reason or ''})".strip()
                if self.connection.state is not ConnectionState.CLOSED:
                    try:
                        await self._write(self.connection.send(event.response()))
                    except SocketClosed:
                        pass
                break
            elif isinstance(event, wsproto.events.BytesMessage):
                self.binary_dropped += 1  # Relay speaks text only
            # Pongs carry nothing for Relay.
        if not texts and self._closed_reason is not None:
            raise SocketClosed(self._closed_reason)
        return texts

    def _collect(self, event: wsproto.events.TextMessage, texts: list[str]) -> None:
        if not self._dropping:
            self._parts.append(event.data)
            self._parts_size += len(event.data)
            if self._parts_size > self.max_frame_size:
                self._dropping = True
                self._oversized += 1
                self._parts.clear()
        if event.message_finished:
            if not self._dropping:
                texts.append(self._parts[0] if len(self._parts) == 1 else "".join(self._parts))
            self._parts.clear()
            self._parts_size = 0
            self._dropping = False

    def take_oversized(self) -> int:
        """How many oversized messages were dropped since the last call."""
        count, self._oversized = self._oversized, 0
        return count

    async def send_frames(self, frames: list[str]) -> None:
        """Write text messages, as few writes as ``WRITE_CHUNK`` allows.

        A burst (thousands of calls answering at once) queues megabytes of
        frames at one moment; encoding them all before the first write would
        make the process's peak memory hold every frame twice.
        """
        send = self.connection.send
        pieces: list[bytes] = []
        size = 0
        for frame in frames:
            piece = send(wsproto.events.TextMessage(data=frame))
            pieces.append(piece)
            size += len(piece)
            if size >= WRITE_CHUNK:
                await self._write(b"".join(pieces))
                pieces.clear()
                size = 0
        if pieces:
            await self._write(pieces[0] if len(pieces) == 1 else b"".join(pieces))

    async def _write(self, data: bytes) -> None:
        try:
            async with self._write_lock:
                await self.stream.write(data)
        except (httpcore.WriteError, anyio.BrokenResourceError, anyio.ClosedResourceError, OSError) as exc:
            raise SocketClosed(f"write failed: {exc!r}") from exc

    async def close(self) -> None:
        """Send a close frame if we still can, then close the stream."""
        try:
            if self.connection.state is ConnectionState.OPEN:
                await self._write(self.connection.send(wsproto.events.CloseConnection(CloseReason.NORMAL_CLOSURE)))
        except (SocketClosed, wsproto.utilities.LocalProtocolError):
            pass  # the peer is gone: nothing to say goodbye to
        finally:
            await self.stream.aclose()
