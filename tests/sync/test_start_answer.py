"""relay_sync: a blocking waiting method whose component is over before its
start is answered returns at once (one wait for both, as in relay_anyio)."""

from __future__ import annotations

import threading

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
