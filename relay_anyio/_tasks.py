"""Light tasks: the many short tasks the SDK starts per call or per blocking call.

An anyio task group gives every task a task handle with a cancel scope
and an event of its own: on asyncio about nine objects for the collector
and 2.5 KB per task, and a third of the CPU of starting one. The SDK
starts such tasks by the thousand (an inbound call's handler, an async
``on()`` callback, each blocking call of relay_sync), and none of them
needs a handle. A ``TaskPool`` starts them as the loop's own tasks
(asyncio tasks, or a trio nursery's), each under one anyio cancel scope so
it can be cancelled alone; on exit it cancels every task still running
and waits for them (their shielded clean-ups included), as a task group
does. A task's exception is logged, not raised: these tasks run user
code whose failure must not bring the client down.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import logging
from collections.abc import Awaitable, Callable, Coroutine
from types import TracebackType
from typing import Any

import anyio

__all__ = ["Label", "TaskPool", "run_callback"]

log = logging.getLogger("relay_anyio.tasks")

Start = Callable[..., Coroutine[Any, Any, Any]]
# start(what, awaitable): run ``awaitable`` in a task of its own; ``what`` names it in the log.
Spawn = Callable[[object, Awaitable[Any]], None]


def run_callback(start: Spawn, what: object, callback: Callable[..., Any], *args: Any) -> None:
    """Call a user's ``callback(*args)`` now; an async one's awaitable then runs in
    a task of its own (``start``), so a slow callback never holds up the
    event that called it. Whatever it raises is logged with ``what`` (which
    callback, for which call or context; formatted only then), never raised.
    """
    try:
        outcome = callback(*args)
    except Exception:
        log.exception("%s raised", what)
        return
    if outcome is not None and inspect.isawaitable(outcome):
        start(what, outcome)


async def _run(scope: anyio.CancelScope, what: object, awaitable: Awaitable[Any]) -> None:
    if scope.cancel_called:  # cancelled before it started: it never runs
        _close(awaitable)
        return
    try:
        # ``with scope:`` spelled out: a with block keeps a bound ``__exit__``
        # alive for the whole task, one more object per task in flight.
        scope.__enter__()
        try:
            await awaitable
        except BaseException as exc:
            if not scope.__exit__(type(exc), exc, exc.__traceback__):
                raise
        else:
            scope.__exit__(None, None, None)
    except Exception:
        log.exception("%s raised", what)


def _close(awaitable: Awaitable[Any]) -> None:
    """A coroutine that will never run is closed (no "never awaited" warning)."""
    if inspect.iscoroutine(awaitable):
        awaitable.close()


#: The context the pool's own done-callback runs in (it reads no context variable).
_NO_VARS = contextvars.Context()


class Label:
    """``what`` for the log, formatted only if it is logged: ``Label("call %s: %r callback", id, name)``
    (for what runs per event; a task per call or message is named by a plain string)."""

    __slots__ = ("_format", "_args")

    def __init__(self, format: str, *args: Any) -> None:
        self._format = format
        self._args = args

    def __str__(self) -> str:
        return self._format % self._args


class TaskPool:
    """``async with TaskPool() as pool: pool.spawn(fn, *args)``; see the module docstring."""

    __slots__ = ("_nursery", "_nursery_cm", "_running", "_forget", "_closing", "_loop")

    def __init__(self) -> None:
        self._nursery: Any = None  # trio
        self._nursery_cm: Any = None
        self._running: dict[asyncio.Task[None], anyio.CancelScope] = {}  # asyncio
        self._forget = self._running.pop  # one bound method for every task's done-callback
        self._closing = False
        self._loop: asyncio.AbstractEventLoop | None = None

    async def __aenter__(self) -> TaskPool:
        try:
            self._loop = asyncio.get_running_loop()
        except RuntimeError:  # not asyncio: trio
            import trio

            self._nursery_cm = trio.open_nursery()
            self._nursery = await self._nursery_cm.__aenter__()
        return self

    def spawn(self, fn: Start, *args: Any) -> anyio.CancelScope:
        """Start ``fn(*args)`` now; returns its cancel scope (cancel it to stop the task alone)."""
        if self._closing:
            raise RuntimeError("the task pool is closed")
        return self.start(Label("task %s", getattr(fn, "__qualname__", fn)), fn(*args))

    def start(self, what: object, awaitable: Awaitable[Any]) -> anyio.CancelScope:
        """Run ``awaitable`` in a task of its own, now; ``what`` names it if it
        raises. Returns its cancel scope (cancel it to stop the task alone).
        A closed pool raises RuntimeError and closes the coroutine."""
        if self._closing:
            _close(awaitable)
            raise RuntimeError("the task pool is closed")
        scope = anyio.CancelScope()
        if self._loop is not None:
            task = self._loop.create_task(_run(scope, what, awaitable))
            self._running[task] = scope
            # Without context=, every task would keep a copy of the context for it.
            task.add_done_callback(self._forget, context=_NO_VARS)
        else:
            self._nursery.start_soon(_run, scope, what, awaitable)
        return scope

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._closing = True
        if self._nursery_cm is not None:
            self._nursery.cancel_scope.cancel()
            await self._nursery_cm.__aexit__(exc_type, exc, tb)
            return
        with anyio.CancelScope(shield=True):
            while self._running:
                for scope in self._running.values():
                    scope.cancel()
                await asyncio.wait(list(self._running))
