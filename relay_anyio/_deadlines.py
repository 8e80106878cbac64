"""Command timeouts for thousands of waiters with one timer.

``anyio.move_on_after`` per command costs a cancel scope and an event-loop
timer each; with thousands of commands in flight that was the largest
single cost of a call (see benchmarks/FINDINGS.md). Here each waiter adds a
three-item list to a heap, and one task sleeps until the earliest deadline
and calls ``expire()`` on the expired entries' owners. A finished waiter
only blanks its entry; the entry leaves the heap when its time comes. The
entry holds the owner itself, not a bound method: one object less per
command for the collector.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
from collections.abc import Callable
from typing import Any, Protocol

import anyio

__all__ = ["Deadlines", "native_clock"]

# [when, tie-breaker, owner (its expire() is called) or None once cancelled]
Entry = list[Any]


class Expiring(Protocol):
    def expire(self) -> object: ...


def native_clock() -> Callable[[], float]:
    """The running backend's own clock: what ``anyio.current_time()`` reads,
    without its backend lookup (a command stamps its send time with it)."""
    try:
        return asyncio.get_running_loop().time
    except RuntimeError:  # anyio's other backend: trio
        import trio

        return trio.current_time


class Deadlines:
    """Call ``owner.expire()`` at ``when`` (anyio clock) unless cancelled first; ``run()`` does the calling."""

    def __init__(self) -> None:
        self._heap: list[Entry] = []
        self._order = itertools.count()
        self._moved: anyio.Event | None = None

    def __len__(self) -> int:
        return len(self._heap)

    def call_at(self, when: float, owner: Expiring) -> Entry:
        entry = [when, next(self._order), owner]
        heapq.heappush(self._heap, entry)
        if self._heap[0] is entry and self._moved is not None:
            self._moved.set()  # earlier than what run() sleeps until
        return entry

    def cancel(self, entry: Entry) -> None:
        entry[2] = None
        heap = self._heap
        while heap and heap[0][2] is None:
            heapq.heappop(heap)

    async def run(self) -> None:
        """Fire entries as they come due, until cancelled (one per connection)."""
        heap = self._heap
        while True:
            self._moved = moved = anyio.Event()
            now = anyio.current_time()
            while heap and (heap[0][2] is None or heap[0][0] <= now):
                owner = heapq.heappop(heap)[2]
                if owner is not None:
                    owner.expire()
            delay = heap[0][0] - now if heap else math.inf
            with anyio.move_on_after(delay):
                await moved.wait()
