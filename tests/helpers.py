"""Small waiting helpers for tests: wait on a condition, bounded by a timeout that fails."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

import anyio

T = TypeVar("T")


async def eventually(predicate: Callable[[], bool], timeout: float = 5.0, what: str = "condition") -> None:
    """Yield to the event loop until ``predicate()`` holds; fail after ``timeout`` s."""
    try:
        with anyio.fail_after(timeout):
            while not predicate():
                await anyio.sleep(0)
    except TimeoutError:
        raise AssertionError(f"{what} did not happen within {timeout} s") from None


class Inbox(Generic[T]):
    """What handlers hand over (inbound calls ...), taken in order; nothing to close."""

    def __init__(self) -> None:
        self._items: deque[T] = deque()
        self._arrived = anyio.Event()

    def put(self, item: T) -> None:
        """The handler side: sync, never blocks."""
        self._items.append(item)
        self._arrived.set()

    async def get(self, timeout: float = 5.0, what: str = "an item") -> T:
        """The oldest item not taken yet; fail after ``timeout`` s."""
        try:
            with anyio.fail_after(timeout):
                while not self._items:
                    self._arrived = anyio.Event()
                    await self._arrived.wait()
        except TimeoutError:
            raise AssertionError(f"{what} did not arrive within {timeout} s") from None
        return self._items.popleft()
