"""A waiting method waits for its start's answer and its component's end on one wake-up.

The start command's answer and the component's end can come in either
order; whichever comes first wakes the waiting method, and nothing of the
start (command, deadline) is left once it returns. An ``_async`` method
still returns only after the answer.
"""

from __future__ import annotations

import gc
from typing import Any

import anyio
import pytest

from relay_anyio import Client
from relay_anyio.pending import Command
from relay_anyio.testing import RelaySimulator

from ..helpers import eventually
from .conftest import Place, last_command

pytestmark = pytest.mark.anyio


def nothing_pending(client: Client) -> bool:
    sizes = client.session.table_sizes()
    return sizes["pending"] == 0 and sizes["deadlines"] == 0


async def test_a_component_over_before_its_start_is_answered_returns_at_once(
    sim: RelaySimulator, place: Place, client: Client
) -> None:
    call, handle = await place()
    held = sim.faults.hold("calling.play")
    results: list[Any] = []

    async def play() -> None:
        results.append(await call.play_tts(text="hello"))

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(play)
            await sim.journal.wait_for(method="calling.play", direction="in")
            await eventually(lambda: len(held.held) == 1, what="the start's answer held")
            control_id = last_command(sim, "calling.play")["control_id"]
            handle.emit("calling.call.play", {
                "call_id": handle.call_id, "node_id": handle.node_id, "control_id": control_id, "state": "finished",
            })
        # play_tts returned while its answer is still held by the simulator
        assert len(held.held) == 1
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
    held = sim.faults.hold("calling.record")
    results: list[Any] = []

    async def record() -> None:
        results.append(await call.record(beep=True))

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(record)
            await sim.journal.wait_for(method="calling.record", direction="in")
            await eventually(lambda: bool(call._actions), what="the record Action registered")
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
    held = sim.faults.hold("calling.play")
    started: list[Any] = []

    async def start() -> None:
        started.append(await call.play_tts_async(text="hello"))

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(start)
            await eventually(lambda: len(held.held) == 1, what="the start's answer held")
            assert not started, "play_tts_async waits for its answer"
            sim.faults.release(held)
        [action] = started
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
