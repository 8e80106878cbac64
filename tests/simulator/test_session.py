"""Blade session: connect, setup, subscription, receive, ping, bad frames,
restore, duplicate ids, several connections."""

from __future__ import annotations

import json
import re
import uuid

import anyio
import pytest

from relay_anyio.protocol import AUTH_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR
from relay_anyio.testing import RelaySimulator

from ..helpers import eventually
from .rawclient import open_client, started_client

pytestmark = pytest.mark.anyio


async def test_connect_setup_subscribe_receive(sim: RelaySimulator) -> None:
    async with open_client(sim.url) as c:
        frame = await c.connect()
        result = frame["result"]
        assert result["session_restored"] is False
        assert result["authorization"]["project"] == "project"
        assert result["master_nodeid"] == "00000000-0000-0000-0000-000000000000"
        assert result["protocols_uncertified"] == ["signalwire"]
        protocol = await c.setup()
        assert re.fullmatch(r"signalwire_[0-9a-f]+", protocol)
        sub = await c.subscribe()
        assert sub == {"protocol": protocol, "command": "add", "subscribe_channels": ["notifications"]}
        received = await c.receive(["office", "sales"])
        assert received["code"] == "200"
        assert received["message"].startswith("Receiving all inbound")
        session = sim.sessions[0]
        assert session.contexts == {"office", "sales"}


async def test_bad_credentials_get_negative_error(sim: RelaySimulator) -> None:
    async with open_client(sim.url) as c:
        frame = await c.connect(token="wrong")
        assert frame["error"]["code"] == AUTH_ERROR < 0
        assert "Authentication" in frame["error"]["message"]
        # Nothing else works before a successful connect.
        frame = await c.request("blade.ping", {})
        assert frame["error"]["code"] == INVALID_REQUEST


async def test_ping_echoes_timestamp(sim: RelaySimulator) -> None:
    async with started_client(sim.url) as c:
        frame = await c.request("blade.ping", {"timestamp": 123.5})
        assert frame["result"] == {"timestamp": 123.5}
        frame = await c.request("blade.ping", {})
        assert isinstance(frame["result"]["timestamp"], float)


async def test_malformed_frames_get_jsonrpc_errors(sim: RelaySimulator) -> None:
    async with started_client(sim.url) as c:
        await c.send_text("{not json")
        await c.send_text("[1, 2]")
        await c.send({"jsonrpc": "2.0", "id": "no-method", "params": {}})
        frame = await c.request("blade.nonsense", {})
        assert frame["error"]["code"] == METHOD_NOT_FOUND
        errors = [f for f in c.frames if "error" in f]
        assert errors[0]["id"] is None and errors[0]["error"]["code"] == PARSE_ERROR
        assert errors[1]["id"] is None and errors[1]["error"]["code"] == INVALID_REQUEST
        assert errors[2]["id"] == "no-method" and errors[2]["error"]["code"] == INVALID_REQUEST
        # The socket still serves.
        assert "result" in await c.request("blade.ping", {})
        # Bad execute params and an unknown protocol are answered too.
        frame = await c.request("blade.execute", {"protocol": "other", "method": "calling.end", "params": {}})
        assert frame["error"]["code"] < 0
        assert "protocol" in frame["error"]["message"]


async def test_restore_delivers_missed_events_in_order(sim: RelaySimulator) -> None:
    async with started_client(sim.url, ["office"]) as c:
        sessionid = c.sessionid
        handle = await sim.inbound_call("office")
        await c.inbound()
        assert sim.faults.drop() == 1
        with anyio.fail_after(5):
            await c.closed.wait()
    # Events while the client is away are kept for the restore.
    handle.end("hangup")
    second = await sim.inbound_call("office")
    async with open_client(sim.url) as c2:
        frame = await c2.connect(sessionid=sessionid)
        assert frame["result"]["session_restored"] is True
        assert frame["result"]["sessionid"] == sessionid
        ending = await c2.call_state(handle.call_id, "ending")
        ended = await c2.call_state(handle.call_id, "ended")
        assert ended["end_reason"] == "hangup" and ending["end_reason"] == "hangup"
        received = await c2.inbound()
        assert received["call_id"] == second.call_id
        types = [e["event_type"] for e in c2.events]
        assert types == ["calling.call.state", "calling.call.state", "calling.call.receive"]
        # The restored session keeps its protocol: commands work without setup.
        c2.protocol = c.protocol
        result = await c2.execute("calling.answer", {"call_id": second.call_id, "node_id": "n"})
        assert result["code"] == "200"


async def test_unacknowledged_broadcasts_resent_with_same_id(sim: RelaySimulator) -> None:
    async with started_client(sim.url, ["office"], auto_ack=False) as c:
        handle = await sim.inbound_call("office")
        await c.inbound()
        first_id = c.events[0]["id"]
        sessionid = c.sessionid
        sim.faults.drop()
        with anyio.fail_after(5):
            await c.closed.wait()
    async with open_client(sim.url) as c2:
        frame = await c2.connect(sessionid=sessionid)
        assert frame["result"]["session_restored"] is True
        event = await c2.inbound()
        assert event["call_id"] == handle.call_id
        assert c2.events[0]["id"] == first_id
        # Now acknowledged (auto_ack): a further restore re-sends nothing.
        await sim.journal.wait_for(method=None, direction="in", count=1)
        await eventually(lambda: not sim.sessions[0].unacked, what="every broadcast acknowledged")


async def test_repeated_request_id_runs_once(sim: RelaySimulator) -> None:
    async with started_client(sim.url) as c:
        request_id = str(uuid.uuid4())
        params = {
            "tag": "t1",
            "device": {"type": "phone", "params": {"from_number": "+1", "to_number": "+2"}},
        }
        first = await c.execute("calling.begin", params, id=request_id)
        second = await c.execute("calling.begin", params, id=request_id)
        assert first == second
        assert len(sim.calls) == 1


async def test_forgotten_session_is_not_restored(sim: RelaySimulator) -> None:
    async with started_client(sim.url, ["office"]) as c:
        sessionid = c.sessionid
        handle = await sim.inbound_call("office")
        assert sim.faults.forget_sessions() == 1
        with anyio.fail_after(5):
            await c.closed.wait()
    assert handle.state == "ended"
    async with open_client(sim.url) as c2:
        frame = await c2.connect(sessionid=sessionid)
        assert frame["result"]["session_restored"] is False
        assert frame["result"]["sessionid"] != sessionid


async def test_session_expires_after_grace(anyio_backend: str) -> None:
    async with RelaySimulator(restore_grace=0.05) as sim:
        async with started_client(sim.url) as c:
            sessionid = c.sessionid
        await eventually(lambda: not sim.sessions, what="the session expiring")
        async with open_client(sim.url) as c2:
            frame = await c2.connect(sessionid=sessionid)
            assert frame["result"]["session_restored"] is False


async def test_server_disconnect_waits_for_result_then_closes(sim: RelaySimulator) -> None:
    async with started_client(sim.url) as c:
        sessionid = c.sessionid
        with anyio.fail_after(5):
            assert await sim.faults.disconnect() == 1
            await c.closed.wait()
        assert any(f.get("method") == "blade.disconnect" for f in c.frames)
        answers = sim.journal.filter(direction="in")
        assert "result" in answers[-1].frame
    async with open_client(sim.url) as c2:
        frame = await c2.connect(sessionid=sessionid)
        assert frame["result"]["session_restored"] is True


async def test_ignore_pings(sim: RelaySimulator) -> None:
    async with started_client(sim.url) as c:
        sim.faults.ignore_pings()
        with pytest.raises(TimeoutError):
            await c.request("blade.ping", {}, timeout=0.2)
        sim.faults.ignore_pings(False)
        assert "result" in await c.request("blade.ping", {})


async def test_inbound_round_robin_over_connections(sim: RelaySimulator) -> None:
    async with started_client(sim.url, ["office"]) as a, started_client(sim.url, ["office"]) as b:
        handles = [await sim.inbound_call("office") for _ in range(4)]
        got_a = [(await a.inbound())["call_id"] for _ in range(2)]
        got_b = [(await b.inbound())["call_id"] for _ in range(2)]
        assert sorted(got_a + got_b) == sorted(h.call_id for h in handles)
        assert set(got_a).isdisjoint(got_b)


async def test_inbound_waits_for_a_receiver(sim: RelaySimulator) -> None:
    with pytest.raises(TimeoutError, match="sales"):
        await sim.inbound_call("sales", timeout=0.05)
    async with anyio.create_task_group() as tg:
        placed: list[str] = []

        async def place() -> None:
            handle = await sim.inbound_call("sales", timeout=5)
            placed.append(handle.call_id)

        tg.start_soon(place)
        async with started_client(sim.url, ["sales"]) as c:
            event = await c.inbound()
    assert placed == [event["call_id"]]


async def test_events_need_subscription(sim: RelaySimulator) -> None:
    # A session that never subscribed is not offered inbound calls.
    async with open_client(sim.url) as c:
        await c.connect()
        await c.setup()
        await c.receive(["office"])
        with pytest.raises(TimeoutError):
            await sim.inbound_call("office", timeout=0.05)


async def test_usage_without_async_with_explains(anyio_backend: str) -> None:
    sim = RelaySimulator()
    with pytest.raises(RuntimeError, match="async with"):
        _ = sim.url
    with pytest.raises(RuntimeError, match="async with"):
        await sim.inbound_call("office")


async def test_journal_frames_are_exact(sim: RelaySimulator) -> None:
    async with started_client(sim.url) as c:
        await c.request("blade.ping", {"timestamp": 1})
        entries = await sim.journal.wait_for(method="blade.ping", direction="in")
        assert entries[0].frame["params"] == {"timestamp": 1}
        assert entries[0].session == c.sessionid
        out = [e for e in sim.journal if e.direction == "out" and e.frame.get("id") == entries[0].frame["id"]]
        assert out[0].frame == {"jsonrpc": "2.0", "id": entries[0].frame["id"], "result": {"timestamp": 1}}
        assert json.dumps(out[0].frame)
