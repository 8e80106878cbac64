"""Closing, Ctrl-C, errors crossing threads, and misuse from the event-loop thread."""

from __future__ import annotations

import _thread
import queue
import threading
import traceback
from typing import Any

import pytest

import relay_sync
from relay_sync import Client
from relay_sync.testing import Caller, Simulator

from ..helpers import eventually
from .conftest import WAIT, Place


def _interrupt_when(condition: Any) -> threading.Thread:
    """A thread that presses Ctrl-C (KeyboardInterrupt in the main thread) once ``condition()`` returns."""

    def run() -> None:
        condition()
        _thread.interrupt_main()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.sim_time_scale(1)
def test_ctrl_c_during_a_blocking_call_cancels_it_and_the_client_goes_on(sim: Simulator, place: Place) -> None:
    call, handle = place()
    presser = _interrupt_when(lambda: sim.journal.wait_for(method="calling.play", timeout=WAIT))
    with pytest.raises(KeyboardInterrupt):
        call.play_silence(600)  # ten minutes: only Ctrl-C ends this wait
    presser.join(WAIT)
    # the client is fine: the next blocking call works and the call is still up
    assert call.active and call.hangup().successful
    assert handle.ended(timeout=WAIT) == "hangup"


@pytest.mark.sim_time_scale(1)
def test_ctrl_c_inside_the_with_block_closes_everything(sim: Simulator, backend: str) -> None:
    inbox: queue.Queue[relay_sync.Call] = queue.Queue()
    client = Client(sim.project, sim.token, sim.url, backend=backend)
    presser = _interrupt_when(lambda: sim.journal.wait_for(method="calling.play", timeout=WAIT))
    with pytest.raises(KeyboardInterrupt), client:
        client.calling.receive("office", inbox.put)
        sim.inbound_call(context="office", caller=Caller(), timeout=WAIT)
        call = inbox.get(timeout=WAIT)
        assert call.answer().successful
        call.play_silence(600)  # ten minutes: only Ctrl-C ends this wait
    presser.join(WAIT)
    assert not client.connected
    with pytest.raises(relay_sync.ConnectionClosed, match="closed"):
        client.calling.new_call(from_number="+1", to_number="+2")
    # (no thread is left: the autouse no_leaked_threads fixture checks)


def test_a_thread_blocked_when_the_client_closes_is_woken_with_false(place: Place, client: Client) -> None:
    call, _ = place()
    outcome: list[object] = []

    def wait() -> None:
        try:
            outcome.append(call.wait_for_ended())
        except relay_sync.RelayError as exc:
            outcome.append(exc)

    waiter = threading.Thread(target=wait)
    waiter.start()
    client._core.run(eventually, lambda: bool(call._async._waiters), WAIT, "the wait pending in the portal")
    client.close()
    waiter.join(WAIT)
    assert outcome == [False]
    with pytest.raises(relay_sync.ConnectionClosed):
        call.play_tts(text="too late")
    client.close()  # idempotent


def test_errors_keep_their_type_and_traceback(sim: Simulator, place: Place) -> None:
    call, _ = place()
    with pytest.raises(relay_sync.InvalidArgument) as info:
        call.play_tts(text="hi", volume=100)
    assert isinstance(info.value, ValueError) and info.value.argument == "volume"
    frames = [frame.filename for frame in traceback.extract_tb(info.value.__traceback__)]
    assert any(f.endswith("test_shutdown.py") for f in frames)  # raised in this thread ...
    assert any("relay_anyio" in f for f in frames)  # ... with the core's frames where it began
    assert sim.journal.commands("calling.play") == []  # rejected before anything was sent


def test_bad_credentials_raise_authentication_error_and_leave_no_thread(sim: Simulator, backend: str) -> None:
    with pytest.raises(relay_sync.AuthenticationError), Client(sim.project, "wrong-token", sim.url, backend=backend):
        pass  # pragma: no cover
    assert len(sim.journal.filter(method="blade.connect", direction="in")) == 1


def test_blocking_from_the_event_loop_thread_is_refused(place: Place, client: Client) -> None:
    call, _ = place()
    portal = call._core.portal  # run a plain function on the client's own loop, as relay_anyio code would
    with pytest.raises(RuntimeError, match="use relay_anyio|await the relay_anyio method"):
        portal.call(lambda: call.play_tts(text="from the loop"))
    assert call.play_tts(text="from a thread").successful


def test_client_arguments_and_life_cycle_misuse(sim: Simulator) -> None:
    with pytest.raises(relay_sync.InvalidArgument, match="backend"):
        Client("p", "t", backend="curio")
    with pytest.raises(relay_sync.InvalidArgument, match="max_workers"):
        Client("p", "t", max_workers=0)
    client = Client(sim.project, sim.token, sim.url)
    with pytest.raises(relay_sync.ConnectionClosed, match="with Client"):
        client.calling  # noqa: B018
    with client:
        assert client.connected and client.url == sim.url and "connected" in repr(client)
        with pytest.raises(RuntimeError, match="once"):
            client.open()
    assert not client.connected



@pytest.mark.parametrize("end", ["client closed", "session lost"])
def test_concurrent_blocking_answers_are_woken_when_the_client_closes_or_the_session_is_lost(
    sim: Simulator, place: Place, client: Client, end: str
) -> None:
    call, _ = place(answer=False)
    sim.run(lambda relay: relay.faults.hold("calling.answer"))
    outcomes: queue.Queue[Any] = queue.Queue()
    threads = [threading.Thread(target=lambda: outcomes.put(call.answer())) for _ in range(2)]
    for thread in threads:
        thread.start()
    shared = lambda: call._async._answering  # noqa: E731
    client._core.run(
        eventually, lambda: shared() is not None and shared().waiters is not None, WAIT, "both answers waiting"
    )
    if end == "session lost":
        assert sim.run(lambda relay: relay.faults.forget_sessions()) == 1
    else:
        client.close()
    for thread in threads:
        thread.join(WAIT)
        assert not thread.is_alive()
    results = [outcomes.get(timeout=WAIT) for _ in range(2)]
    assert all(not r.successful and end in (r.error or "") for r in results), [r.error for r in results]
