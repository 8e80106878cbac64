"""One task waiting for one thing: the cheapest wake-up each backend has.

``anyio.Event`` lets any number of tasks wait, and pays for it: on asyncio
it is an anyio object around an ``asyncio.Event`` with a deque of futures
(four objects for the collector, three frames to wait); on trio an object
around a ``trio.Event`` and its parking lot. Nearly every wait of the SDK
has exactly one waiter (a command's answer, a component's end awaited by
its waiting method), and a busy client holds thousands of them at once.

A wake-up here is one ``asyncio.Future`` on asyncio and one small object on
trio that behaves like one for what the SDK uses (``done()``,
``cancelled()``, ``set_result()``, ``await``). It carries no value: what was
waited for lives on the object that owns the wake-up. One task awaits it;
a cancelled wait leaves it ``cancelled()`` (make a new one to wait again).
Several waiters on one thing are a ``Waiters`` value (``join`` / ``leave`` /
``wake_all``): None, one wake-up, or a list of them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator
from typing import Any, Protocol

__all__ = ["Wakeup", "factory", "wake", "join", "leave", "wake_all", "wait_among", "Waiters"]


class Wakeup(Protocol):
    def done(self) -> bool: ...
    def cancelled(self) -> bool: ...
    def set_result(self, result: None, /) -> None: ...
    def __await__(self) -> Generator[Any, None, Any]: ...


# None (nobody waits), one Wakeup, or a list of them.
Waiters = Any

_PENDING, _WOKEN, _CANCELLED = 0, 1, 2


class TrioWakeup:
    """A wake-up for one trio task (see the module doc)."""

    __slots__ = ("_state", "_task")

    def __init__(self) -> None:
        self._state = _PENDING
        self._task: Any = None

    def done(self) -> bool:
        return self._state != _PENDING

    def cancelled(self) -> bool:
        return self._state == _CANCELLED

    def set_result(self, result: None, /) -> None:
        if self._state != _PENDING:
            raise RuntimeError("wake-up already done")
        self._state = _WOKEN
        task, self._task = self._task, None
        if task is not None:
            import trio

            trio.lowlevel.reschedule(task)

    def __await__(self) -> Generator[Any, None, Any]:
        return self._wait().__await__()

    async def _wait(self) -> None:
        if self._state == _WOKEN:
            return
        if self._state == _CANCELLED:
            raise RuntimeError("a cancelled wake-up cannot be awaited again")
        if self._task is not None:
            raise RuntimeError("a wake-up has one waiter")
        import trio

        self._task = trio.lowlevel.current_task()
        await trio.lowlevel.wait_task_rescheduled(self._abort)

    def _abort(self, _raise_cancel: Any) -> Any:
        import trio

        self._task = None
        self._state = _CANCELLED
        return trio.lowlevel.Abort.SUCCEEDED


def factory() -> Callable[[], Wakeup]:
    """The running backend's wake-up constructor: look it up once, call it often."""
    try:
        return asyncio.get_running_loop().create_future
    except RuntimeError:  # anyio's other backend: trio
        return TrioWakeup


def new() -> Wakeup:
    """A wake-up for the running backend (``factory()`` is cheaper for many)."""
    return factory()()


def wake(wakeup: Wakeup | None) -> None:
    """Wake its waiter (now or when it comes); nothing if it is done or cancelled."""
    if wakeup is not None and not wakeup.done():
        wakeup.set_result(None)


def join(waiters: Waiters, wakeup: Wakeup) -> Waiters:
    """``waiters`` with ``wakeup`` added, and without those done (woken, or their
    wait cancelled): waiters that never ``leave()`` are bounded by those still waiting."""
    if waiters is None or (type(waiters) is not list and waiters.done()):
        return wakeup
    if type(waiters) is list:
        waiters[:] = [w for w in waiters if not w.done()]
        waiters.append(wakeup)
        return waiters
    return [waiters, wakeup]


def leave(waiters: Waiters, wakeup: Wakeup) -> Waiters:
    """``waiters`` without ``wakeup`` (a waiter that stopped waiting)."""
    if waiters is wakeup:
        return None
    if type(waiters) is list:
        if wakeup in waiters:
            waiters.remove(wakeup)
        return waiters or None
    return waiters


def wake_all(waiters: Waiters) -> None:
    if waiters is None:
        return
    if type(waiters) is list:
        for wakeup in waiters:
            wake(wakeup)
    else:
        wake(waiters)


async def wait_among(owner: Any, attr: str, wakeup: Wakeup) -> None:
    """Wait on ``wakeup`` as one of the waiters ``owner.<attr>`` holds: joined
    now, gone from them however the wait ends (woken, cancelled)."""
    setattr(owner, attr, join(getattr(owner, attr), wakeup))
    try:
        await wakeup
    finally:
        setattr(owner, attr, leave(getattr(owner, attr), wakeup))
