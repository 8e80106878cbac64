"""Wake-ups: one waiter each, woken once, a cancelled wait leaves no trace on
the others; Waiters (None, one, or a list) wake everyone still waiting."""

from __future__ import annotations

import anyio
import pytest

from relay_anyio import _wakeup

pytestmark = pytest.mark.anyio

WAIT = 5.0


async def test_a_wakeup_woken_before_its_wait_returns_at_once() -> None:
    wakeup = _wakeup.new()
    _wakeup.wake(wakeup)
    _wakeup.wake(wakeup)  # a second wake is nothing
    with anyio.fail_after(WAIT):
        await wakeup
    assert wakeup.done() and not wakeup.cancelled()


async def test_a_wakeup_wakes_its_waiting_task() -> None:
    wakeup = _wakeup.new()
    woken = anyio.Event()

    async def wait() -> None:
        await wakeup
        woken.set()

    async with anyio.create_task_group() as tg:
        tg.start_soon(wait)
        await anyio.wait_all_tasks_blocked()
        assert not woken.is_set()
        _wakeup.wake(wakeup)
        with anyio.fail_after(WAIT):
            await woken.wait()


async def test_a_cancelled_wait_leaves_the_wakeup_cancelled_and_a_wake_after_is_nothing() -> None:
    wakeup = _wakeup.new()
    with anyio.move_on_after(0) as scope:
        await wakeup
    assert scope.cancelled_caught
    assert wakeup.done() and wakeup.cancelled()
    _wakeup.wake(wakeup)  # must not raise


async def test_waiters_wake_all_but_the_one_that_left() -> None:
    waiters: _wakeup.Waiters = None
    woken: list[int] = []
    scopes: dict[int, anyio.CancelScope] = {}

    async def wait(n: int) -> None:
        nonlocal waiters
        wakeup = _wakeup.new()
        waiters = _wakeup.join(waiters, wakeup)
        try:
            with anyio.CancelScope() as scopes[n]:
                await wakeup
                woken.append(n)
        finally:
            waiters = _wakeup.leave(waiters, wakeup)

    async with anyio.create_task_group() as tg:
        for n in range(3):
            tg.start_soon(wait, n)
        await anyio.wait_all_tasks_blocked()
        assert isinstance(waiters, list) and len(waiters) == 3
        scopes[1].cancel()
        await anyio.wait_all_tasks_blocked()
        assert isinstance(waiters, list) and len(waiters) == 2
        _wakeup.wake_all(waiters)
    assert sorted(woken) == [0, 2]
    assert waiters is None


async def test_join_and_leave_keep_one_waiter_unboxed() -> None:
    one, two = _wakeup.new(), _wakeup.new()
    waiters = _wakeup.join(None, one)
    assert waiters is one
    waiters = _wakeup.join(waiters, two)
    assert waiters == [one, two]
    waiters = _wakeup.leave(waiters, one)
    assert waiters == [two]
    assert _wakeup.leave(waiters, two) is None
    assert _wakeup.leave(one, two) is one  # not a member: unchanged
    _wakeup.wake_all(None)
