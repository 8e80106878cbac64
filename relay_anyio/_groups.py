"""Plain errors out of task groups: one rule for relay_anyio and relay_sync.

A task group wraps what its tasks raise in an ExceptionGroup (asyncio's
TaskGroup and trio's nursery alike), so ``except AuthenticationError``
would never match what ``Client``, ``Consumer.run()`` or ``serve()``
raise. When a group holds exactly one error (however deeply nested), that
error is raised itself; a group of several is raised as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["first_error", "plain_errors", "sole_error"]


def sole_error(group: BaseExceptionGroup[BaseException]) -> BaseException | None:
    """The one error inside ``group`` (nested groups flattened), or None if there are several."""
    found: BaseException | None = None
    stack: list[BaseException] = [group]
    while stack:
        exc = stack.pop()
        if isinstance(exc, BaseExceptionGroup):
            stack.extend(exc.exceptions)
        elif found is None:
            found = exc
        else:
            return None
    return found


@contextmanager
def plain_errors() -> Iterator[None]:
    """Re-raise a task group's sole error as itself (its own cause kept, the group dropped)."""
    try:
        yield
    except BaseExceptionGroup as group:
        error = sole_error(group)
        if error is None:
            raise
        raise error from error.__cause__


def first_error(exc: BaseException) -> BaseException:
    """The first non-group exception inside ``exc`` (httpx-ws wraps socket errors in groups)."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc
