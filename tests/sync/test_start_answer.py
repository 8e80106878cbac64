"""relay_sync: a blocking waiting method whose component is over before its
start is answered returns at once (one wait for both, as in relay_anyio)."""

from __future__ import annotations

import queue
import threading
from typing import Any

import pytest

from relay_anyio.testing import RelaySimulator
from relay_sync import Client
from relay_sync.testing import Simulator

from ..helpers import eventually
from .conftest import WAIT, Place, last_command


def test_a_component_over_before_its_start_is_answered_returns_at_once(
    sim: Simulator, place: Place, client: Client
) -> None:
    call, handle = place()
    held = sim.run(lambda relay: relay.faults.hold("calling.play"))

    def finish_it() -> None:
        sim.journal.wait_for(method="calling.play", direction="in", timeout=WAIT)
        sim.run(lambda relay: eventually(lambda: len(held.held) == 1, WAIT, "the start's answer held"))
        control_id = last_command(sim, "calling.play")["control_id"]

        def emit(relay: RelaySimulator) -> None:
            ours = relay.call(handle.call_id)
            ours.emit("calling.call.play", {
                "call_id": ours.call_id, "node_id": ours.node_id, "control_id": control_id, "state": "finished",
            })

        sim.run(emit)

    finisher = threading.Thread(target=finish_it, name="finisher")
    finisher.start()
    try:
        result = call.play_tts(text="hello")  # blocks until the finished event (the answer stays held)
    finally:
        finisher.join(WAIT)
    assert result.successful and result.event is not None and result.event.payload["state"] == "finished"
    assert len(held.held) == 1
    sizes = client._core.run(lambda: client._async.session.table_sizes())
    assert sizes["pending"] == 0 and sizes["deadlines"] == 0
    sim.run(lambda relay: relay.faults.release(held))
    assert call.play_tts(text="again").successful


@pytest.mark.parametrize("end", ["client closed", "session lost"])
def test_a_blocked_start_ends_when_the_client_closes_or_the_session_is_lost(
    sim: Simulator, place: Place, client: Client, end: str
) -> None:
    """A waiting method blocked on its start's answer (held by the simulator)."""
    call, _ = place()
    held = sim.run(lambda relay: relay.faults.hold("calling.play"))
    outcome: queue.Queue[Any] = queue.Queue()
    blocked = threading.Thread(target=lambda: outcome.put(call.play_tts(text="hello")), name="blocked play")
    blocked.start()
    sim.run(lambda relay: eventually(lambda: len(held.held) == 1, WAIT, "the start's answer held"))
    if end == "session lost":
        assert sim.run(lambda relay: relay.faults.forget_sessions()) == 1
    else:
        client.close()
    blocked.join(WAIT)
    assert not blocked.is_alive()
    result = outcome.get(timeout=WAIT)
    assert not result.successful and result.error == end
