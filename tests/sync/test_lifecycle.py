"""Dial, answer, hangup, wait_for*, on/off, connect/disconnect through the blocking face."""

from __future__ import annotations

import threading

import pytest

import relay_sync
from relay_sync import Call, Client, Event
from relay_sync.testing import Caller, Simulator, busy, no_answer

from .conftest import CONTEXT, WAIT, Place, last_command, strip_ids, wait_until


def test_new_call_dial_wait_for_and_hangup(sim: Simulator, client: Client) -> None:
    call = client.calling.new_call(from_number="+15550000002", to_number="+15557770001", timeout=25)
    assert isinstance(call, Call)
    assert call.state is None and call.id is None and call.timeout == 25 and call.call_type == "phone"
    result = call.dial()
    assert type(result) is relay_sync.DialResult and result.successful
    assert result.call is call  # the same sync wrapper, not the relay_anyio Call
    assert call.id and call.state == "answered" and call.answered and call.active and call.prev_state == "ringing"
    assert call.wait_for_ringing() and call.wait_for_answered() and call.wait_for("created", "answered")
    assert last_command(sim, "calling.begin") == {
        "tag": call.tag,
        "device": {"type": "phone", "params": {"from_number": "+15550000002", "to_number": "+15557770001", "timeout": 25}},
    }
    assert client.calling.calls == [call]
    hangup = call.hangup(reason="cancel")
    assert type(hangup) is relay_sync.HangupResult and hangup.successful and hangup.reason == "cancel"
    assert last_command(sim, "calling.end") == {"call_id": call.id, "node_id": call.node_id, "reason": "cancel"}
    assert call.wait_for_ending() and call.wait_for_ended() and call.ended and not call.active
    assert client.calling.calls == []


def test_calling_dial_busy_and_no_answer(sim: Simulator, client: Client) -> None:
    sim.phone("+15557770002", caller=busy)
    sim.phone("+15557770003", caller=no_answer)
    result = client.calling.dial(from_number="+15550000002", to_number="+15557770002")
    assert not result.successful and isinstance(result.call, Call)
    assert result.call.wait_for_ended()
    assert result.call.busy and result.call.failed and result.call.end_reason == "busy"
    assert not result.call.wait_for_answered()  # ended first: False, at once
    result = client.calling.dial(from_number="+15550000002", to_number="+15557770003", timeout=5)
    assert not result.successful and result.call is not None and result.call.wait_for_ended()
    assert result.call.end_reason == "noAnswer" and not result.call.busy


def test_answer_inbound_and_properties(sim: Simulator, place: Place) -> None:
    call, handle = place(answer=False)
    assert call.direction == "inbound" and call.context == CONTEXT and call.state == "created"
    assert call.from_number == "+15550000001" and call.to_number == "+15550000002" and call.id == handle.call_id
    result = call.answer()
    assert type(result) is relay_sync.AnswerResult and result.successful and call.answered
    assert result.event is not None and result.event.payload["call_state"] == "answered"
    assert last_command(sim, "calling.answer") == {"call_id": call.id, "node_id": call.node_id}
    assert handle.state == "answered"
    assert repr(call).startswith("<Call id=")


def test_on_callbacks_run_in_worker_threads_in_order_and_may_block(sim: Simulator, place: Place) -> None:
    call, _ = place(Caller(presses="1#"), answer=False)
    seen: list[str] = []
    threads: set[str] = set()
    played = threading.Event()
    ended = threading.Event()

    def on_state(event: Event) -> None:
        threads.add(threading.current_thread().name)
        seen.append(event.payload["call_state"])

    def on_answered() -> None:
        # a blocking method inside a callback: fine, it is a worker thread
        assert call.play_tts(text="from a callback").successful
        played.set()

    assert call.on("stateChange", on_state) is call
    call.on("answered", on_answered).on("ended", ended.set)
    call.answer()
    wait_until(played, "the answered callback's play")
    assert last_command(sim, "calling.play")["play"] == [{"type": "tts", "params": {"text": "from a callback"}}]
    call.off("stateChange", on_state)
    call.hangup()
    wait_until(ended, "the ended callback")
    assert seen == ["answered"]  # ending/ended came after off()
    assert threads and all(name.startswith("relay_sync-worker") for name in threads)


def test_off_without_callback_removes_all_and_bad_names_are_rejected(place: Place) -> None:
    call, _ = place()
    finished = threading.Event()
    calls: list[str] = []
    call.on("play.finished", lambda: calls.append("a")).on("play.finished", lambda: calls.append("b"))
    call.off("play.finished")
    call.on("play.finished", finished.set)
    call.play_silence(1)
    wait_until(finished, "play.finished")
    assert calls == []
    with pytest.raises(relay_sync.InvalidArgument, match="event"):
        call.on("play.done", lambda: None)
    with pytest.raises(relay_sync.InvalidArgumentType):
        call.on("answered", "not callable")  # type: ignore[arg-type]
    async def coroutine_function() -> None: ...
    with pytest.raises(TypeError, match="plain function"):
        call.on("answered", coroutine_function)


@pytest.mark.parametrize("mode", ["blocking", "async"])
def test_connect_peer_is_the_sync_call_and_disconnect(sim: Simulator, place: Place, mode: str) -> None:
    sim.phone("+15551110002", caller=busy)
    sim.phone("+15551110003", caller=Caller(answer_after=0.5))
    call, _ = place()
    devices = [[{"to_number": "+15551110002", "timeout": 5}, {"to_number": "+15551110003", "from_number": "+15550009999"}]]
    if mode == "blocking":
        result = call.connect(devices, ringback=[{"type": "ringtone", "name": "us"}])
    else:
        action = call.connect_async(devices, ringback=[{"type": "ringtone", "name": "us"}])
        assert type(action) is relay_sync.ConnectAction
        result = action.wait()
        assert action.result == result and action.result.call is call.peer
    assert type(result) is relay_sync.ConnectResult and result.successful
    assert isinstance(result.call, Call) and result.call is call.peer and result.call.to_number == "+15551110003"
    assert strip_ids(last_command(sim, "calling.connect")) == {
        "devices": [[{"type": "phone", "params": {"from_number": call.from_number, "to_number": "+15551110002", "timeout": 5}},
                     {"type": "phone", "params": {"from_number": "+15550009999", "to_number": "+15551110003"}}]],
        "ringback": [{"type": "ringtone", "params": {"name": "us"}}],
    }
    disconnected = threading.Event()
    call.on("connect.disconnected", disconnected.set)
    if mode == "blocking":
        outcome = call.disconnect()
        assert type(outcome) is relay_sync.DisconnectResult and outcome.successful
    else:
        assert action.stop().successful
    wait_until(disconnected, "connect.disconnected")
    assert last_command(sim, "calling.disconnect") == {"call_id": call.id, "node_id": call.node_id}


def test_wait_for_in_another_thread_wakes_when_the_far_end_hangs_up(place: Place) -> None:
    call, handle = place(Caller(hangs_up_after=1))
    outcome: list[bool] = []
    waiter = threading.Thread(target=lambda: outcome.append(call.wait_for_ended()))
    waiter.start()
    assert handle.ended(timeout=WAIT) == "hangup"
    waiter.join(WAIT)
    assert outcome == [True] and call.ended and call.end_reason == "hangup"


def test_the_simulators_call_handle_checks_its_arguments_before_waiting(place: Place) -> None:
    _call, handle = place(Caller())
    with pytest.raises(relay_sync.InvalidArgument, match="state"):
        handle.wait_for("hung up")
    with pytest.raises(relay_sync.InvalidArgument, match="timeout"):
        handle.ended(timeout=-1)
    with pytest.raises(TypeError):
        handle.ended(WAIT)  # type: ignore[misc]  # timeout is keyword-only
    assert handle.state == "answered"
