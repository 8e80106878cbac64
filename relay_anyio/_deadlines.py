"""Command timeouts for thousands of waiters with one timer.

``anyio.move_on_after`` per command costs a cancel scope and an event-loop
timer each; with thousands of commands in flight that was the largest
single cost of a call (see benchmarks/FINDINGS.md). Here each waiter adds a
three-item list to a queue (or a heap), and one task sleeps until the earliest deadline
and calls ``expire()`` on the expired entries' owners. A finished waiter
only blanks its entry; the entry leaves when it reaches the front. The
entry holds the owner itself, not a bound method: one object less per
command for the collector.
"""

from __future__ import annotations

import asyncio
import collections
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
    """Call ``owner.expire()`` at ``when`` (anyio clock) unless cancelled first; ``run()`` does the calling.

    Commands share one timeout, so nearly every new deadline is the latest
    yet: those go to the end of a queue (no heap work); only an earlier one
    (a shorter timeout) goes to a heap. Each keeps its entries in deadline
    order; the earliest of their two heads is next.
    """

    def __init__(self) -> None:
        self._queue: collections.deque[Entry] = collections.deque()  # in deadline order
        self._heap: list[Entry] = []
        self._order = itertools.count()
        self._moved: anyio.Event | None = None

    def __len__(self) -> int:
        return len(self._queue) + len(self._heap)

    def call_at(self, when: float, owner: Expiring) -> Entry:
        entry = [when, next(self._order), owner]
        queue = self._queue
        if not queue or queue[-1][0] <= when:
            queue.append(entry)
        else:
            heapq.heappush(self._heap, entry)
        if self._moved is not None and self._next() is entry:
            self._moved.set()  # earlier than what run() sleeps until
        return entry

    def cancel(self, entry: Entry) -> None:
        entry[2] = None
        queue, heap = self._queue, self._heap
        while queue and queue[0][2] is None:
            queue.popleft()
        while heap and heap[0][2] is None:
            heapq.heappop(heap)

    def _next(self) -> Entry | None:
        """The entry due first (cancelled ones included), or None."""
        queue, heap = self._queue, self._heap
        if queue and (not heap or queue[0] < heap[0]):
            return queue[0]
        return heap[0] if heap else None

    def _pop(self) -> Entry:
        queue, heap = self._queue, self._heap
        if queue and (not heap or queue[0] < heap[0]):
            return queue.popleft()
        return heapq.heappop(heap)

    async def run(self) -> None:
        """Fire entries as they come due, until cancelled (one per connection)."""
        while True:
            self._moved = moved = anyio.Event()
            now = anyio.current_time()
            entry = self._next()
            while entry is not None and (entry[2] is None or entry[0] <= now):
                owner = self._pop()[2]
                if owner is not None:
                    owner.expire()
                entry = self._next()
            delay = entry[0] - now if entry is not None else math.inf
            with anyio.move_on_after(delay):
                await moved.wait()
