"""pytest fixtures for code that talks to Relay (loaded via the pytest11 entry point).

``relay_simulator``: a RelaySimulator started for the test (time_scale 0),
under the test's anyio backend. ``relay_client``: a ``relay_anyio.Client``
connected to it. Both need an anyio test (``@pytest.mark.anyio``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .simulator import RelaySimulator


@pytest.fixture
async def relay_simulator(anyio_backend: Any) -> AsyncIterator[RelaySimulator]:
    """A running simulator at ``relay_simulator.url`` (instant simulated time)."""
    # Imported here so that merely having the plugin installed costs nothing.
    from .simulator import RelaySimulator

    async with RelaySimulator(time_scale=0) as sim:
        yield sim


@pytest.fixture
async def relay_client(relay_simulator: RelaySimulator, anyio_backend: Any) -> AsyncIterator[Any]:
    """A ``relay_anyio.Client`` connected to ``relay_simulator``."""
    from relay_anyio import Client

    sim = relay_simulator
    async with Client(project=sim.project, token=sim.token, host=sim.url) as client:
        yield client
