"""The pytest plugin's fixtures (registered through the pytest11 entry point)."""

from __future__ import annotations

from typing import Any

import pytest

import relay_anyio
from relay_anyio.testing import RelaySimulator

from .rawclient import started_client

pytestmark = pytest.mark.anyio


async def test_relay_simulator_fixture(relay_simulator: RelaySimulator) -> None:
    assert relay_simulator.url.startswith("ws://127.0.0.1:")
    assert relay_simulator.time_scale == 0
    async with started_client(relay_simulator.url, ["office"]) as client:
        handle = await relay_simulator.inbound_call("office", timeout=5)
        assert (await client.inbound())["call_id"] == handle.call_id


@pytest.mark.skipif(not hasattr(relay_anyio, "Client"), reason="relay_anyio.Client is not written yet")
async def test_relay_client_fixture(relay_simulator: RelaySimulator, relay_client: Any) -> None:
    assert relay_client is not None
    await relay_simulator.journal.wait_for(method="blade.connect", direction="in")
