"""1,000 concurrent calls on one connection while the socket is dropped three times."""

from __future__ import annotations

import collections
import functools

import anyio
import pytest

from relay_anyio import Call, Client
from relay_anyio.testing import Caller, RelaySimulator

from ..helpers import eventually
from .conftest import Ledger, assert_each_id_is_one_command, requests_in

pytestmark = pytest.mark.anyio

CALLS = 1000
DROPS = 3


async def test_thousand_calls_three_drops_every_flow_once(make_sim, ledger: Ledger) -> None:  # type: ignore[no-untyped-def]
    sim: RelaySimulator = await make_sim(time_scale=0)
    handled: collections.Counter[str] = collections.Counter()
    outcomes: dict[str, tuple[bool, str | None, bool]] = {}
    done = anyio.Event()

    async def ivr(call: Call) -> None:
        handled[call.id] += 1
        answered = await call.answer()
        pin = await call.prompt_tts("digits", "PIN?", digits_max=4, digits_terminators="#")
        played = await call.play_tts(text="thanks")
        hung = await call.hangup()
        outcomes[call.id] = (answered.successful and played.successful and hung.successful, pin.result, pin.successful)
        if len(outcomes) == CALLS:
            done.set()

    async with Client(project=sim.project, token=sim.token, host=sim.url, timeout=30, keepalive=0,
                      reconnect_base=0.02, reconnect_cap=0.1) as client:
        assert await client.calling.receive(["load"], ivr)
        caller = Caller(presses="2468#")
        with anyio.fail_after(50):
            async with anyio.create_task_group() as tg:
                place = functools.partial(sim.inbound_call, "load", caller=caller)
                for _ in range(CALLS):
                    tg.start_soon(place)
            drops = 0
            for fraction in (0.2, 0.45, 0.7):
                await sim.journal.wait_for(method="calling.play", direction="in", count=int(CALLS * fraction), timeout=40)
                drops += sim.faults.drop()
                await eventually(lambda: client.connected, timeout=10, what="the client reconnecting")
            await done.wait()
        assert drops == DROPS
        assert client.session.restores == DROPS and client.session.connections == DROPS + 1
    # Every inbound call was handled exactly once, and every flow completed.
    assert len(handled) == CALLS and set(handled.values()) == {1}
    assert len(outcomes) == CALLS
    assert all(ok and pin == "2468" and pin_ok for ok, pin, pin_ok in outcomes.values())
    # Every command ran exactly once on the server.
    for method in ("calling.answer", "calling.play_and_collect", "calling.play", "calling.end"):
        sends = assert_each_id_is_one_command(sim, method)
        assert len(sends) == CALLS, f"{method}: {len(sends)} distinct commands for {CALLS} calls"
    resent = sum(n - 1 for m in ("calling.answer", "calling.play_and_collect", "calling.play", "calling.end")
                 for n in assert_each_id_is_one_command(sim, m).values())
    for handle in sim.calls:
        assert [h.params["text"] for h in handle.heard if h.source == "play"] == ["thanks"]
        assert handle.state == "ended" and handle.end_reason == "hangup"
    assert len(requests_in(sim, "calling.play")) >= CALLS
    ledger.add("load: calls carried across 3 drops", CALLS)
    ledger.add("load: commands re-sent after a drop (same id)", resent)
