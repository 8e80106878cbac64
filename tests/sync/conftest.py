"""Fixtures for the blocking facade: plain (not anyio-marked) tests, run once per portal backend."""

from __future__ import annotations

import queue
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from relay_sync import Call, Client
from relay_sync.testing import Caller, CallHandle, Simulator

CONTEXT = "sync-tests"
CALLER_NUMBER = "+15550000001"
OUR_NUMBER = "+15550000002"
WAIT = 5.0  # seconds any wait in these tests may take before it fails

Place = Callable[..., tuple[Call, CallHandle]]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sim_time_scale(x): run the sync simulator at this time scale")


@pytest.fixture(params=["asyncio", "trio"])
def backend(request: pytest.FixtureRequest) -> str:
    """The event loop of the Client's portal thread."""
    return str(request.param)


@pytest.fixture(autouse=True)
def ctrl_c_raises() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt in the main thread, as in a terminal.

    The Ctrl-C tests press it with ``_thread.interrupt_main()``, which does
    nothing where SIGINT is ignored: in a suite started as a background job
    (how CI may run it) the process inherits SIG_IGN.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """Every thread a test started (portal, workers, simulator) is joined when its fixtures close."""
    before = set(threading.enumerate())
    yield
    leaked = [t.name for t in threading.enumerate() if t not in before]
    assert not leaked, f"threads left running: {leaked}"


@pytest.fixture
def sim(request: pytest.FixtureRequest) -> Iterator[Simulator]:
    marker = request.node.get_closest_marker("sim_time_scale")
    with Simulator(time_scale=marker.args[0] if marker else 0) as simulator:
        yield simulator


@pytest.fixture
def client(sim: Simulator, backend: str) -> Iterator[Client]:
    with Client(sim.project, sim.token, sim.url, backend=backend, timeout=WAIT) as c:
        yield c


@pytest.fixture
def place(sim: Simulator, client: Client) -> Place:
    """``place(caller, answer=True)`` -> (the SDK's sync Call, the simulator's handle)."""
    inbox: queue.Queue[Call] = queue.Queue()
    assert client.calling.receive([CONTEXT], inbox.put)

    def _place(caller: Caller | None = None, *, answer: bool = True) -> tuple[Call, CallHandle]:
        handle = sim.inbound_call(
            context=CONTEXT, from_number=CALLER_NUMBER, to_number=OUR_NUMBER, caller=caller or Caller(), timeout=WAIT
        )
        call = inbox.get(timeout=WAIT)
        if answer:
            assert call.answer().successful
        return call, handle

    return _place


def last_command(sim: Simulator, method: str) -> dict[str, Any]:
    """The params of the last ``method`` command the simulator received."""
    sent = sim.journal.commands(method)
    assert sent, f"no {method} was sent"
    return sent[-1]


def strip_ids(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k not in ("call_id", "node_id", "control_id")}


def wait_until(event: threading.Event, what: str) -> None:
    assert event.wait(WAIT), f"{what} did not happen within {WAIT} s"
