"""Blade sessions: what survives a lost socket within the restore grace.

A session owns its protocol, subscription, contexts and calls. Events are
held in ``unacked`` until the client answers them, so a restore re-sends
exactly what the client may have missed, in order, with the same ids.
"""

from __future__ import annotations

import collections
import itertools
import secrets
import time
from collections.abc import Iterator

import anyio

from ..protocol import Message, Request, new_id
from ._connection import Connection

__all__ = ["Session", "SessionRegistry"]

# How many answered request ids a session remembers for duplicate detection.
# Re-sends only happen right after a reconnect, so recent ids are enough.
RESPONSE_MEMORY = 200_000


class Session:
    """One Blade session (identified by ``sessionid``)."""

    def __init__(self) -> None:
        self.id = new_id()
        self.nodeid = new_id()
        self.protocol: str | None = None
        self.subscribed = False
        self.contexts: set[str] = set()
        self.connection: Connection | None = None
        self.detached_at: float | None = time.monotonic()
        self.ignore_pings = False
        self.forgotten = False
        self.call_ids: set[str] = set()
        self.unacked: dict[str, Request] = {}
        self.responses: collections.OrderedDict[str, Message] = collections.OrderedDict()

    def __repr__(self) -> str:
        state = "attached" if self.connection else "away"
        return f"<Session {self.id} {state} contexts={sorted(self.contexts)}>"

    @property
    def attached(self) -> bool:
        return self.connection is not None

    def new_protocol(self) -> str:
        if self.protocol is None:
            self.protocol = "signalwire_" + secrets.token_hex(16)
        return self.protocol

    def deliver(self, request: Request, text: str | None = None) -> None:
        """Send a server request (event) now, or keep it for the restore.

        ``text``: the request already encoded (saves encoding it again).
        """
        self.unacked[request.id] = request
        if self.connection is not None:
            self.connection.send(request, None, text)

    def ack(self, request_id: str) -> bool:
        return self.unacked.pop(request_id, None) is not None

    def remember(self, request_id: str, response: Message) -> None:
        self.responses[request_id] = response
        if len(self.responses) > RESPONSE_MEMORY:
            self.responses.popitem(last=False)

    def attach(self, connection: Connection) -> None:
        """Bind a socket; the caller sends the connect result first, then
        ``replay`` re-sends what the client has not acknowledged."""
        old = self.connection
        if old is not None and old is not connection:
            # A client reconnecting over a half-open socket: the old one is dead.
            old.abort()
        self.connection = connection
        self.detached_at = None
        connection.session_id = self.id

    def replay(self) -> None:
        assert self.connection is not None
        for request in self.unacked.values():
            self.connection.send(request)

    def detach(self, connection: Connection) -> bool:
        """Forget the socket if it is still this session's; True if it was."""
        if self.connection is connection:
            self.connection = None
            self.detached_at = time.monotonic()
            return True
        return False


class SessionRegistry:
    """Sessions by id, and which sessions receive each context."""

    def __init__(self) -> None:
        self.by_id: dict[str, Session] = {}
        self._receivers: dict[str, list[Session]] = {}
        self._turn: dict[str, itertools.count[int]] = {}
        self._changed = anyio.Event()

    def __len__(self) -> int:
        return len(self.by_id)

    def __iter__(self) -> Iterator[Session]:
        return iter(list(self.by_id.values()))

    def get(self, session_id: str) -> Session | None:
        return self.by_id.get(session_id)

    def create(self) -> Session:
        session = Session()
        self.by_id[session.id] = session
        return session

    def remove(self, session: Session) -> None:
        session.forgotten = True
        self.by_id.pop(session.id, None)
        for context in session.contexts:
            receivers = self._receivers.get(context)
            if receivers and session in receivers:
                receivers.remove(session)
        self.notify()

    def add_contexts(self, session: Session, contexts: list[str]) -> None:
        for context in contexts:
            if context not in session.contexts:
                session.contexts.add(context)
                self._receivers.setdefault(context, []).append(session)
        self.notify()

    def notify(self) -> None:
        """Wake whoever waits for a receiver (a session came or came back)."""
        self._changed.set()
        self._changed = anyio.Event()

    def pick_receiver(self, context: str) -> Session | None:
        """Round-robin over the sessions receiving ``context``.

        Connected sessions first; a session that is away (within its
        restore grace) only when no connected one exists, since the
        service would queue the call for it.
        """
        receivers = self._receivers.get(context)
        if not receivers:
            return None
        turn = next(self._turn.setdefault(context, itertools.count()))
        n = len(receivers)
        for i in range(n):
            session = receivers[(turn + i) % n]
            if session.attached and session.subscribed:
                return session
        for i in range(n):
            session = receivers[(turn + i) % n]
            if session.subscribed:
                return session
        return None

    async def wait_changed(self) -> None:
        await self._changed.wait()
