"""Fixtures for end-to-end Call tests: a simulator, a client, inbound calls."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
import pytest

from relay_anyio import Call, Client
from relay_anyio.testing import Caller, RelaySimulator

pytestmark = pytest.mark.anyio

CONTEXT = "tests"
CALLER_NUMBER = "+15550000001"
OUR_NUMBER = "+15550000002"

Place = Callable[..., Awaitable[tuple[Call, Any]]]


@pytest.fixture
async def sim(request: pytest.FixtureRequest) -> AsyncIterator[RelaySimulator]:
    """time_scale 0 (instant); ``@pytest.mark.time_scale(1)`` for tests that
    stop a component while it runs (they never wait for it to end)."""
    marker = request.node.get_closest_marker("time_scale")
    async with RelaySimulator(time_scale=marker.args[0] if marker else 0) as simulator:
        yield simulator


@pytest.fixture
async def client(sim: RelaySimulator) -> AsyncIterator[Client]:
    async with Client(project=sim.project, token=sim.token, host=sim.url, timeout=5) as c:
        yield c


@pytest.fixture
async def place(sim: RelaySimulator, client: Client) -> AsyncIterator[Place]:
    """``await place(caller, answer=True)`` -> (the SDK's Call, the simulator's handle)."""
    send, receive = anyio.create_memory_object_stream[Call](100)
    await client.calling.receive([CONTEXT], send.send)

    async def _place(caller: Caller | None = None, *, answer: bool = True) -> tuple[Call, Any]:
        handle = await sim.inbound_call(
            context=CONTEXT, from_number=CALLER_NUMBER, to_number=OUR_NUMBER, caller=caller or Caller()
        )
        with anyio.fail_after(5):
            call = await receive.receive()
        if answer:
            assert (await call.answer()).successful
        return call, handle

    with send, receive:
        yield _place


def last_command(sim: RelaySimulator, method: str) -> dict[str, Any]:
    """The params of the last ``method`` command the simulator received."""
    sent = sim.journal.commands(method)
    assert sent, f"no {method} was sent"
    return sent[-1]


def strip_ids(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k not in ("call_id", "node_id", "control_id")}
