"""Small waiting helpers for tests: wait on a condition, bounded by a timeout that fails."""

from __future__ import annotations

from collections.abc import Callable

import anyio


async def eventually(predicate: Callable[[], bool], timeout: float = 5.0, what: str = "condition") -> None:
    """Yield to the event loop until ``predicate()`` holds; fail after ``timeout`` s."""
    try:
        with anyio.fail_after(timeout):
            while not predicate():
                await anyio.sleep(0)
    except TimeoutError:
        raise AssertionError(f"{what} did not happen within {timeout} s") from None
