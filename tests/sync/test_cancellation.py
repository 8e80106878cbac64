"""relay_sync: Ctrl-C in a blocking waiting method stops its component at the far end
before KeyboardInterrupt comes out, for every declared kind; closing the client
wakes every blocked thread with an unsuccessful Result."""

from __future__ import annotations

import _thread
import threading
from collections.abc import Callable
from typing import Any

import pytest

import relay_sync
from relay_anyio.components import ACTIONS
from relay_anyio.testing import RelaySimulator
from relay_sync import Client
from relay_sync.testing import Simulator

from ..calling.kinds import SCENARIOS, phones
from ..helpers import eventually
from .conftest import WAIT, Place

KINDS = sorted(ACTIONS)


def _in_background(step: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=step, name="ctrl-c presser")
    thread.start()
    return thread


def _running(sim: Simulator, call_id: str) -> None:
    """Block until the simulator runs a component on the call."""

    async def wait(relay: RelaySimulator) -> None:
        handle = relay.call(call_id)
        await eventually(lambda: any(not c.finished for c in handle.components.values()), WAIT, "a component running")

    sim.run(wait)


@pytest.mark.sim_time_scale(1)
@pytest.mark.parametrize("name", KINDS)
def test_ctrl_c_while_running_stops_the_component_first(sim: Simulator, place: Place, name: str) -> None:
    scenario = SCENARIOS[name]
    phones(sim)  # type: ignore[arg-type]  # the blocking Simulator has the same phone()
    call, _ = place(scenario.caller)
    presser = _in_background(lambda: (_running(sim, str(call.id)), _thread.interrupt_main()))
    with pytest.raises(KeyboardInterrupt):
        scenario.run(call)  # type: ignore[arg-type]  # blocks: the relay_sync Call
    presser.join(WAIT)
    # When KeyboardInterrupt came out, the stop had been sent and answered.
    assert len(sim.journal.commands(scenario.stop_method)) == 1


@pytest.mark.sim_time_scale(1)
@pytest.mark.parametrize("name", ["PlayAction", "ConnectAction"])
def test_ctrl_c_while_the_start_is_in_flight_stops_it_once_answered(sim: Simulator, place: Place, name: str) -> None:
    scenario = SCENARIOS[name]
    phones(sim)  # type: ignore[arg-type]
    call, _ = place(scenario.caller)
    held = sim.run(lambda relay: relay.faults.hold(scenario.start_method))

    def press_then_release() -> None:
        sim.journal.wait_for(method=scenario.start_method, direction="in", timeout=WAIT)
        _thread.interrupt_main()
        # The interrupted call now waits (bounded) for the start's answer: give it.
        sim.run(lambda relay: eventually(lambda: len(held.held) == 1, WAIT, "the start held"))
        sim.run(lambda relay: relay.faults.release(held))

    presser = _in_background(press_then_release)
    with pytest.raises(KeyboardInterrupt):
        scenario.run(call)  # type: ignore[arg-type]
    presser.join(WAIT)
    assert len(sim.journal.commands(scenario.stop_method)) == 1


@pytest.mark.sim_time_scale(1)
def test_ctrl_c_while_a_plain_command_is_in_flight_leaves_nothing_waiting(
    sim: Simulator, place: Place, client: Client
) -> None:
    call, handle = place()
    held = sim.run(lambda relay: relay.faults.hold("calling.end"))
    presser = _in_background(lambda: (
        sim.journal.wait_for(method="calling.end", direction="in", timeout=WAIT), _thread.interrupt_main()))
    with pytest.raises(KeyboardInterrupt):
        call.hangup()
    presser.join(WAIT)
    assert client._core.run(lambda: client._async.session.table_sizes()["pending"]) == 0
    sim.run(lambda relay: relay.faults.release(held))
    assert handle.ended(timeout=WAIT) == "hangup"


@pytest.mark.sim_time_scale(1)
def test_closing_the_client_wakes_blocked_threads_with_unsuccessful_results(sim: Simulator, place: Place, client: Client) -> None:
    call, _ = place()
    outcomes: dict[str, Any] = {}

    def blocked(name: str, method: Callable[[], Any]) -> threading.Thread:
        thread = threading.Thread(target=lambda: outcomes.__setitem__(name, method()), name=name)
        thread.start()
        return thread

    threads = [
        blocked("play", lambda: call.play_silence(600)),
        blocked("record", lambda: call.record(initial_timeout=600)),
        blocked("wait_for_ended", call.wait_for_ended),
    ]
    client._core.run(eventually, lambda: len(call._async._actions or ()) == 2 and bool(call._async._waiters), WAIT, "all blocked")
    client.close()
    for thread in threads:
        thread.join(WAIT)
        assert not thread.is_alive()
    assert isinstance(outcomes["play"], relay_sync.PlayResult) and outcomes["play"].error == "client closed"
    assert isinstance(outcomes["record"], relay_sync.RecordResult) and outcomes["record"].error == "client closed"
    assert outcomes["wait_for_ended"] is False
