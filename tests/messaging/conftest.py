"""Fixtures for messaging tests: a simulator and a client connected to it over a real socket."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from relay_anyio import Client
from relay_anyio.testing import RelaySimulator

CONTEXT = "sms"
OURS = "+15550000002"
THEIRS = "+15550000001"


@pytest.fixture
async def sim() -> AsyncIterator[RelaySimulator]:
    async with RelaySimulator(time_scale=0) as simulator:
        yield simulator


@pytest.fixture
async def client(sim: RelaySimulator) -> AsyncIterator[Client]:
    async with Client(project=sim.project, token=sim.token, host=sim.url, timeout=5) as c:
        yield c
