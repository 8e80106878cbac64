"""Where the reference is silent, behave like the official ``signalwire`` 2.1.1 SDK.

One test per behaviour, named for it, so code written for the official SDK
runs unchanged.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from relay_anyio import Client
from relay_anyio.testing import Caller, RelaySimulator, busy, fax, human, machine

from ..helpers import eventually
from .conftest import Place, last_command, strip_ids

pytestmark = pytest.mark.anyio


# -- result.event: the event that finished the component, as the official SDK gives it --------


async def test_prompt_result_event_payload_is_the_collect_result(place: Place) -> None:
    call, _ = await place(Caller(presses="42#"))
    result = await call.prompt_tts("digits", "PIN?", digits_max=4, digits_terminators="#")
    assert result.event is not None and result.event.name == "digit"
    assert result.event.payload == {"type": "digit", "params": {"digits": "42", "terminator": "#"}}


async def test_detect_result_event_payload_is_the_detect_object(place: Place) -> None:
    call, _ = await place(machine(greeting=1.0))
    result = await call.amd()
    assert result.event is not None and result.event.name == "MACHINE"
    assert result.event.payload == {"type": "machine", "params": {"event": "MACHINE"}}


async def test_fax_result_event_payload_is_the_fax_object(place: Place) -> None:
    call, _ = await place(fax)
    result = await call.fax_receive()
    assert result.event is not None and result.event.name == "finished"
    assert result.event.payload["type"] == "finished"
    assert result.event.payload["params"]["success"] is True and result.event.payload["params"]["pages"] == 1


async def test_other_results_event_payload_is_the_events_params(place: Place) -> None:
    call, _ = await place(Caller(says="hi"))
    played = await call.play_silence(1)
    recorded = await call.record()
    digits = await call.send_digits("1")
    for result, state in ((played, "finished"), (recorded, "finished"), (digits, "finished")):
        assert result.event is not None and result.event.name == state
        assert result.event.payload["state"] == state and result.event.payload["call_id"] == call.id


async def test_an_action_ended_without_an_event_of_its_own_has_state_failed(sim: RelaySimulator, place: Place) -> None:
    call, _ = await place()
    sim.faults.refuse("calling.play", code="500", message="no")
    action = await call.play_silence_async(1)
    assert action.completed and action.state == "failed" and not action.result.successful


async def test_a_successful_prompt_action_has_state_successful(place: Place) -> None:
    call, _ = await place(Caller(presses="1"))
    action = await call.prompt_tts_async("digits", "x", digits_max=1)
    await action.wait()
    assert action.state == "successful"


# -- fax -------------------------------------------------------------------------------------


@pytest.mark.time_scale(1)
async def test_fax_result_fields_are_as_the_service_sends_them(sim: RelaySimulator, place: Place) -> None:
    call, handle = await place()
    action = await call.fax_receive_async()
    reported = {"direction": "receive", "identity": "+1", "remote_identity": "+2", "document": "https://x/f.pdf",
                "pages": "3", "success": False}
    handle.emit("calling.call.fax", {"control_id": action.control_id, "call_id": call.id, "node_id": call.node_id,
                                     "fax": {"type": "finished", "params": reported}})
    with anyio.fail_after(5):
        result = await action.wait()
    assert not result.successful
    assert (result.direction, result.identity, result.remote_identity, result.document, result.pages) == (
        "receive", "+1", "+2", "https://x/f.pdf", "3")


# -- connect -------------------------------------------------------------------------------------


async def test_connect_takes_the_official_ringback_list_keyword(sim: RelaySimulator, place: Place) -> None:
    call, _ = await place()
    result = await call.connect([{"to_number": "+15558000001"}], ringback_list=[{"type": "ringtone", "name": "us"}])
    assert result.successful
    assert last_command(sim, "calling.connect")["ringback"] == [{"type": "ringtone", "params": {"name": "us"}}]
    with pytest.raises(ValueError, match="ringback_list"):
        await call.connect_async([{"to_number": "+1"}], ringback=[], ringback_list=[])


async def test_connect_action_state_is_failed_after_a_failed_connect(sim: RelaySimulator, place: Place) -> None:
    sim.phone("+15558000002", caller=busy)
    call, _ = await place()
    action = await call.connect_async([{"to_number": "+15558000002"}])
    result = await action.wait()
    assert not result.successful and action.state == "failed" and result.call is None
    sim.faults.refuse("calling.connect", code="500", message="no")
    refused = await call.connect_async([{"to_number": "+15558000002"}])
    assert refused.completed and refused.state == "failed"


async def test_peer_is_none_after_disconnect(sim: RelaySimulator, place: Place) -> None:
    call, _ = await place()
    result = await call.connect([{"to_number": "+15558000003"}])
    assert result.successful and result.call is not None and call.peer is result.call
    disconnected = await call.disconnect()
    assert disconnected.successful and disconnected.event is not None and disconnected.event.name == "disconnected"
    assert call.peer is None


async def test_the_connected_peer_is_known_from_the_legs_state_events(sim: RelaySimulator, place: Place) -> None:
    """The simulator names the connecting call as ``peer`` in its legs' state events from ``created``
    on, so an SDK that only learns calls from them (the official one) finds the remote call."""
    call, handle = await place()
    result = await call.connect([{"to_number": "+15558000004"}])
    leg = sim.call(result.call.id if result.call else "")
    states = [e for e in sim.journal.events("calling.call.state") if e["call_id"] == leg.call_id]
    assert [e["call_state"] for e in states][:3] == ["created", "ringing", "answered"]
    assert all(e["peer"] == {"call_id": handle.call_id, "node_id": handle.node_id} for e in states)


# -- the call ------------------------------------------------------------------------------------------


async def test_call_device_is_the_official_shape(client: Client) -> None:
    call = client.calling.new_call(from_number="+15550000002", to_number="+15558000005", timeout=25)
    assert call.device == {"type": "phone", "params": {"from_number": "+15550000002", "to_number": "+15558000005",
                                                      "timeout": 25}}


async def test_a_failed_hangup_gives_the_reason_that_was_asked_for(sim: RelaySimulator, place: Place) -> None:
    call, _ = await place()
    sim.faults.refuse("calling.end", code="500", message="no")
    result = await call.hangup("busy")
    assert not result.successful and result.reason == "busy"
    done = await call.hangup()
    assert done.successful and done.reason == "hangup"
    again = await call.hangup("decline")
    assert not again.successful and again.reason == "decline"


async def test_wait_for_takes_a_list_as_the_official_sdk(place: Place) -> None:
    call, handle = await place()
    assert await call.wait_for(["created", "answered"])
    assert await call.wait_for(events=["answered"])
    handle.end("hangup")
    with anyio.fail_after(5):
        assert await call.wait_for(["ending", "ended"])


@pytest.mark.time_scale(1)
async def test_wait_for_returns_false_as_soon_as_the_state_can_no_longer_come(sim: RelaySimulator, client: Client) -> None:
    sim.phone("+15558000006", caller=human(answer_after=600))
    call = client.calling.new_call(from_number="+15550000002", to_number="+15558000006")
    answered: list[bool] = []
    async with anyio.create_task_group() as tg:
        tg.start_soon(call.dial)
        await eventually(lambda: call.state == "ringing", what="ringing")

        async def wait_answered() -> None:
            answered.append(await call.wait_for_answered())

        tg.start_soon(wait_answered)
        sim.call(call.id or "").set_state("ending", "cancel")  # ending, and not ended yet
        with anyio.fail_after(5):
            while not answered:
                await anyio.sleep(0)
        assert answered == [False] and not call.ended
        sim.call(call.id or "").set_state("ended", "cancel")


async def test_two_concurrent_answers_send_one_calling_answer(sim: RelaySimulator, place: Place) -> None:
    call, _ = await place(answer=False)
    results: list[Any] = []
    async with anyio.create_task_group() as tg:
        for _ in range(3):
            tg.start_soon(lambda: _append(results, call.answer()))
    assert len(results) == 3 and all(r.successful for r in results)
    assert len(sim.journal.commands("calling.answer")) == 1


async def _append(results: list[Any], awaitable: Any) -> None:
    results.append(await awaitable)


def _answer_sent(sim: RelaySimulator) -> Any:
    return eventually(lambda: len(sim.journal.commands("calling.answer")) == 1, what="calling.answer sent")


async def test_a_cancelled_concurrent_answer_leaves_the_first_to_its_answer(sim: RelaySimulator, place: Place) -> None:
    call, _ = await place(answer=False)
    held = sim.faults.hold("calling.answer")
    results: list[Any] = []
    second = anyio.CancelScope()

    async def cancelled_answer() -> None:
        with second:
            await call.answer()
        results.append("cancelled")

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(_append, results, call.answer())
            await _answer_sent(sim)
            tg.start_soon(cancelled_answer)
            await eventually(lambda: call._answering is not None and call._answering.waiters is not None)
            second.cancel()
            await eventually(lambda: results == ["cancelled"], what="the second answer() cancelled")
            assert call._answering is not None and call._answering.waiters is None  # it left no wake-up
            sim.faults.release(held)
    assert results[0] == "cancelled" and results[1].successful
    assert len(sim.journal.commands("calling.answer")) == 1


@pytest.mark.parametrize("end", ["client closed", "session lost"])
async def test_concurrent_answers_end_unsuccessful_when_the_client_closes_or_the_session_is_lost(end: str) -> None:
    results: list[Any] = []
    async with RelaySimulator(time_scale=0) as sim, anyio.create_task_group() as tg:
        async with Client(sim.project, sim.token, sim.url, timeout=5) as client:
            calls = anyio.create_memory_object_stream[Any](1)
            await client.calling.receive(["office"], calls[0].send)
            await sim.inbound_call(context="office")
            with anyio.fail_after(5):
                call = await calls[1].receive()
            sim.faults.hold("calling.answer")
            for _ in range(2):
                tg.start_soon(_append, results, call.answer())
            await _answer_sent(sim)
            await eventually(lambda: call._answering is not None and call._answering.waiters is not None)
            if end == "session lost":
                assert sim.faults.forget_sessions() == 1
                await eventually(lambda: len(results) == 2, what="both answers over")
            calls[0].close()
            calls[1].close()
        await eventually(lambda: len(results) == 2, what="both answers over")
    assert [r.successful for r in results] == [False, False]
    assert all(end in (r.error or "") for r in results), [r.error for r in results]


# -- the official SDK's positional orders -----------------------------------------------------------------


async def test_positional_arguments_in_the_official_order(sim: RelaySimulator, place: Place) -> None:
    call, _ = await place(Caller(presses="3"))
    tap = await call.tap_async("listen", "rtp", "10.0.0.9", 4002, 20)  # target_addr, target_port, target_ptime
    assert strip_ids(last_command(sim, "calling.tap"))["device"] == {
        "type": "rtp", "params": {"addr": "10.0.0.9", "port": 4002, "ptime": 20}}
    await tap.stop()
    digit = await call.detect_digit("3", 10)  # digits, timeout
    assert digit.result == "3"
    assert last_command(sim, "calling.detect") == {**last_command(sim, "calling.detect"), "timeout": 10}
    await call.detect_fax_async("CNG", 5)  # tone, timeout
    assert last_command(sim, "calling.detect")["detect"] == {"type": "fax", "params": {"tone": "CNG"}}
    await call.record_async("audio", True, "wav")  # record_type, beep, record_format
    assert last_command(sim, "calling.record")["record"] == {"audio": {"beep": True, "format": "wav"}}


@pytest.mark.time_scale(1)
async def test_play_states_the_reference_does_not_know_never_finish_a_play(sim: RelaySimulator, place: Place) -> None:
    call, handle = await place()
    seen: list[str] = []
    call.on("play.stateChange", lambda event: seen.append(event.name))
    with anyio.CancelScope() as scope:
        action = await call.play_silence_async(600)
        params = {"control_id": action.control_id, "call_id": call.id, "node_id": call.node_id}
        handle.emit("calling.call.play", {**params, "state": "paused"})
        await eventually(lambda: action.state == "paused", what="the odd state seen")
        assert not action.completed
        handle.emit("calling.call.play", {**params, "state": "finished"})
        with anyio.fail_after(5):
            assert (await action.wait()).successful
        scope.cancel()
    assert "paused" in seen
