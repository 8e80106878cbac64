"""The service restarted: the session cannot be restored.

Everything pending on the old calls finishes unsuccessfully with a clear
reason (never hangs), the client sets up a fresh session, re-subscribes
and receives its contexts again, and new calls work.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from relay_anyio import Client
from relay_anyio.testing import Caller, RelaySimulator

from ..helpers import eventually
from .conftest import CONTEXT, FAST, Place, TcpProxy, placer

pytestmark = pytest.mark.anyio


@pytest.mark.time_scale(1)
async def test_every_pending_thing_finishes_with_session_lost(sim: RelaySimulator, client: Client, place: Place) -> None:
    sim.phone("+15550009999", caller=Caller(answer_after=600))
    call, _ = await place(Caller(says=None, presses=""))
    other, _ = await place(Caller(kind="machine", greeting=600))
    actions: dict[str, Any] = {
        "play": await call.play_silence_async(600),
        "record": await call.record_async(initial_timeout=600, end_silence_timeout=600),
        "tap": await call.tap_async(audio_direction="both", target_type="rtp", target_addr="127.0.0.1", target_port=5000),
        "detect": await other.detect_answering_machine_async(timeout=600),
        "prompt": await other.prompt_tts_async("digits", "code?", digits_max=4, initial_timeout=600),
        "connect": await other.connect_async([{"to_number": "+15550009999", "timeout": 600}]),
    }
    assert not any(a.completed for a in actions.values())
    sim.faults.delay("calling.play", seconds=30, times=1)
    results: dict[str, Any] = {}

    async def dial() -> None:
        results["dial"] = await client.calling.dial(from_number="+15550001234", to_number="+15550009999")

    async def in_flight() -> None:
        results["in_flight"] = await call.play_tts(text="never answered")

    async with anyio.create_task_group() as tg:
        tg.start_soon(dial)
        tg.start_soon(in_flight)
        await sim.journal.wait_for(method="calling.begin", direction="out")  # dialing, not answered
        await sim.journal.wait_for(method="calling.play", direction="in", count=2)
        assert sim.faults.forget_sessions() == 1
        with anyio.fail_after(5):
            for name, action in actions.items():
                result = await action.wait()
                assert not result.successful, name
                assert result.error == "session lost", (name, result.error)
    dialed = results["dial"]
    assert not dialed.successful and dialed.call.ended
    assert not results["in_flight"].successful and results["in_flight"].error == "session lost"  # its start unanswered
    assert call.ended and other.ended
    assert not await call.wait_for("answered") or call.answered
    # The old calls refuse new work locally, with a reason, without a round trip.
    late = await call.play_tts(text="too late")
    assert not late.successful
    await eventually(lambda: client.connected, what="fresh session")
    assert client.session.restores == 0 and client.session.connections == 2


async def test_contexts_received_again_and_new_calls_work(sim: RelaySimulator, client: Client, place: Place) -> None:
    second: list[Any] = []
    assert await client.calling.receive(["second", "third"], second.append)
    old_session = client.session.sessionid
    old_protocol = client.session.protocol
    assert sim.faults.forget_sessions() == 1
    await eventually(lambda: client.session.connections == 2 and client.connected, what="fresh session")
    assert client.session.sessionid != old_session and client.session.protocol != old_protocol
    [server] = sim.sessions
    assert server.subscribed and server.contexts == {CONTEXT, "second", "third"}
    subscriptions = [e.frame["params"] for e in sim.journal.filter(method="blade.subscription", direction="in")]
    assert [s["protocol"] for s in subscriptions] == [old_protocol, client.session.protocol]
    receives = sim.journal.commands("signalwire.receive")
    assert receives[-1] == {"contexts": [CONTEXT, "second", "third"]}
    call, handle = await place()
    assert (await call.play_tts(text="new session")).successful
    await sim.inbound_call(context="third")
    await eventually(lambda: len(second) == 1, what="inbound call on a re-received context")
    dialed = await client.calling.dial(from_number="+15550001234", to_number="+15550005678")
    assert dialed.successful


@pytest.mark.time_scale(1)
async def test_service_restarted_while_the_client_was_away(sim: RelaySimulator, proxy: TcpProxy) -> None:
    async with Client(project=sim.project, token=sim.token, host=proxy.url, **FAST) as client:
        place = await placer(sim, client)()
        call, _ = await place()
        action = await call.play_silence_async(600)
        assert proxy.block() == 1
        await eventually(lambda: not client.connected, what="client noticed the drop")
        assert sim.faults.forget_sessions() == 1
        proxy.unblock()
        with anyio.fail_after(5):
            result = await action.wait()
        assert not result.successful and result.error == "session lost"
        await eventually(lambda: client.connected, what="fresh session")
        new_call, handle = await place()
        assert (await new_call.hangup()).successful
        assert await handle.ended(timeout=5) == "hangup"
