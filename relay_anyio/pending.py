"""The commands waiting for an answer, by JSON-RPC id (pure: no I/O, no clock, no anyio).

A ``Command`` is settled once: answered (``response``), failed with a
reason the caller sees as an unsuccessful result (``failure``, e.g.
``"session lost"``) or with an exception (``error``). Settling calls the
table's ``settled`` callback (the session wakes the command's waiter); a
second answer to a settled command is ignored. A command stays in the
table until its caller ``discard()``s it, so a caller cancelled while it
was in flight can wait for the answer again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from . import protocol as p

__all__ = ["Command", "PendingTable"]


class Command:
    """One request and what became of it.

    ``params``: a dict, or packed (``protocol.pack``: what thousands of
    commands in flight keep); ``gen``: the connection it was last sent on (None = never sent);
    ``sent_at`` / ``queued_at``: clock readings of the last send / of the
    submission while no connection was up; ``blade``: a request tied to one
    connection (handshake step, ping), never re-sent; ``waiter``: whatever
    the I/O layer waits on (opaque here).
    """

    __slots__ = (
        "id", "method", "params", "call_id", "blade", "gen", "sent_at", "queued_at", "silent_retry",
        "response", "failure", "error", "waiter", "expired",
    )

    def __init__(
        self, method: str, params: dict[str, Any] | bytes, call_id: str | None = None, *, blade: bool = False,
        waiter: Any = None,
    ) -> None:
        self.id = p.new_id()
        self.method = method
        self.params = params
        self.call_id = call_id
        self.blade = blade
        self.gen: int | None = None
        self.sent_at = 0.0
        self.queued_at = 0.0
        self.silent_retry = False
        self.response: p.Response | p.ErrorResponse | None = None
        self.failure: str | None = None
        self.error: BaseException | None = None
        self.waiter = waiter
        self.expired = False

    def __repr__(self) -> str:
        return f"<Command {self.method} id={self.id} gen={self.gen} {'settled' if self.settled else 'waiting'}>"

    @property
    def sent(self) -> bool:
        """Whether it went out on some connection (the service may have run it)."""
        return self.gen is not None

    def expire(self) -> None:
        """Its deadline passed (the I/O layer's timer calls this): wake the waiter."""
        self.expired = True
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    @property
    def settled(self) -> bool:
        return self.response is not None or self.failure is not None or self.error is not None


class PendingTable:
    """Commands by id; ``settled(command)`` is called once per command, when it settles."""

    __slots__ = ("_by_id", "_settled")

    def __init__(self, settled: Callable[[Command], None]) -> None:
        self._by_id: dict[str, Command] = {}
        self._settled = settled

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, command_id: object) -> bool:
        return command_id in self._by_id

    def __iter__(self) -> Iterator[Command]:
        """A snapshot: settling or discarding while iterating is safe."""
        return iter(tuple(self._by_id.values()))

    def get(self, command_id: str) -> Command | None:
        return self._by_id.get(command_id)

    def add(self, command: Command) -> None:
        self._by_id[command.id] = command

    def discard(self, command: Command) -> None:
        self._by_id.pop(command.id, None)

    def answer(self, command: Command, response: p.Response | p.ErrorResponse) -> None:
        if not command.settled:
            command.response = response
            self._settled(command)

    def fail(self, command: Command, failure: str) -> None:
        if not command.settled:
            command.failure = failure
            self._settled(command)

    def raise_in(self, command: Command, error: BaseException) -> None:
        if not command.settled:
            command.error = error
            self._settled(command)
