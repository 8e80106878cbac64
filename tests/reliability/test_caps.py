"""The documented caps: ``max_frame_size`` (inbound frames) and ``max_pending`` (commands waiting)."""

from __future__ import annotations

import json
import re
import logging
from typing import Any

import anyio
import pytest

from relay_anyio import Client, RelayError
from relay_anyio.testing import RelaySimulator

from ..helpers import eventually
from .conftest import FAST, Ledger, Records, TcpProxy, assert_each_id_is_one_command, placer
from .hostile import PROJECT, TOKEN, HostileRelay

pytestmark = pytest.mark.anyio

CAP = 16 * 1024


def padded_play_event(server: HostileRelay, call_id: str, size: int, control_id: str) -> str:
    """A valid play event whose JSON text is exactly ``size`` characters."""
    frame = server.broadcast("calling.call.play", {"call_id": call_id, "control_id": control_id, "state": "playing", "pad": ""})
    text = json.dumps(frame)
    frame["params"]["params"]["params"]["pad"] = "x" * (size - len(text))
    text = json.dumps(frame)
    assert len(text) == size
    return text


@pytest.mark.parametrize("fragments", [1, 9])
async def test_frames_over_max_frame_size_are_dropped_not_fatal(all_logs: Records, ledger: Ledger, fragments: int) -> None:
    async with HostileRelay() as server:
        async with Client(PROJECT, TOKEN, host=server.url, timeout=2, keepalive=0, max_frame_size=CAP) as client:
            call = (await client.calling.dial(from_number="+15550001000", to_number="+15550002000")).call
            seen: list[str] = []
            call.on("play.stateChange", lambda e: seen.append(e.payload["control_id"]))
            mark = len(all_logs.records)
            for control_id, size in (("at-cap", CAP), ("over-cap", CAP + 1), ("huge", 8 * CAP), ("after", 600)):
                text = padded_play_event(server, call.id, size, control_id)
                if fragments > 1:
                    await server.send_fragmented(text, fragments)
                else:
                    await server.send(text)
            ledger.add("oversized frame (max_frame_size)", 2)
            await eventually(lambda: "after" in seen, what="the frame after the oversized ones")
            assert seen == ["at-cap", "after"]
            assert server.connects == 1 and client.connected
            warnings = [r for r in all_logs.since(mark) if r.name.startswith("relay_anyio") and r.levelno >= logging.WARNING]
            dropped = 0
            for record in warnings:
                text = record.getMessage()
                if "max_frame_size" in text:
                    counted = re.search(r"dropped (\d+) frame", text)
                    dropped += int(counted.group(1)) if counted else 1
            assert dropped == 2, [r.getMessage() for r in warnings]
            # the oversized broadcasts were not answered (never read); everything readable was
            assert (await call.play_tts(text="fine")).successful


async def test_max_pending_refuses_the_command_over_the_cap_at_once(sim: RelaySimulator, ledger: Ledger) -> None:
    async with Client(project=sim.project, token=sim.token, host=sim.url, max_pending=8, keepalive=0, **FAST) as client:
        place = await placer(sim, client)()
        call, handle = await place()
        sim.faults.delay("calling.play", seconds=0.5, times=8)
        results: list[Any] = []

        async def play(n: int) -> None:
            results.append(await call.play_tts(text=f"p{n}"))

        async with anyio.create_task_group() as tg:
            for n in range(8):
                tg.start_soon(play, n)
            await sim.journal.wait_for(method="calling.play", direction="in", count=8)
            with anyio.fail_after(1):
                with pytest.raises(RelayError, match="max_pending"):
                    await call.play_tts(text="one too many")
            ledger.add("command over max_pending", 1)
        assert len(results) == 8 and all(r.successful for r in results)
        assert len([h for h in handle.heard if h.params["text"] == "one too many"]) == 0
        assert (await call.play_tts(text="room again")).successful


async def test_max_pending_holds_while_disconnected_and_queued_commands_go_out_once(sim: RelaySimulator, proxy: TcpProxy) -> None:
    async with Client(project=sim.project, token=sim.token, host=proxy.url, max_pending=5, keepalive=0, **FAST) as client:
        place = await placer(sim, client)()
        call, handle = await place()
        proxy.block()
        await eventually(lambda: not client.connected, what="outage noticed")
        results: list[Any] = []

        async def play(n: int) -> None:
            results.append(await call.play_tts(text=f"q{n}"))

        async with anyio.create_task_group() as tg:
            for n in range(5):
                tg.start_soon(play, n)
            await eventually(lambda: len(client.session.blade.pending) >= 5, what="five commands queued")
            with pytest.raises(RelayError, match="max_pending"):
                await call.play_tts(text="overflow")
            proxy.unblock()
        assert all(r.successful for r in results)
        assert sorted(h.params["text"] for h in handle.heard) == [f"q{n}" for n in range(5)]
        sends = assert_each_id_is_one_command(sim, "calling.play")
        assert len(sends) == 5 and set(sends.values()) == {1}
