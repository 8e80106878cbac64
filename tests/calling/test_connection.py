"""The session: credentials, timeouts, reconnect and restore, keep-alive, logs."""

from __future__ import annotations

import logging

import anyio
import pytest

from relay_anyio import AuthenticationError, Call, Client, CommandTimeout, ConnectionClosed
from relay_anyio.testing import Caller, RelaySimulator

from ..helpers import eventually
from .conftest import CONTEXT, Place

pytestmark = pytest.mark.anyio


async def test_bad_credentials_raise_and_are_not_retried(sim: RelaySimulator) -> None:
    with pytest.raises(AuthenticationError) as info:
        async with Client(project=sim.project, token="wrong-token", host=sim.url):
            pass
    assert info.value.code is not None and info.value.code < 0
    assert len(sim.journal.filter(method="blade.connect", direction="in")) == 1


async def test_unreachable_server_raises_connection_closed() -> None:
    with anyio.fail_after(10):
        with pytest.raises(ConnectionClosed, match="cannot connect"):
            async with Client(project="p", token="t", host="ws://127.0.0.1:9"):
                pass


async def test_client_used_without_async_with() -> None:
    client = Client(project="p", token="t", host="ws://127.0.0.1:9")
    call = client.calling.new_call(from_number="+1", to_number="+2")
    with pytest.raises(ConnectionClosed, match="async with"):
        await call.dial()


async def test_handshake_frames(sim: RelaySimulator, client: Client) -> None:
    connect = sim.journal.filter(method="blade.connect", direction="in")[0].frame["params"]
    assert connect["version"] == {"major": 2, "minor": 3, "revision": 0}
    assert connect["authentication"] == {"project": sim.project, "token": sim.token}
    assert connect["agent"].startswith("relay-anyio/") and "sessionid" not in connect
    sub = sim.journal.filter(method="blade.subscription", direction="in")[0].frame["params"]
    assert sub == {"command": "add", "protocol": client.session.protocol, "channels": ["notifications"]}
    assert client.session.protocol and client.session.protocol.startswith("signalwire_")


async def test_command_timeout_and_late_response_is_ignored(sim: RelaySimulator) -> None:
    async with Client(project=sim.project, token=sim.token, host=sim.url, timeout=0.5) as client:
        call = client.calling.new_call(from_number="+1", to_number="+2")
        assert (await call.dial()).successful
        sim.faults.delay("calling.play", seconds=1.5, times=1)
        with pytest.raises(CommandTimeout) as info:
            await call.play_tts(text="slow")
        assert info.value.method == "calling.play" and info.value.timeout == 0.5
        # The late answer arrives while the next command runs; it must not confuse it.
        result = await call.play_silence(1)
        assert result.successful
        await sim.journal.wait_for(method="calling.play", direction="out", count=2, timeout=5)
        assert client.connected


@pytest.mark.parametrize("stage", ["on_receive", "before_response", "after_response"])
async def test_socket_dropped_around_a_command_flow_completes(sim: RelaySimulator, place: Place, client: Client, stage: str) -> None:
    call, _ = await place(Caller(presses="42#"))
    sim.faults.drop_at("calling.play_and_collect", stage=stage)
    result = await call.prompt_tts(prompt_type="digits", text="code?", digits_max=2, digits_terminators="#")
    assert result.successful and result.result == "42"
    assert client.session.connections == 2 and client.session.restores == 1
    sent = sim.journal.commands("calling.play_and_collect")
    assert len({c["control_id"] for c in sent}) == 1, "the command must be one command, re-sent at most"
    events = [e for e in sim.journal.filter(event="calling.call.collect", direction="out")]
    assert len({e.frame["id"] for e in events}) == 1, "the collect event was raised once"


@pytest.mark.time_scale(0.05)
async def test_events_raised_while_away_arrive_once_in_order(sim: RelaySimulator, place: Place, client: Client) -> None:
    call, _ = await place()
    states: list[str] = []
    call.on("play.stateChange", lambda e: states.append(e.payload["state"]))
    action = await call.play_async([{"type": "silence", "duration": 2}, {"type": "tts", "text": "hello"}])
    await sim.journal.wait_for(event="calling.call.play", direction="out", count=1, timeout=5)
    assert sim.faults.drop() == 1
    with anyio.fail_after(10):
        result = await action.wait()
    assert result.successful
    assert states == ["playing", "finished"]
    assert client.session.restores == 1


async def test_fresh_session_ends_old_calls_and_resubscribes(sim: RelaySimulator, place: Place, client: Client) -> None:
    call, _ = await place()
    assert sim.faults.forget_sessions() == 1
    await eventually(lambda: client.session.connections == 2 and client.connected, what="reconnect")
    assert call.ended
    result = await call.play_tts(text="gone")
    assert not result.successful
    # contexts were received again on the fresh session: a new inbound call works
    new_call, _ = await place()
    assert new_call.answered and new_call.id != call.id
    receives = sim.journal.commands("signalwire.receive")
    assert [r["contexts"] for r in receives] == [[CONTEXT], [CONTEXT]]


@pytest.mark.time_scale(1)
async def test_pending_component_finishes_when_session_is_lost(sim: RelaySimulator, place: Place) -> None:
    call, _ = await place()
    action = await call.play_silence_async(600)
    sim.faults.forget_sessions()
    with anyio.fail_after(10):
        result = await action.wait()
    assert not result.successful and result.error == "session lost"


async def test_blade_disconnect_queues_commands_until_reconnected(sim: RelaySimulator, place: Place, client: Client) -> None:
    call, _ = await place()
    assert await sim.faults.disconnect() == 1
    result = await call.play_tts(text="after maintenance")
    assert result.successful
    assert client.session.restores == 1
    assert sim.journal.filter(method="blade.disconnect", direction="out")


async def test_half_open_socket_is_detected_by_keepalive(sim: RelaySimulator) -> None:
    async with Client(project=sim.project, token=sim.token, host=sim.url, timeout=0.3, keepalive=0.2) as client:
        sim.faults.ignore_pings(True)
        await eventually(lambda: client.session.connections >= 2, timeout=10, what="reconnect after silent pings")
        sim.faults.ignore_pings(False)
        await eventually(lambda: client.connected, what="session back")
        call = client.calling.new_call(from_number="+1", to_number="+2")
        assert (await call.dial()).successful


async def test_credentials_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    received: list[Call] = []
    async with RelaySimulator(token="tok-9f8e7d6c5b4a3921") as sim, Client(
        project=sim.project, token=sim.token, host=sim.url
    ) as client:
        await client.calling.receive(["logs"], received.append)
        handle = await sim.inbound_call(context="logs", from_number="+1", to_number="+2", caller=Caller(hangs_up_after=1))
        await eventually(lambda: bool(received))
        await received[0].answer()
        await handle.ended()
        sim.faults.drop()
        await eventually(lambda: client.session.restores == 1 and client.connected, what="restore")
    signatures = [e.frame["result"]["authorization"]["signature"]
                  for e in sim.journal.filter(direction="out") if "result" in e.frame
                  and isinstance(e.frame["result"], dict) and "authorization" in e.frame["result"]]
    assert signatures
    text = caplog.text
    assert "relay_anyio.frames" in {r.name for r in caplog.records}, "frames were not logged at DEBUG"
    assert sim.token not in text
    for signature in signatures:
        assert signature not in text
