"""Deadlines: the one timer behind every command timeout."""

from __future__ import annotations

from collections.abc import Callable

import anyio
import pytest
from hypothesis import given
from hypothesis import strategies as st

from relay_anyio._deadlines import Deadlines

pytestmark = pytest.mark.anyio

WAIT = 5.0  # fails the test instead of hanging


class Owner:
    """What a deadline is set for (a command): its expire() is called when due."""

    def __init__(self, expire: Callable[[], object]) -> None:
        self.expire = expire


async def test_entries_fire_in_deadline_order_and_cancelled_ones_never() -> None:
    deadlines = Deadlines()
    fired: list[str] = []
    done = anyio.Event()
    now = anyio.current_time()
    deadlines.call_at(now + 0.03, Owner(lambda: fired.append("b")))
    dropped = deadlines.call_at(now + 0.01, Owner(lambda: fired.append("never")))
    deadlines.call_at(now + 0.02, Owner(lambda: fired.append("a")))
    deadlines.call_at(now + 0.04, Owner(done.set))
    deadlines.cancel(dropped)
    async with anyio.create_task_group() as tg:
        tg.start_soon(deadlines.run)
        with anyio.fail_after(WAIT):
            await done.wait()
        tg.cancel_scope.cancel()
    assert fired == ["a", "b"]
    assert len(deadlines) == 0


async def test_an_earlier_entry_added_while_running_wakes_the_timer() -> None:
    deadlines = Deadlines()
    late = anyio.Event()
    early = anyio.Event()
    deadlines.call_at(anyio.current_time() + 3600, Owner(late.set))
    async with anyio.create_task_group() as tg:
        tg.start_soon(deadlines.run)
        await anyio.lowlevel.checkpoint()  # the runner now sleeps until the hour is up
        deadlines.call_at(anyio.current_time(), Owner(early.set))
        with anyio.fail_after(WAIT):
            await early.wait()
        tg.cancel_scope.cancel()
    assert not late.is_set()
    assert len(deadlines) == 1


def test_cancelled_entries_leave_the_heap_once_on_top() -> None:
    deadlines = Deadlines()
    entries = [deadlines.call_at(float(i), Owner(lambda: None)) for i in range(5)]
    deadlines.cancel(entries[2])
    assert len(deadlines) == 5  # not on top yet
    deadlines.cancel(entries[0])
    deadlines.cancel(entries[1])
    assert len(deadlines) == 2  # 0, 1 and the blank 2 behind them are gone


@given(st.lists(st.tuples(st.integers(0, 50), st.booleans()), max_size=60))
def test_due_order_is_deadline_order_whatever_the_mix_of_queue_and_heap(plan: list[tuple[int, bool]]) -> None:
    """Deadlines mostly arrive in order (the queue) and sometimes earlier (the
    heap): taken in turn, the live ones come out by deadline, then by arrival."""
    deadlines = Deadlines()
    live = []
    for i, (when, cancel) in enumerate(plan):
        entry = deadlines.call_at(float(when), Owner(lambda: None))
        if cancel:
            deadlines.cancel(entry)
        else:
            live.append((float(when), i, entry))
    taken = []
    while (entry := deadlines._next()) is not None:
        assert deadlines._pop() is entry
        if entry[2] is not None:
            taken.append(entry)
    assert taken == [entry for _, _, entry in sorted(live, key=lambda t: (t[0], t[1]))]
    assert len(deadlines) == 0
