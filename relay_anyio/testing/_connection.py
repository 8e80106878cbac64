"""One client WebSocket: an ordered outbox drained by a single writer task.

All frames for a socket go through ``send`` into one queue, so responses
and events leave in the order they were produced, and nobody but the
writer ever awaits the socket (a slow client slows only its own writer).
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from ..protocol import Message, encode
from ._journal import Journal

__all__ = ["Connection"]

AsgiSend = Callable[[dict[str, Any]], Awaitable[None]]

# Close codes: 1001 after blade.disconnect (going away), 1011 for a fault
# drop (abnormal from the client's point of view), 1000 when shutting down.
CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_DROPPED = 1011


class _Close:
    __slots__ = ("code",)

    def __init__(self, code: int) -> None:
        self.code = code


class Connection:
    """The outbound side of one socket, plus its identity for the journal."""

    _counter = 0

    def __init__(self, journal: Journal) -> None:
        Connection._counter += 1
        self.number = Connection._counter
        self.session_id: str | None = None
        self.closed = False
        self._journal = journal
        self._send: MemoryObjectSendStream[tuple[Message, str | None] | _Close]
        self._receive: MemoryObjectReceiveStream[tuple[Message, str | None] | _Close]
        # Unbounded: producers (call timers, other sessions) must never
        # block on a slow socket; memory is the only limit.
        self._send, self._receive = anyio.create_memory_object_stream(math.inf)
        self._scope = anyio.CancelScope()

    def __repr__(self) -> str:
        return f"<Connection #{self.number} session={self.session_id} closed={self.closed}>"

    def send(self, message: Message, answers: str | None = None) -> None:
        """Queue a frame (dropped silently once the socket is closing).

        ``answers``: for a response, the method it answers (for the journal).
        """
        if not self.closed:
            self._send.send_nowait((message, answers))

    def close(self, code: int = CLOSE_NORMAL) -> None:
        """Close after the frames already queued have been written."""
        if not self.closed:
            self.closed = True
            self._send.send_nowait(_Close(code))

    def abort(self) -> None:
        """Drop the socket now: frames still queued are lost, as on a dead link."""
        self.closed = True
        self._scope.cancel()

    async def run_writer(self, asgi_send: AsgiSend) -> None:
        """Write queued frames until closed; returns when the socket should end."""
        with self._scope:
            async with self._receive:
                async for item in self._receive:
                    if isinstance(item, _Close):
                        try:
                            await asgi_send({"type": "websocket.close", "code": item.code})
                        except Exception:  # the peer may already be gone
                            pass
                        return
                    message, answers = item
                    text = encode(message)
                    self._journal.record(self.session_id, "out", message.to_dict(), answers)
                    await asgi_send({"type": "websocket.send", "text": text})
