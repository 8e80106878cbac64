"""Journal queries and fault hooks (delay, refuse, drop at a stage, on blade.connect too)."""

from __future__ import annotations

import io
import json
import uuid

import anyio
import pytest

from relay_anyio import Client
from relay_anyio.testing import RelaySimulator
from relay_anyio.testing._faults import DropStage

from ..helpers import eventually
from .conftest import answered_call
from .rawclient import RawClient, open_client, started_client

pytestmark = pytest.mark.anyio

SILENCE = [{"type": "silence", "params": {"duration": 1}}]


async def test_journal_filters_commands_and_dump(sim: RelaySimulator, client: RawClient) -> None:
    handle, base = await answered_call(sim, client)
    await client.execute("calling.play", {**base, "control_id": "p", "play": SILENCE})
    entries = await sim.journal.wait_for(event="calling.call.play", count=2)
    assert [e.frame["params"]["params"]["params"]["state"] for e in entries] == ["playing", "finished"]
    assert sim.journal.commands("calling.play") == [{**base, "control_id": "p", "play": SILENCE}]
    assert [e.relay_method for e in sim.journal.filter(method="calling.play", direction="in")] == ["calling.play"]
    assert all(e.direction == "in" for e in sim.journal.filter(method="blade.execute", direction="in"))
    assert sim.journal.events("calling.call.play")[0]["control_id"] == "p"
    seqs = [e.seq for e in sim.journal]
    assert seqs == sorted(seqs)
    out = io.StringIO()
    n = sim.journal.dump(out, event="calling.call.state")
    lines = out.getvalue().splitlines()
    assert n == len(lines) >= 1 and json.loads(lines[0])["direction"] == "out"
    with pytest.raises(TimeoutError):
        await sim.journal.wait_for(method="calling.nothing", timeout=0.05)


async def test_journal_limit_and_disabled(anyio_backend: str) -> None:
    async with RelaySimulator(journal_limit=3) as sim, started_client(sim.url) as c:
        for _ in range(5):
            await c.request("blade.ping", {})
        assert len(sim.journal) == 3
    async with RelaySimulator(journal=False) as sim, started_client(sim.url) as c:
        assert len(sim.journal) == 0
        with pytest.raises(RuntimeError):
            await sim.journal.wait_for(method="blade.ping")


async def test_delay_response(sim: RelaySimulator, client: RawClient) -> None:
    sim.faults.delay("blade.ping", seconds=0.2, times=1)
    with pytest.raises(TimeoutError):
        await client.request("blade.ping", {}, timeout=0.05)
    frame = await client.request("blade.ping", {})
    assert "result" in frame  # only the first one was delayed


async def test_refuse_command_and_connect(sim: RelaySimulator, client: RawClient) -> None:
    _, base = await answered_call(sim, client)
    sim.faults.refuse("calling.play", code="503", message="try later", times=2)
    for _ in range(2):
        result = await client.execute("calling.play", {**base, "control_id": str(uuid.uuid4()), "play": SILENCE})
        assert result == {"code": "503", "message": "try later"}
    assert (await client.execute("calling.play", {**base, "control_id": "ok", "play": SILENCE}))["code"] == "200"
    sim.faults.refuse("blade.connect", code=-32000, message="maintenance")
    async with open_client(sim.url) as c2:
        frame = await c2.connect()
        assert frame["error"] == {"code": -32000, "message": "maintenance"}


async def test_drop_before_response_then_resend_same_id(sim: RelaySimulator, client: RawClient) -> None:
    handle, base = await answered_call(sim, client)
    sim.faults.drop_at("calling.play", stage="before_response")
    request_id = str(uuid.uuid4())
    params = {**base, "control_id": "p", "play": SILENCE}
    await client.send({"jsonrpc": "2.0", "id": request_id, "method": "blade.execute",
                       "params": {"protocol": client.protocol, "method": "calling.play", "params": params}})
    with anyio.fail_after(5):
        await client.closed.wait()
    assert request_id not in client.responses
    async with open_client(sim.url) as c2:
        frame = await c2.connect(sessionid=client.sessionid)
        assert frame["result"]["session_restored"] is True
        c2.protocol = client.protocol
        result = await c2.execute("calling.play", params, id=request_id)
        assert result["code"] == "200"
        # It ran once: the events of the first execution arrive after the restore.
        assert (await c2.event("calling.call.play", control_id="p"))["state"] == "playing"
        assert (await c2.event("calling.call.play", control_id="p"))["state"] == "finished"
    assert len([h for h in handle.heard if h.control_id == "p"]) == 1


async def test_drop_on_receive_and_after_response(sim: RelaySimulator) -> None:
    async with started_client(sim.url) as c:
        sim.faults.drop_at("blade.ping", stage="on_receive")
        await c.send({"jsonrpc": "2.0", "id": "x", "method": "blade.ping", "params": {}})
        with anyio.fail_after(5):
            await c.closed.wait()
        assert "x" not in c.responses
    async with started_client(sim.url) as c:
        sim.faults.drop_at("blade.subscription", stage="after_response")
        await c.subscribe()
        with anyio.fail_after(5):
            await c.closed.wait()


def connect_directions(sim: RelaySimulator) -> list[str]:
    return [e.direction for e in sim.journal.filter(method="blade.connect")]


@pytest.mark.parametrize("stage", ["on_receive", "before_response"])
async def test_drop_at_connect_loses_the_answer(sim: RelaySimulator, stage: DropStage) -> None:
    sim.faults.drop_at("blade.connect", stage=stage)
    async with open_client(sim.url) as c:
        with pytest.raises(ConnectionError):
            await c.connect()
    assert connect_directions(sim) == ["in"]
    # on_receive runs nothing; before_response made the session, and it can be restored.
    assert len(sim.sessions) == (1 if stage == "before_response" else 0)
    async with open_client(sim.url) as c:
        wanted = sim.sessions[0].id if sim.sessions else None
        frame = await c.connect(sessionid=wanted)
        assert frame["result"]["session_restored"] is (wanted is not None)
    assert connect_directions(sim) == ["in", "in", "out"]


async def test_drop_at_connect_after_response(sim: RelaySimulator) -> None:
    sim.faults.drop_at("blade.connect", stage="after_response")
    async with open_client(sim.url) as c:
        frame = await c.connect()
        assert frame["result"]["session_restored"] is False
        with anyio.fail_after(5):
            await c.closed.wait()
    assert connect_directions(sim) == ["in", "out"]
    assert [s.id for s in sim.sessions] == [c.sessionid]


@pytest.mark.parametrize("stage", ["on_receive", "before_response", "after_response"])
async def test_client_retries_a_dropped_connect(sim: RelaySimulator, stage: DropStage) -> None:
    sim.faults.drop_at("blade.connect", stage=stage)
    async with Client(project=sim.project, token=sim.token, host=sim.url, reconnect_base=0.01) as client:
        assert client.connected and client.session.connections == 2
        assert connect_directions(sim).count("in") == 2
        # The same fault on a reconnect: the client tries again and restores its session.
        sim.faults.drop_at("blade.connect", stage=stage)
        assert sim.faults.drop() == 1
        await eventually(
            lambda: client.connected and client.session.connections == 4,
            what="reconnect after a dropped blade.connect",
        )
        # After the answer was written the restore counts, and so does the next one.
        assert client.session.restores == (2 if stage == "after_response" else 1)
        assert not sim.faults.rules
        call = client.calling.new_call(from_number="+1", to_number="+2")
        assert (await call.dial()).successful


async def test_journal_links_responses_to_methods(sim: RelaySimulator, client: RawClient) -> None:
    _, base = await answered_call(sim, client)
    await client.execute("calling.play", {**base, "control_id": "p", "play": SILENCE})
    answers = await sim.journal.wait_for(method="calling.play", direction="out")
    assert "result" in answers[0].frame and answers[0].answers == "calling.play"
