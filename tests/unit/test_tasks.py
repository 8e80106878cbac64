"""TaskPool: light tasks that run, can be cancelled alone, log their errors, and
are all cancelled and awaited (shielded clean-ups included) when the pool exits."""

from __future__ import annotations

import logging

import anyio
import pytest

from relay_anyio._tasks import TaskPool

pytestmark = pytest.mark.anyio

WAIT = 5.0


async def test_a_task_runs_with_its_arguments() -> None:
    got: list[tuple[int, str]] = []
    done = anyio.Event()

    async def work(n: int, s: str) -> None:
        got.append((n, s))
        done.set()

    async with TaskPool() as pool:
        pool.spawn(work, 1, "a")
        with anyio.fail_after(WAIT):
            await done.wait()
    assert got == [(1, "a")]


async def test_its_scope_cancels_one_task_and_not_the_others() -> None:
    started = anyio.Event()
    first_ended = anyio.Event()
    ended: list[str] = []

    async def forever(name: str) -> None:
        try:
            started.set()
            await anyio.sleep_forever()
        finally:
            ended.append(name)
            if name == "first":
                first_ended.set()

    async with TaskPool() as pool:
        first = pool.spawn(forever, "first")
        pool.spawn(forever, "second")
        with anyio.fail_after(WAIT):
            await started.wait()
        first.cancel()
        with anyio.fail_after(WAIT):
            await first_ended.wait()
        assert ended == ["first"]
    assert sorted(ended) == ["first", "second"]  # the exit cancelled the second


async def test_exit_waits_for_a_shielded_clean_up() -> None:
    cleaned = []
    started = anyio.Event()

    async def with_clean_up() -> None:
        try:
            started.set()
            await anyio.sleep_forever()
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.sleep(0)  # a checkpoint the cancellation cannot interrupt
                await anyio.sleep(0)
                cleaned.append(True)

    async with TaskPool() as pool:
        pool.spawn(with_clean_up)
        with anyio.fail_after(WAIT):
            await started.wait()
    assert cleaned == [True]


async def test_a_task_cancelled_before_it_starts_never_runs() -> None:
    ran = []

    async def work() -> None:
        ran.append(True)

    async with TaskPool() as pool:
        pool.spawn(work).cancel()
    assert ran == []


async def test_an_error_is_logged_and_the_pool_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    done = anyio.Event()

    async def fails() -> None:
        raise ValueError("boom")

    async def after() -> None:
        done.set()

    with caplog.at_level(logging.ERROR, logger="relay_anyio.tasks"):
        async with TaskPool() as pool:
            pool.spawn(fails)
            pool.spawn(after)
            with anyio.fail_after(WAIT):
                await done.wait()
    assert any("boom" in (record.exc_text or "") or record.exc_info for record in caplog.records)


async def test_spawning_into_a_closed_pool_is_refused() -> None:
    async with TaskPool() as pool:
        pass

    async def work() -> None:
        pass

    with pytest.raises(RuntimeError, match="closed"):
        pool.spawn(work)
