"""The socket dropped at every stage of a flow.

Handshake (first and later connections), between a command and its
response, between a component's start and its terminal event, and while
events are raised: the flow completes after the reconnect, the session is
restored, every command runs exactly once on the server (re-sends reuse
their JSON-RPC id) and every event reaches the application once, in order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import pytest

from relay_anyio import Call, Client
from relay_anyio.protocol import RelayEvent
from relay_anyio.testing import Caller, RelaySimulator

from ..helpers import eventually
from .conftest import (
    CONTEXT,
    FAST,
    ConnectDropper,
    Ledger,
    Place,
    TcpProxy,
    assert_each_id_is_one_command,
    connects_in,
    placer,
    requests_in,
)

pytestmark = pytest.mark.anyio

STAGES = ["on_receive", "before_response", "after_response"]


def spy_events(client: Client) -> list[RelayEvent]:
    """Every event the session hands to the application, in order."""
    delivered: list[RelayEvent] = []
    session = client.session
    forward = session.blade.on_event

    def spy(event: RelayEvent) -> None:
        delivered.append(event)
        forward(event)

    session.blade.on_event = spy
    return delivered


def assert_events_once_in_order(sim: RelaySimulator, delivered: list[RelayEvent], event: str, **match: Any) -> list[dict[str, Any]]:
    """The application got each distinct ``event`` broadcast exactly once, in the order raised."""
    first_seen: dict[str, dict[str, Any]] = {}
    for entry in sim.journal.filter(event=event, direction="out"):
        params = entry.frame["params"]["params"]["params"]
        if all(params.get(k) == v for k, v in match.items()):
            first_seen.setdefault(entry.frame["id"], params)
    raised = list(first_seen.values())
    got = [e.params for e in delivered if e.event_type == event and all(e.params.get(k) == v for k, v in match.items())]
    assert got == raised, f"{event}: application saw {len(got)} events, the server raised {len(raised)} (or out of order)"
    return raised


# --------------------------------------------------------------------------
# Handshake, first connection


@pytest.mark.parametrize(
    "where",
    [
        "blade.connect before_response",
        "blade.connect after_response",
        "setup on_receive",
        "setup before_response",
        "blade.subscription on_receive",
        "blade.subscription before_response",
        "blade.subscription after_response",
    ],
)
async def test_drop_during_first_handshake_is_retried(sim: RelaySimulator, ledger: Ledger, where: str) -> None:
    method, stage = where.split()
    if method == "blade.connect":
        dropper = ConnectDropper(sim, ledger, stage, times=1)
    else:
        sim.faults.drop_at(method, stage=stage)  # type: ignore[arg-type]
    with anyio.fail_after(10):
        async with Client(project=sim.project, token=sim.token, host=sim.url, **{**FAST, "timeout": 2}) as client:
            # The drop may land just after the last handshake answer, so the
            # reconnect can follow the start: wait for it.
            await eventually(lambda: client.session.connections == 2 and client.connected, what="one reconnect")
            place = await placer(sim, client)()
            call, handle = await place()
            assert (await call.play_tts(text="after the drop")).successful
            assert [h.params["text"] for h in handle.heard] == ["after the drop"]
            # The session the client works in is fully set up on the server.
            [server] = [s for s in sim.sessions if s.id == client.session.sessionid]
            assert server.protocol == client.session.protocol and server.subscribed
            assert server.contexts == {CONTEXT}
    if method == "blade.connect":
        assert dropper.hits == 1
    else:
        assert not sim.faults.rules, "the fault was not injected"


# --------------------------------------------------------------------------
# Handshake, later connections (into a restored session)


@pytest.mark.parametrize("stage", ["before_response", "after_response"])
async def test_drop_while_restoring_then_restored(sim: RelaySimulator, ledger: Ledger, stage: str) -> None:
    # timeout=1: a handshake answer that never comes costs one second at most.
    async with Client(project=sim.project, token=sim.token, host=sim.url, **{**FAST, "timeout": 1}) as client:
        place = await placer(sim, client)()
        delivered = spy_events(client)
        call, handle = await place()
        sessionid = client.session.sessionid
        dropper = ConnectDropper(sim, ledger, stage, times=1)
        assert sim.faults.drop() == 1
        handle.end("hangup")  # events raised while the client is away
        with anyio.fail_after(10):
            assert await call.wait_for("ended")
        await eventually(lambda: client.session.connections == 3 and client.connected, timeout=10, what="second restore")
        assert dropper.hits == 1
        assert client.session.sessionid == sessionid and len(sim.sessions) == 1
        connects = [e.frame["params"] for e in connects_in(sim)]
        assert len(connects) == 3 and "sessionid" not in connects[0]
        assert all(c.get("sessionid") == sessionid for c in connects[1:])
        assert_events_once_in_order(sim, delivered, "calling.call.state", call_id=call.id)
        assert [e.params["call_state"] for e in delivered if e.params.get("call_id") == call.id][-2:] == ["ending", "ended"]
        new_call, new_handle = await place()
        assert (await new_call.hangup()).successful
        assert await new_handle.ended(timeout=5) == "hangup"


async def test_handshake_drop_is_noticed_without_waiting_for_the_command_timeout(sim: RelaySimulator, ledger: Ledger) -> None:
    """A socket that dies during the handshake is replaced at once, not after ``timeout``."""
    async with Client(project=sim.project, token=sim.token, host=sim.url, reconnect_base=0.02, reconnect_cap=0.1, timeout=30) as client:
        sim.faults.forget_sessions()  # the next handshake is a full one
        sim.faults.drop_at("blade.subscription", stage="before_response")
        # The bound that fails the test (4 s) is far below the command timeout (30 s).
        await eventually(lambda: client.session.connections == 3 and client.connected, timeout=4, what="second reconnect")


# --------------------------------------------------------------------------
# Handshake of a fresh session (service restarted), dropped half-way


@pytest.mark.time_scale(1)
@pytest.mark.parametrize(
    "where",
    [
        "setup before_response",
        "blade.subscription before_response",
        "signalwire.receive on_receive",
        "signalwire.receive before_response",
    ],
)
async def test_drop_during_fresh_session_handshake(sim: RelaySimulator, where: str) -> None:
    method, stage = where.split()
    async with Client(project=sim.project, token=sim.token, host=sim.url, **{**FAST, "timeout": 1}) as client:
        place = await placer(sim, client)()
        old_call, _ = await place()
        action = await old_call.play_silence_async(600)
        assert await client.calling.receive(["second"], lambda call: None)
        sim.faults.drop_at(method, stage=stage)  # type: ignore[arg-type]
        sim.faults.forget_sessions()
        # The component of the lost session ends, unsuccessfully, with a reason.
        with anyio.fail_after(5):  # handshake timeout 1 s + reconnect: plenty
            result = await action.wait()
        assert not result.successful and result.error == "session lost"
        await eventually(lambda: client.connected and not sim.faults.rules, timeout=5, what="fault injected and session back")
        [server] = [s for s in sim.sessions if s.id == client.session.sessionid]
        assert server.protocol == client.session.protocol, "the client works with another protocol than its session's"
        assert server.subscribed, "the fresh session was never subscribed to notifications"
        assert server.contexts == {CONTEXT, "second"}, "the fresh session does not receive the client's contexts"
        new_call, handle = await place()
        assert (await new_call.play_tts(text="fresh")).successful
        assert [h.params["text"] for h in handle.heard] == ["fresh"]


# --------------------------------------------------------------------------
# Between a command and its response


async def _flow(method: str, sim: RelaySimulator, client: Client, place: Place) -> Callable[[], Awaitable[None]]:
    """Arm nothing; return the step that sends ``method`` and checks its effect happened once."""
    if method == "calling.begin":

        async def step() -> None:
            result = await client.calling.dial(from_number="+15550003333", to_number="+15550004444")
            assert result.successful and result.call.answered
            outbound = [c for c in sim.calls if c.direction == "outbound"]
            assert len(outbound) == 1, f"calling.begin ran {len(outbound)} times"
            assert outbound[0].call_id == result.call.id

        return step
    if method == "signalwire.receive":

        async def step() -> None:
            got: list[Call] = []
            assert await client.calling.receive(["late"], got.append)
            handle = await sim.inbound_call(context="late", caller=Caller())
            await eventually(lambda: len(got) == 1)
            assert got[0].id == handle.call_id

        return step
    call, handle = await place(Caller(presses="42#", says="hello"), answer=method != "calling.answer")

    async def step() -> None:
        if method == "calling.answer":
            assert (await call.answer()).successful
            answered = [p for p in sim.journal.events("calling.call.state") if p["call_id"] == call.id and p["call_state"] == "answered"]
            assert len(answered) == 1
        elif method == "calling.play":
            assert (await call.play_tts(text="once")).successful
            assert [h.params["text"] for h in handle.heard] == ["once"]
        elif method == "calling.play_and_collect":
            result = await call.prompt_tts("digits", "code?", digits_max=2, digits_terminators="#")
            assert result.successful and result.result == "42"
            assert [h.source for h in handle.heard] == ["prompt"]
        elif method == "calling.record":
            result = await call.record(beep=False, end_silence_timeout=1)
            assert result.successful and result.url
            assert len(handle.recordings) == 1, f"calling.record ran {len(handle.recordings)} times"
        elif method == "calling.send_digits":
            assert (await call.send_digits("1w2")).successful
            finished = [p for p in sim.journal.events("calling.call.send_digits") if p["call_id"] == call.id]
            assert len({p["control_id"] for p in finished}) == 1
        elif method == "calling.end":
            result = await call.hangup()
            assert result.successful and result.reason == "hangup"
            assert await handle.ended(timeout=5) == "hangup"
        else:
            raise AssertionError(method)

    return step


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize(
    "method",
    [
        "calling.begin",
        "signalwire.receive",
        "calling.answer",
        "calling.play",
        "calling.play_and_collect",
        "calling.record",
        "calling.send_digits",
        "calling.end",
    ],
)
async def test_drop_between_command_and_response_runs_it_once(
    sim: RelaySimulator, client: Client, place: Place, method: str, stage: str
) -> None:
    step = await _flow(method, sim, client, place)
    before = len(requests_in(sim, method))
    sim.faults.drop_at(method, stage=stage)  # type: ignore[arg-type]
    with anyio.fail_after(10):
        await step()
    assert not sim.faults.rules, "the fault was not injected"
    # after_response: the answer came before the drop, so the step may end before the restore
    await eventually(lambda: client.session.restores == 1 and client.connected, what="the restore")
    assert client.session.connections == 2
    sends = assert_each_id_is_one_command(sim, method)
    frames = requests_in(sim, method)[before:]
    ids = {e.frame["id"] for e in frames}
    assert len(ids) == 1, f"{method} was sent as {len(ids)} different commands"
    expected = 1 if stage == "after_response" else 2  # answered before the drop: no re-send needed
    assert sends[ids.pop()] == expected


async def test_many_commands_in_flight_across_a_drop(sim: RelaySimulator, client: Client, place: Place) -> None:
    """Twenty commands unanswered when the socket dies: each runs once, each gets its own answer."""
    calls = [await place() for _ in range(5)]
    sim.faults.delay("calling.play", seconds=0.3, times=20)
    results: list[Any] = []

    async def play(call: Call, n: int) -> None:
        results.append((call.id, n, await call.play_tts(text=f"{call.id}/{n}")))

    async with anyio.create_task_group() as tg:
        for call, _ in calls:
            for n in range(4):
                tg.start_soon(play, call, n)
        await sim.journal.wait_for(method="calling.play", direction="in", count=20)
        assert sim.faults.drop() == 1
    assert all(r.successful for _, _, r in results) and len(results) == 20
    for call, handle in calls:
        assert sorted(h.params["text"] for h in handle.heard) == sorted(f"{call.id}/{n}" for n in range(4))
    sends = assert_each_id_is_one_command(sim, "calling.play")
    assert len(sends) == 20 and set(sends.values()) == {2}, "each unanswered command is re-sent once, with its id"


# --------------------------------------------------------------------------
# Between a component's start and its terminal event


COMPONENTS: dict[str, tuple[str, Caller, Callable[[Call], Awaitable[Any]]]] = {
    "calling.play": ("calling.call.play", Caller(), lambda c: c.play_tts_async(text="hello there")),
    "calling.play_and_collect": (
        "calling.call.collect",
        Caller(presses="42#"),
        lambda c: c.prompt_tts_async("digits", "code?", digits_max=2, digits_terminators="#"),
    ),
    "calling.record": ("calling.call.record", Caller(says="hello"), lambda c: c.record_async(beep=False)),
    "calling.detect": (
        "calling.call.detect",
        Caller(kind="machine", greeting=1.0),
        lambda c: c.detect_answering_machine_async(wait_for_beep=True),
    ),
    "calling.send_digits": ("calling.call.send_digits", Caller(), lambda c: c.send_digits_async("123")),
    "calling.receive_fax": ("calling.call.fax", Caller(kind="fax"), lambda c: c.fax_receive_async()),
}


@pytest.mark.parametrize("stage", ["before_response", "after_response"])
@pytest.mark.parametrize("method", list(COMPONENTS))
async def test_drop_between_component_start_and_end(
    sim: RelaySimulator, client: Client, place: Place, method: str, stage: str
) -> None:
    event, caller, start = COMPONENTS[method]
    delivered = spy_events(client)
    call, _ = await place(caller)
    sim.faults.drop_at(method, stage=stage)  # type: ignore[arg-type]
    with anyio.fail_after(10):
        action = await start(call)
        result = await action.wait()
    assert not sim.faults.rules, "the fault was not injected"
    assert result.successful, result
    assert client.session.restores == 1
    raised = assert_events_once_in_order(sim, delivered, event, control_id=action.control_id)
    assert raised, "no component event at all"
    assert len(assert_each_id_is_one_command(sim, method)) == 1


@pytest.mark.time_scale(0.02)
async def test_events_raised_while_away_arrive_once_in_order(sim: RelaySimulator, proxy: TcpProxy) -> None:
    """The client is kept away (dead service) while components finish and callers hang up."""
    async with Client(project=sim.project, token=sim.token, host=proxy.url, **FAST) as client:
        delivered = spy_events(client)
        place = await placer(sim, client)()
        flows = [await place() for _ in range(3)]
        actions = [await call.play_silence_async(10) for call, _ in flows]  # 0.2 s real
        for action in actions:
            with anyio.fail_after(5):
                while action.state != "playing":
                    await anyio.sleep(0)
        connects_before = len(connects_in(sim))
        assert proxy.block() == 1
        server = sim.sessions[0]
        for _, handle in flows[1:]:
            handle.end("hangup")

        def raised_while_away() -> bool:
            finished = [r for r in server.unacked.values() if r.params["params"]["params"].get("state") == "finished"]
            ended = [r for r in server.unacked.values() if r.params["params"]["params"].get("call_state") == "ended"]
            return server.connection is None and len(finished) >= 1 and len(ended) == 2

        await eventually(raised_while_away, timeout=5, what="events raised while the client is away")
        await eventually(lambda: not client.connected, timeout=5, what="the client noticing the dead service")
        proxy.unblock()
        with anyio.fail_after(5):
            results = [await action.wait() for action in actions]
        await eventually(lambda: all(call.ended for call, _ in flows[1:]), what="hang-ups delivered")
        assert client.session.restores == 1
        # Everything raised while away was written after the reconnect.
        reconnect_seq = connects_in(sim)[connects_before].seq
        late = [e for e in sim.journal.filter(direction="out", since=reconnect_seq) if e.event_type]
        assert len(late) >= 3
        assert results[0].successful
        for action in actions:
            assert_events_once_in_order(sim, delivered, "calling.call.play", control_id=action.control_id)
        for call, _ in flows:
            assert_events_once_in_order(sim, delivered, "calling.call.state", call_id=call.id)
        # Across calls too: the application saw the events in the order they were raised.
        order = []
        for entry in sim.journal.filter(direction="out"):
            if entry.event_type and entry.frame["id"] not in order:
                order.append(entry.frame["id"])
        assert len(delivered) == len(order)


async def test_events_delivered_but_not_acknowledged_are_not_seen_twice(sim: RelaySimulator, proxy: TcpProxy) -> None:
    """The client's acks are lost (one-way freeze): on restore the server re-sends
    those events with the same ids, and the application must not see them again."""
    async with Client(project=sim.project, token=sim.token, host=proxy.url, **FAST) as client:
        delivered = spy_events(client)
        place = await placer(sim, client)()
        call, handle = await place()
        proxy.freeze("up")  # events still arrive; acks and commands vanish
        handle.end("hangup")
        await eventually(lambda: call.ended, what="hang-up seen")
        server = sim.sessions[0]
        unacked = [r.id for r in server.unacked.values()]
        assert len(unacked) >= 2, "the hang-up events should still be unacknowledged"
        assert proxy.cut() == 1
        await eventually(lambda: client.session.restores == 1 and client.connected, what="restore")
        await eventually(lambda: not server.unacked, what="replayed events acknowledged")
        for rpc_id in unacked:
            assert len([e for e in sim.journal.filter(direction="out") if e.frame.get("id") == rpc_id and "method" in e.frame]) == 2
        states = [e.params["call_state"] for e in delivered if e.params.get("call_id") == call.id]
        assert states.count("ending") == 1 and states.count("ended") == 1
        assert_events_once_in_order(sim, delivered, "calling.call.state", call_id=call.id)
