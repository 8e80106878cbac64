"""A record of every frame the simulator received and sent.

Tests assert wire frames with it instead of sleeping: ``await
sim.journal.wait_for(method="calling.play")``. Benchmarks turn it off
(``journal=False``) or bound it (``journal_limit``): appending is O(1) and
filters are only paid for when someone reads.
"""

from __future__ import annotations

import collections
import json
import math
import time
from collections.abc import Iterator
from typing import IO, Any, Literal

import anyio
import attrs

from ..wire import TASKS_EVENTS
from . import _checks as check

__all__ = ["Journal", "JournalEntry"]

Direction = Literal["in", "out"]
DIRECTIONS: tuple[str, ...] = ("in", "out")


@attrs.frozen
class JournalEntry:
    """One frame on the wire.

    seq: position in the journal (from 1). time: wall-clock seconds.
    session: the Blade session id (None before blade.connect succeeded).
    direction: "in" (client -> simulator) or "out". frame: the JSON object.
    answers: for a response the simulator sent, the method of the request
    it answers (the relay method for blade.execute), so that
    ``filter(method="calling.play", direction="out")`` finds the answers.
    """

    seq: int
    time: float
    session: str | None
    direction: Direction
    frame: dict[str, Any] = attrs.field(repr=False)
    answers: str | None = None

    @property
    def method(self) -> str | None:
        """The frame's method (None for responses)."""
        method = self.frame.get("method")
        return method if isinstance(method, str) else None

    @property
    def relay_method(self) -> str | None:
        """For blade.execute, the inner relay method (``calling.play``)."""
        if self.method != "blade.execute":
            return None
        params = self.frame.get("params")
        inner = params.get("method") if isinstance(params, dict) else None
        return inner if isinstance(inner, str) else None

    @property
    def event_type(self) -> str | None:
        """For blade.broadcast, the relay event type (``calling.call.state``)."""
        if self.method != "blade.broadcast":
            return None
        if self.frame.get("params", {}).get("event") == TASKS_EVENTS:
            return TASKS_EVENTS  # a task's broadcast names no event_type of its own
        try:
            event_type = self.frame["params"]["params"]["event_type"]
        except (KeyError, TypeError):
            return None
        return event_type if isinstance(event_type, str) else None

    def matches(
        self,
        method: str | None = None,
        event: str | None = None,
        direction: str | None = None,
        session: str | None = None,
    ) -> bool:
        if direction is not None and self.direction != direction:
            return False
        if session is not None and self.session != session:
            return False
        if (
            method is not None
            and method != self.method
            and method != self.relay_method
            and method != self.answers
        ):
            return False
        return event is None or event == self.event_type

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time,
            "session": self.session,
            "direction": self.direction,
            "frame": self.frame,
            "answers": self.answers,
        }


class _Waiter:
    __slots__ = ("count", "direction", "done", "event", "found", "method", "session")

    def __init__(
        self, method: str | None, event: str | None, direction: str | None, session: str | None, count: int
    ) -> None:
        self.method, self.event, self.direction, self.session = method, event, direction, session
        self.count = count
        self.found: list[JournalEntry] = []
        self.done = anyio.Event()


class Journal:
    """Every frame in and out, in wire order.

    ``limit`` keeps only the newest entries (None = all). A disabled journal
    records nothing, and ``wait_for`` on it fails at once.
    """

    def __init__(self, enabled: bool = True, limit: int | None = None) -> None:
        if limit is not None and limit <= 0:
            raise ValueError(f"journal_limit must be a positive number of entries, got {limit!r}")
        self.enabled = enabled
        self.limit = limit
        self._entries: collections.deque[JournalEntry] = collections.deque(maxlen=limit)
        self._seq = 0
        self._waiters: list[_Waiter] = []

    def record(
        self,
        session: str | None,
        direction: Direction,
        frame: dict[str, Any],
        answers: str | None = None,
    ) -> None:
        if not self.enabled:
            return
        self._seq += 1
        entry = JournalEntry(self._seq, time.time(), session, direction, frame, answers)
        self._entries.append(entry)
        if self._waiters:
            self._feed_waiters(entry)

    def _feed_waiters(self, entry: JournalEntry) -> None:
        for waiter in list(self._waiters):
            if entry.matches(waiter.method, waiter.event, waiter.direction, waiter.session):
                waiter.found.append(entry)
                if len(waiter.found) >= waiter.count:
                    waiter.done.set()
                    self._waiters.remove(waiter)

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[JournalEntry]:
        return iter(list(self._entries))

    @property
    def entries(self) -> list[JournalEntry]:
        return list(self._entries)

    def clear(self) -> None:
        self._entries.clear()

    def filter(
        self,
        method: str | None = None,
        *,
        event: str | None = None,
        direction: str | None = None,
        session: str | None = None,
        since: int = 0,
    ) -> list[JournalEntry]:
        """Entries matching every given criterion.

        ``method`` matches the frame's method or, for blade.execute, the
        inner relay method; ``event`` the event_type of a blade.broadcast;
        ``since`` keeps entries with seq > since.
        """
        _check_criteria(method, event, direction, session)
        check.count("since", since)
        return [
            e
            for e in self._entries
            if e.seq > since and e.matches(method, event, direction, session)
        ]

    def commands(self, method: str, *, session: str | None = None) -> list[dict[str, Any]]:
        """The inner ``params`` of every blade.execute request of ``method`` received."""
        return [
            e.frame["params"].get("params", {})
            for e in self.filter(method=method, direction="in", session=session)
            if e.relay_method == method
        ]

    def events(self, event: str, *, session: str | None = None) -> list[dict[str, Any]]:
        """The inner params of every ``event`` broadcast sent (a task's: ``{context, message}``)."""
        return [
            e.frame["params"]["params"] if event == TASKS_EVENTS else e.frame["params"]["params"]["params"]
            for e in self.filter(event=event, direction="out", session=session)
        ]

    async def wait_for(
        self,
        method: str | None = None,
        *,
        event: str | None = None,
        direction: str | None = None,
        session: str | None = None,
        count: int = 1,
        timeout: float | None = 5.0,
    ) -> list[JournalEntry]:
        """Wait until ``count`` matching entries exist (those already there count).

        Returns the first ``count`` matches. Raises TimeoutError after
        ``timeout`` seconds (None = wait forever).
        """
        check.count("count", count, minimum=1)
        check.seconds("timeout", timeout)
        if not self.enabled:
            raise RuntimeError("the journal is disabled (RelaySimulator(journal=False))")
        found = self.filter(method, event=event, direction=direction, session=session)
        if len(found) >= count:
            return found[:count]
        waiter = _Waiter(method, event, direction, session, count)
        waiter.found = found
        self._waiters.append(waiter)
        try:
            with anyio.fail_after(math.inf if timeout is None else timeout):
                await waiter.done.wait()
        except TimeoutError:
            raise TimeoutError(
                f"journal: {len(waiter.found)} of {count} frame(s) matching "
                f"method={method!r} event={event!r} direction={direction!r} "
                f"within {timeout} s"
            ) from None
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
        return waiter.found[:count]

    def dump(self, fileobj: IO[str], **criteria: Any) -> int:
        """Write matching entries as JSON lines; returns how many."""
        n = 0
        for entry in self.filter(**criteria):
            fileobj.write(json.dumps(entry.to_dict(), separators=(",", ":"), default=str))
            fileobj.write("\n")
            n += 1
        return n


def _check_criteria(method: Any, event: Any, direction: Any, session: Any) -> None:
    """The journal's filters: each None or a non-empty string; ``direction`` "in" or "out"."""
    for name, value in (("method", method), ("event", event), ("session", session)):
        if value is not None:
            check.text(name, value)
    if direction is not None:
        check.choice("direction", direction, DIRECTIONS)
