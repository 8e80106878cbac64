"""Fixtures for the simulator's own tests (raw frames, both backends)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from relay_anyio.testing import Caller, CallHandle, RelaySimulator

from .rawclient import RawClient, started_client


@pytest.fixture
async def sim(anyio_backend: str) -> AsyncIterator[RelaySimulator]:
    async with RelaySimulator(time_scale=0) as simulator:
        yield simulator


@pytest.fixture
async def client(sim: RelaySimulator) -> AsyncIterator[RawClient]:
    async with started_client(sim.url, ["office"]) as raw:
        yield raw


async def answered_call(
    sim: RelaySimulator, client: RawClient, caller: Caller | None = None
) -> tuple[CallHandle, dict[str, Any]]:
    """An inbound call on "office", answered; returns (handle, base params)."""
    handle = await sim.inbound_call("office", caller=caller, timeout=5)
    event = await client.inbound()
    assert event["call_id"] == handle.call_id
    base = {"call_id": handle.call_id, "node_id": event["node_id"]}
    result = await client.execute("calling.answer", base)
    assert result["code"] == "200", result
    await client.call_state(handle.call_id, "answered")
    return handle, base
