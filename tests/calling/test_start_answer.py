"""A waiting method waits for its start's answer and its component's end on one wake-up.

The start command's answer and the component's end can come in either
order; whichever comes first wakes the waiting method, and nothing of the
start (command, deadline) is left once it returns. An ``_async`` method
still returns only after the answer.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest

from relay_anyio import Call, Client
from relay_anyio.pending import Command
from relay_anyio.testing import FaultRule, RelaySimulator

from ..helpers import eventually
from .conftest import CONTEXT, Place, last_command

pytestmark = pytest.mark.anyio


def nothing_pending(client: Client) -> bool:
    sizes = client.session.table_sizes()
    return sizes["pending"] == 0 and sizes["deadlines"] == 0


@asynccontextmanager
async def start_in_flight(
    sim: RelaySimulator, method: str, run: Callable[[], Awaitable[Any]]
) -> AsyncIterator[tuple[FaultRule, list[Any]]]:
    """Hold the answer to ``method`` and ``run()`` meanwhile, in a task; the block
    runs once the answer is held, and its end waits for ``run()``, whose value
    lands in the list yielded (the whole bounded by 5 s)."""
    held = sim.faults.hold(method)
    results: list[Any] = []

    async def body() -> None:
        results.append(await run())

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(body)
            await eventually(lambda: len(held.held) == 1, what=f"the answer to {method} held")
            yield held, results


async def test_a_component_over_before_its_start_is_answered_returns_at_once(
    sim: RelaySimulator, place: Place, client: Client
) -> None:
    call, handle = await place()
    async with start_in_flight(sim, "calling.play", lambda: call.play_tts(text="hello")) as (held, results):
        control_id = last_command(sim, "calling.play")["control_id"]
        handle.emit("calling.call.play", {
            "call_id": handle.call_id, "node_id": handle.node_id, "control_id": control_id, "state": "finished",
        })
    assert len(held.held) == 1, "play_tts returned while its answer is still held"
    [result] = results
    assert result.successful and result.event.payload["state"] == "finished"
    assert nothing_pending(client), "the start command and its deadline are gone"
    assert not call._actions
    sim.faults.release(held)  # the late answer finds nothing waiting for it
    with anyio.fail_after(5):
        assert (await call.play_tts(text="again")).successful
    assert nothing_pending(client)


async def test_the_start_command_wakes_the_same_wait_as_the_end(sim: RelaySimulator, place: Place, client: Client) -> None:
    """While the answer is awaited, the waiting method's one wake-up is both the
    command's waiter and the component's end wake-up."""
    call, _ = await place()
    async with start_in_flight(sim, "calling.record", lambda: call.record(beep=True)) as (held, results):
        [action] = call._actions.values()  # type: ignore[union-attr]
        [command] = [c for c in client.session.blade.pending if c.method == "calling.record"]
        assert command.waiter is action._done, "one wake-up for the answer and the end"
        assert action.payload == last_command(sim, "calling.record")  # kept packed, read back as sent
        sim.faults.release(held)
    [result] = results
    assert result.url and result.error == "no_input"  # it ran (the default caller says nothing)
    assert nothing_pending(client)


async def test_a_refused_start_ends_the_waiting_method_with_the_refusal(
    sim: RelaySimulator, place: Place, client: Client
) -> None:
    call, _ = await place()
    sim.faults.refuse("calling.play", code="500", message="media server on fire")
    with anyio.fail_after(5):
        result = await call.play_tts(text="hello")
    assert not result.successful and result.error == "500: media server on fire"
    assert nothing_pending(client) and not call._actions


async def test_an_async_start_returns_after_its_answer(sim: RelaySimulator, place: Place, client: Client) -> None:
    call, _ = await place()
    async with start_in_flight(sim, "calling.play", lambda: call.play_tts_async(text="hello")) as (held, started):
        assert not started, "play_tts_async waits for its answer"
        sim.faults.release(held)
    [action] = started
    with anyio.fail_after(5):
        assert (await action.wait()).successful
    assert nothing_pending(client)


@pytest.mark.time_scale(1)
async def test_nothing_of_the_start_is_kept_while_the_component_runs(
    sim: RelaySimulator, place: Place, client: Client
) -> None:
    """Thousands of components run at once: once a start is answered, its command
    (with its answer and wake-up) is garbage, not held by the waiting method."""
    call, _ = await place()
    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(call.play_silence, 600)
            await eventually(lambda: bool(call._actions) and nothing_pending(client), what="the play answered and running")
            gc.collect()
            kept = [o for o in gc.get_objects() if type(o) is Command and o.method == "calling.play"]
            assert kept == [], "the start command outlives its answer"
            tg.cancel_scope.cancel()  # the waiting method stops the play on its way out
    assert len(sim.journal.commands("calling.play.stop")) == 1


async def test_a_start_in_flight_ends_when_the_client_closes(sim: RelaySimulator) -> None:
    """The waiting method runs outside the client's block; leaving the block wakes it."""
    results: list[Any] = []
    send, receive = anyio.create_memory_object_stream[Call](1)
    with send, receive:
        async with anyio.create_task_group() as outside:
            async with Client(sim.project, sim.token, sim.url, timeout=5) as client:
                await client.calling.receive([CONTEXT], send.send)
                await sim.inbound_call(CONTEXT)
                with anyio.fail_after(5):
                    call = await receive.receive()
                    assert (await call.answer()).successful
                held = sim.faults.hold("calling.play")

                async def play() -> None:
                    results.append(await call.play_tts(text="hello"))

                outside.start_soon(play)
                await eventually(lambda: len(held.held) == 1, what="the start's answer held")
            with anyio.fail_after(1):  # the client closed: the wait ends now
                while not results:
                    await anyio.sleep(0)
    [result] = results
    assert not result.successful and result.error == "client closed"
