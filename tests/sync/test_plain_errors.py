"""Consumer.run()/serve() and both Clients raise the error itself, never a task group's wrapper.

Sync tests: relay_anyio's Consumer.run() owns its event loop like a user's
script does; the simulator runs in a thread of its own.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import relay_anyio
import relay_sync
from relay_anyio import AuthenticationError, ConnectionClosed
from relay_sync.testing import Simulator

from .conftest import CONTEXT, WAIT


def assert_plain(info: pytest.ExceptionInfo[Any], kind: type[BaseException]) -> None:
    assert type(info.value) is kind, repr(info.value)
    assert not isinstance(info.value, BaseExceptionGroup)
    assert not isinstance(info.value.__context__, BaseExceptionGroup) or info.value.__suppress_context__


class AsyncConsumer(relay_anyio.Consumer):
    contexts = [CONTEXT]


class SyncConsumer(relay_sync.Consumer):
    contexts = [CONTEXT]


def test_consumer_run_raises_authentication_error_itself(sim: Simulator, backend: str) -> None:
    with pytest.raises(AuthenticationError) as info:
        AsyncConsumer(project=sim.project, token="wrong", host=sim.url).run(backend=backend)
    assert_plain(info, AuthenticationError)


def test_consumer_serve_raises_authentication_error_itself(sim: Simulator, backend: str) -> None:
    async def main() -> None:
        await AsyncConsumer(project=sim.project, token="wrong", host=sim.url).serve()

    with pytest.raises(AuthenticationError) as info:
        anyio.run(main, backend=backend)
    assert_plain(info, AuthenticationError)


def test_unreachable_service_is_connection_closed_itself(backend: str) -> None:
    with pytest.raises(ConnectionClosed) as info:
        AsyncConsumer(project="p", token="t", host="ws://127.0.0.1:9", client_options={"timeout": WAIT}).run(
            backend=backend
        )
    assert_plain(info, ConnectionClosed)


def test_blocking_consumer_and_clients_raise_authentication_error_itself(sim: Simulator, backend: str) -> None:
    with pytest.raises(AuthenticationError) as info:
        SyncConsumer(project=sim.project, token="wrong", host=sim.url).run(backend=backend)
    assert_plain(info, AuthenticationError)
    with pytest.raises(AuthenticationError) as info:
        with relay_sync.Client(sim.project, "wrong", sim.url, backend=backend):
            pass
    assert_plain(info, AuthenticationError)

    async def main() -> None:
        async with relay_anyio.Client(sim.project, "wrong", sim.url):
            pass

    with pytest.raises(AuthenticationError) as info:
        anyio.run(main, backend=backend)
    assert_plain(info, AuthenticationError)
