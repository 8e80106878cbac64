"""One client WebSocket: an ordered outbox drained by a single writer task.

All frames for a socket go through ``send`` into one queue, so responses
and events leave in the order they were produced, and nobody but the
writer ever awaits the socket (a slow client slows only its own writer).
"""

from __future__ import annotations

import contextlib
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
        self._send: MemoryObjectSendStream[tuple[Message, str | None, str | None] | _Close]
        self._receive: MemoryObjectReceiveStream[tuple[Message, str | None, str | None] | _Close]
        # Unbounded: producers (call timers, other sessions) must never
        # block on a slow socket; memory is the only limit.
        self._send, self._receive = anyio.create_memory_object_stream(math.inf)
        self._scope = anyio.CancelScope()

    def __repr__(self) -> str:
        return f"<Connection #{self.number} session={self.session_id} closed={self.closed}>"

    def send(self, message: Message, answers: str | None = None, text: str | None = None) -> None:
        """Queue a frame (dropped silently once the socket is closing).

        ``answers``: for a response, the method it answers (for the journal).
        ``text``: the message already encoded, if the caller has it.
        """
        if not self.closed:
            self._send.send_nowait((message, answers, text))

    def close(self, code: int = CLOSE_NORMAL) -> None:
        """Close after the frames already queued have been written."""
        if not self.closed:
            self.closed = True
            self._send.send_nowait(_Close(code))
            self._send.close()  # the writer still drains what is queued

    def abort(self) -> None:
        """Drop the socket now: frames still queued are lost, as on a dead link."""
        self.closed = True
        self._send.close()
        self._scope.cancel()

    async def run_writer(self, asgi_send: AsgiSend) -> None:
        """Write queued frames until closed; returns when the socket should end."""
        with self._scope, self._send:  # whichever way the socket ends, both ends are closed
            async with self._receive:
                async for item in self._receive:
                    if isinstance(item, _Close):
                        with contextlib.suppress(Exception):  # the peer may already be gone
                            await asgi_send({"type": "websocket.close", "code": item.code})
                        return
                    text = self._prepare(item)
                    await asgi_send({"type": "websocket.send", "text": text})

    def _prepare(self, item: tuple[Message, str | None, str | None]) -> str:
        message, answers, text = item
        if text is None:
            text = encode(message)
        if self._journal.enabled:
            self._journal.record(self.session_id, "out", message.to_dict(), answers)
        return text

    async def run_batched_writer(
        self,
        write: Callable[[list[str]], Awaitable[None]],
        close: Callable[[int], Awaitable[None]],
        max_batch: int = 512,
    ) -> None:
        """Like ``run_writer``, but hands every frame already queued to one
        ``write`` call (one socket write for many frames: the lean server)."""
        receive = self._receive
        with self._scope, self._send:
            async with receive:
                async for item in receive:
                    batch: list[str] = []
                    while True:
                        if isinstance(item, _Close):
                            if batch:
                                await write(batch)
                            with contextlib.suppress(Exception):  # the peer may already be gone
                                await close(item.code)
                            return
                        batch.append(self._prepare(item))
                        if len(batch) >= max_batch:
                            break
                        try:
                            item = receive.receive_nowait()
                        except anyio.WouldBlock:
                            break
                    await write(batch)
