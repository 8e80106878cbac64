"""Closing the client wakes every wait on its calls at once, unsuccessful, saying why."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from relay_anyio import Call, Client, Result
from relay_anyio.components import ACTIONS
from relay_anyio.testing import RelaySimulator, no_answer

from ..helpers import eventually
from .conftest import CONTEXT
from .kinds import SCENARIOS, phones

pytestmark = pytest.mark.anyio


@pytest.mark.time_scale(1)
async def test_closing_the_client_wakes_every_kind_of_wait_within_a_second(sim: RelaySimulator) -> None:
    phones(sim)
    sim.phone("+15557200001", caller=no_answer)
    outcomes: dict[str, Any] = {}
    inbox, calls = anyio.create_memory_object_stream[Call](20)
    with inbox, calls:
        call = await _close_while_waiting(sim, inbox, calls, outcomes)
    for name in sorted(ACTIONS) + ["action.wait", "dial"]:
        result = outcomes[name]
        assert isinstance(result, Result) and not result.successful and result.error == "client closed", (name, result)
    assert outcomes["wait_for_ended"] is False and outcomes["wait_for (a list)"] is False
    assert outcomes["answer-pending wait"] is False
    # A call whose client is closed answers at once, unsuccessful, whatever is asked of it.
    late = await call.play_tts(text="too late")
    assert not late.successful and late.error == "client closed"
    hung_up = await call.hangup()  # a plain command (not a component): refused at once, nothing sent
    assert not hung_up.successful and hung_up.error is not None and "client closed" in hung_up.error
    assert await call.wait_for_ended() is False


async def _close_while_waiting(
    sim: RelaySimulator, inbox: MemoryObjectSendStream[Call], calls: MemoryObjectReceiveStream[Call],
    outcomes: dict[str, Any],
) -> Call:
    """Start every kind of wait (outside the client's block), close the client; the last call."""
    waits = 0
    async with anyio.create_task_group() as outside:  # the waits are not inside the client's block
        async with Client(sim.project, sim.token, sim.url, timeout=5) as client:
            await client.calling.receive([CONTEXT], inbox.send)

            async def wait(name: str, awaitable: Any) -> None:
                outcomes[name] = await awaitable

            def start(name: str, awaitable: Any) -> None:
                nonlocal waits
                waits += 1
                outside.start_soon(wait, name, awaitable)

            async def answered(caller: Any = None) -> Call:
                await sim.inbound_call(CONTEXT, caller=caller) if caller else await sim.inbound_call(CONTEXT)
                with anyio.fail_after(5):
                    call = await calls.receive()
                assert (await call.answer()).successful
                return call

            for name in sorted(ACTIONS):  # one call per kind, its waiting method running
                start(name, SCENARIOS[name].run(await answered(SCENARIOS[name].caller)))
            call = await answered()
            start("wait_for_ended", call.wait_for_ended())
            start("wait_for (a list)", call.wait_for(["ending", "ended"]))
            action = await call.play_silence_async(600)
            start("action.wait", action.wait())
            ringing = client.calling.new_call(from_number="+15550000002", to_number="+15557200001", timeout=600)
            start("dial", ringing.dial())
            await sim.inbound_call(CONTEXT)
            with anyio.fail_after(5):
                inbound = await calls.receive()
            start("answer-pending wait", inbound.wait_for_answered())
            await eventually(lambda: ringing.state == "ringing", what="the dial ringing")
            await eventually(lambda: len(_running(sim)) >= len(ACTIONS) + 1, what="every kind running")
        with anyio.fail_after(1):  # leaving the block closed the client: everything wakes now
            while len(outcomes) < waits:
                await anyio.sleep(0)
    return call


def _running(sim: RelaySimulator) -> list[Any]:
    return [c for handle in sim.calls for c in handle.components.values() if not c.finished]
