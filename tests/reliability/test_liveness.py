"""Half-open sockets, server-side blade.disconnect, and a slow server."""

from __future__ import annotations

import logging
from typing import Any

import anyio
import pytest

from relay_anyio import Client, CommandTimeout
from relay_anyio.testing import RelaySimulator

from ..helpers import eventually
from .conftest import FAST, Records, TcpProxy, connects_in, placer, requests_in, assert_each_id_is_one_command

pytestmark = pytest.mark.anyio

KEEPALIVE = 0.2
PING_TIMEOUT = 0.3


# --------------------------------------------------------------------------
# Keep-alive


async def test_pings_follow_the_configured_interval(sim: RelaySimulator) -> None:
    async with Client(project=sim.project, token=sim.token, host=sim.url, keepalive=KEEPALIVE, timeout=2):
        pings = await sim.journal.wait_for(method="blade.ping", direction="in", count=4, timeout=5)
        # One ping per interval, not a burst: each is answered before the next goes out.
        answers = await sim.journal.wait_for(method="blade.ping", direction="out", count=3, timeout=5)
        for answer, following in zip(answers, pings[1:], strict=False):
            assert answer.seq < following.seq
        assert all(isinstance(p.frame["params"].get("timestamp"), float) for p in pings)


async def test_ignored_pings_detected_within_the_keepalive_window(sim: RelaySimulator) -> None:
    async with Client(
        project=sim.project, token=sim.token, host=sim.url, keepalive=KEEPALIVE, timeout=PING_TIMEOUT,
        reconnect_base=0.02, reconnect_cap=0.1,
    ) as client:
        await sim.journal.wait_for(method="blade.ping", direction="out", count=1)
        sim.faults.ignore_pings(True)
        # (within the bound that fails the test: interval + ping timeout + a backoff step are far below it)
        await eventually(lambda: client.session.connections == 2, timeout=5, what="reconnect after silent pings")
        sim.faults.ignore_pings(False)
        await eventually(lambda: client.connected, what="session back")
        assert client.session.restores == 1
        dialed = await client.calling.dial(from_number="+15550001234", to_number="+15550005678")
        assert dialed.successful


async def test_true_half_open_link_is_replaced_and_no_event_is_lost(sim: RelaySimulator, proxy: TcpProxy) -> None:
    """Nothing crosses the link any more (no FIN, no RST): keep-alive must notice,
    and the events raised into the black hole arrive once after the restore."""
    async with Client(
        project=sim.project, token=sim.token, host=proxy.url, keepalive=KEEPALIVE, timeout=PING_TIMEOUT,
        reconnect_base=0.02, reconnect_cap=0.1,
    ) as client:
        place = await placer(sim, client)()
        other, other_handle = await place()
        states: list[str] = []
        other.on("stateChange", lambda e: states.append(e.payload["call_state"]))
        assert proxy.freeze() == 1
        other_handle.end("hangup")  # raised into the black hole
        await eventually(lambda: client.session.connections == 2, timeout=5, what="half-open link replaced")
        with anyio.fail_after(5):
            assert await other.wait_for("ended")
        assert states == ["ending", "ended"]
        assert client.session.restores == 1


async def test_command_sent_into_a_half_open_link_is_not_lost(sim: RelaySimulator, proxy: TcpProxy) -> None:
    """A command written into a link that silently died must not fail because
    of it: the keep-alive replaces the link and the command is re-sent into the
    restored session (at worst it times out only if the live server is slow)."""
    async with Client(
        project=sim.project, token=sim.token, host=proxy.url, keepalive=KEEPALIVE, timeout=PING_TIMEOUT,
        reconnect_base=0.02, reconnect_cap=0.1,
    ) as client:
        place = await placer(sim, client)()
        call, handle = await place()
        assert proxy.freeze() == 1
        with anyio.fail_after(5):
            result = await call.play_tts(text="through the outage")
        assert result.successful
        assert [h.params["text"] for h in handle.heard] == ["through the outage"]
        assert len(assert_each_id_is_one_command(sim, "calling.play")) == 1


# --------------------------------------------------------------------------
# Server-side blade.disconnect


async def test_commands_issued_during_a_disconnect_are_queued_then_sent_once(
    sim: RelaySimulator, proxy: TcpProxy, all_logs: Records
) -> None:
    async with Client(project=sim.project, token=sim.token, host=proxy.url, **FAST) as client:
        place = await placer(sim, client)()
        call, handle = await place()
        proxy.blocked = True  # the reconnect will have to wait: a maintenance window
        mark = len(all_logs.records)
        assert await sim.faults.disconnect() == 1
        answered = [e for e in sim.journal.filter(direction="in") if e.frame.get("id") == sim.journal.filter(method="blade.disconnect", direction="out")[0].frame["id"]]
        assert answered and answered[0].frame.get("result") == {}, "blade.disconnect must get a result"
        results: list[Any] = []

        async def play(n: int) -> None:
            results.append(await call.play_tts(text=f"queued {n}"))

        async with anyio.create_task_group() as tg:
            for n in range(10):
                tg.start_soon(play, n)
            await eventually(lambda: proxy.refused >= 1, what="a refused reconnect while in maintenance")
            assert not requests_in(sim, "calling.play"), "a command went out during the maintenance window"
            proxy.unblock()
        assert len(results) == 10 and all(r.successful for r in results)
        assert sorted(h.params["text"] for h in handle.heard) == sorted(f"queued {n}" for n in range(10))
        sends = assert_each_id_is_one_command(sim, "calling.play")
        assert len(sends) == 10 and set(sends.values()) == {1}, "queued commands are sent once, after the restore"
        reconnect = connects_in(sim)[-1].seq
        assert all(e.seq > reconnect for e in requests_in(sim, "calling.play"))
        # And on the client's side of the wire: nothing written between blade.disconnect and the reconnect.
        frames = [r.getMessage() for r in all_logs.since(mark) if r.name == "relay_anyio.frames"]
        told = next(i for i, f in enumerate(frames) if '"blade.disconnect"' in f)
        back = next(i for i, f in enumerate(frames) if i > told and '"blade.connect"' in f)
        assert not [f for f in frames[told:back] if f.startswith("->") and "calling.play" in f]
        assert client.session.restores == 1


# --------------------------------------------------------------------------
# Slow server


async def test_command_timeout_is_on_time_and_late_answer_is_harmless(sim: RelaySimulator, all_logs: Records) -> None:
    async with Client(project=sim.project, token=sim.token, host=sim.url, timeout=0.5, keepalive=0) as client:
        place = await placer(sim, client)()
        slow, slow_handle = await place()
        fast, fast_handle = await place()
        sim.faults.delay("calling.play", seconds=1.2, times=1)
        outcome: dict[str, Any] = {}

        async def slow_play() -> None:
            try:
                await slow.play_tts(text="slow")
            except CommandTimeout as exc:
                # On time: the delayed answer has not gone out yet (ordering, not wall time).
                answered = [e for e in sim.journal.filter(method="calling.play", direction="out") if "result" in e.frame]
                outcome["slow"] = (exc, answered)

        async def fast_plays() -> None:
            await sim.journal.wait_for(method="calling.play", direction="in", count=1)
            outcome["fast"] = [await fast.play_tts(text=f"fast {n}") for n in range(3)]

        async with anyio.create_task_group() as tg:
            tg.start_soon(slow_play)
            tg.start_soon(fast_plays)
        error, answered = outcome["slow"]
        assert error.method == "calling.play" and error.timeout == 0.5 and error.sent is True
        slow_id = requests_in(sim, "calling.play")[0].frame["id"]
        assert slow_id not in [e.frame["id"] for e in answered], "timed out only after the answer came"
        assert all(r.successful for r in outcome["fast"]), "a slow command held up the others"
        mark = len(all_logs.records)
        late = await sim.journal.wait_for(method="calling.play", direction="out", count=4, timeout=5)
        assert any(e.frame["id"] == requests_in(sim, "calling.play")[0].frame["id"] for e in late)
        # The late answer and the events of the component nobody waits for any more: no crash, no reconnect.
        await sim.journal.wait_for(event="calling.call.play", direction="out", count=8)
        await eventually(lambda: not sim.sessions[0].unacked, what="late events acknowledged")
        assert client.connected and client.session.connections == 1
        assert not client.session.blade.pending, "a timed-out command is still waiting"
        assert not [r for r in all_logs.since(mark) if r.levelno >= logging.ERROR]
        # A command timed out is not re-sent: it ran once.
        assert [h.params["text"] for h in slow_handle.heard] == ["slow"]
        assert (await slow.play_tts(text="after")).successful


async def test_command_issued_in_an_outage_waits_at_most_timeout_and_is_never_sent(
    sim: RelaySimulator, proxy: TcpProxy, all_logs: Records
) -> None:
    """The service is down for longer than ``timeout``: a new command fails
    with CommandTimeout(sent=False), never reaches the service once it is
    back, and the outage is logged as two warnings, not one per attempt."""
    async with Client(project=sim.project, token=sim.token, host=proxy.url, **{**FAST, "timeout": 0.5}) as client:
        place = await placer(sim, client)()
        call, _ = await place()
        mark = len(all_logs.records)
        proxy.block()
        await eventually(lambda: not client.connected, what="drop noticed")
        with anyio.fail_after(5), pytest.raises(CommandTimeout) as info:
            await call.play_tts(text="queued")
        assert info.value.sent is False and info.value.method == "calling.play" and info.value.timeout == 0.5
        assert "never sent" in str(info.value)
        await eventually(lambda: proxy.refused >= 5, timeout=5, what="several refused reconnects")
        proxy.unblock()
        await eventually(lambda: client.connected, timeout=5, what="back online")
        assert (await call.play_tts(text="after")).successful
        texts = [e.frame["params"]["params"].get("text") for e in requests_in(sim, "calling.play")]
        assert "queued" not in str(texts), "a command that timed out unsent was sent later"
        assert not client.session.blade.pending
        warnings = [r.getMessage() for r in all_logs.since(mark) if r.levelno >= logging.WARNING]
        assert len(warnings) == 2, warnings
        assert warnings[0].startswith("cannot reach") and "wait up to 0.5 s" in warnings[0]
        attempts = proxy.refused + 1  # the refused ones and the one that worked
        assert f"reconnected to {proxy.url} after {attempts} attempt(s)" in warnings[1], (warnings, attempts)


async def test_command_issued_in_a_short_outage_is_sent_once_back(sim: RelaySimulator, proxy: TcpProxy) -> None:
    """An outage shorter than ``timeout``: the queued command goes out when the session is back."""
    async with Client(project=sim.project, token=sim.token, host=proxy.url, **FAST) as client:
        place = await placer(sim, client)()
        call, _ = await place()
        proxy.block()
        await eventually(lambda: not client.connected, what="drop noticed")
        result: list[Any] = []

        async def play() -> None:
            result.append(await call.play_tts(text="queued"))

        async with anyio.create_task_group() as tg:
            tg.start_soon(play)
            await eventually(lambda: proxy.refused >= 3, timeout=5, what="a few refused reconnects")
            proxy.unblock()
        assert result[0].successful
