"""Dial, answer, hangup, wait_for, on/off, and what happens when calls end."""

from __future__ import annotations

import anyio
import pytest

from relay_anyio import AnswerResult, Call, Client, DialResult, Event, HangupResult
from relay_anyio.testing import Caller, RelaySimulator, busy, no_answer

from ..helpers import eventually
from .conftest import Place, last_command

pytestmark = pytest.mark.anyio


async def test_new_call_and_dial(sim: RelaySimulator, client: Client) -> None:
    call = client.calling.new_call(from_number="+15550000002", to_number="+15557770001", timeout=25)
    assert call.state is None and call.id is None and call.timeout == 25 and call.call_type == "phone"
    result = await call.dial()
    assert isinstance(result, DialResult) and result.successful and result.call is call
    assert call.id and call.state == "answered" and call.answered and call.active and not call.ended
    assert call.prev_state == "ringing"
    sent = last_command(sim, "calling.begin")
    assert sent == {
        "tag": call.tag,
        "device": {"type": "phone", "params": {"from_number": "+15550000002", "to_number": "+15557770001", "timeout": 25}},
    }
    assert call in client.calling.calls
    hangup = await call.hangup()
    assert isinstance(hangup, HangupResult) and hangup.successful and hangup.reason == "hangup"
    assert last_command(sim, "calling.end") == {"call_id": call.id, "node_id": call.node_id, "reason": "hangup"}
    assert call.ended and not call.active and call not in client.calling.calls


async def test_calling_dial_shortcut_and_busy(sim: RelaySimulator, client: Client) -> None:
    sim.phone("+15557770002", caller=busy)
    result = await client.calling.dial(from_number="+15550000002", to_number="+15557770002")
    assert not result.successful and result.call is not None
    assert result.call.busy and result.call.failed and result.call.end_reason == "busy"
    assert "timeout" not in last_command(sim, "calling.begin")["device"]["params"]


async def test_dial_no_answer(sim: RelaySimulator, client: Client) -> None:
    sim.phone("+15557770003", caller=no_answer)
    result = await client.calling.dial(from_number="+15550000002", to_number="+15557770003", timeout=5)
    assert not result.successful and result.call is not None
    assert result.call.end_reason == "noAnswer" and result.call.failed and not result.call.busy


async def test_dial_twice_is_refused_before_sending(client: Client) -> None:
    call = client.calling.new_call(from_number="+1555", to_number="+1556")
    assert (await call.dial()).successful
    with pytest.raises(ValueError):
        await call.dial()


async def test_answer_inbound(sim: RelaySimulator, place: Place) -> None:
    call, handle = await place(answer=False)
    assert call.direction == "inbound" and call.context == "tests" and call.state == "created"
    assert call.from_number == "+15550000001" and call.to_number == "+15550000002"
    result = await call.answer()
    assert isinstance(result, AnswerResult) and result.successful
    assert result.event is not None and result.event.payload["call_state"] == "answered"
    assert last_command(sim, "calling.answer") == {"call_id": call.id, "node_id": call.node_id}
    assert handle.reached("answered")
    assert (await call.answer()).successful  # answering twice is harmless, nothing sent again
    assert len(sim.journal.commands("calling.answer")) == 1


async def test_wait_for_semantics(place: Place) -> None:
    call, handle = await place(Caller(hangs_up_after=1))
    assert await call.wait_for("created")  # passed already
    assert await call.wait_for_ringing()  # implied by answered
    assert await call.wait_for_answered()
    with anyio.fail_after(5):
        assert await call.wait_for("ending", "ended")
    assert await call.wait_for_ending() and await call.wait_for_ended()
    assert call.end_reason == "hangup"


async def test_wait_for_a_state_never_reached_returns_false(sim: RelaySimulator, client: Client) -> None:
    sim.phone("+15557770004", caller=busy)
    call = client.calling.new_call(from_number="+1555", to_number="+15557770004")
    async with anyio.create_task_group() as tg:
        outcome: dict[str, bool] = {}

        async def waiter() -> None:
            outcome["answered"] = await call.wait_for_answered()

        tg.start_soon(waiter)
        await call.dial()
    assert outcome == {"answered": False}
    assert not await call.wait_for("answered")


async def test_wait_for_rejects_unknown_states(place: Place) -> None:
    call, _ = await place()
    with pytest.raises(ValueError, match="events"):
        await call.wait_for("picked_up")
    with pytest.raises(ValueError):
        await call.wait_for()


async def test_on_off_for_state_and_component_events(place: Place) -> None:
    call, _ = await place(Caller(presses="1#"))
    seen: list[str] = []
    payloads: list[Event] = []

    def record(event: Event) -> None:
        seen.append(event.name + ":" + str(event.payload.get("state", event.payload.get("call_state"))))
        payloads.append(event)

    async def async_cb(event: Event) -> None:
        seen.append("async-finished")

    def no_args() -> None:
        seen.append("no-args")

    assert call.on("play.playing", record) is call
    call.on("play.finished", async_cb).on("play.stateChange", no_args).on("prompt", record)
    await call.play_tts(text="hi")
    await call.prompt_tts(prompt_type="digits", text="x", digits_max=1)
    with anyio.fail_after(5):
        while "async-finished" not in seen:
            await anyio.sleep(0)
    assert "playing:playing" in seen and seen.count("no-args") == 2
    assert any(e.name == "digit" and e["result"]["params"]["digits"] == "1" for e in payloads)
    call.off("play.playing", record).off("play.stateChange")
    seen.clear()
    await call.play_tts(text="again")
    with anyio.fail_after(5):
        while "async-finished" not in seen:
            await anyio.sleep(0)
    assert seen == ["async-finished"]


async def test_on_rejects_unknown_event_names(place: Place) -> None:
    call, _ = await place()
    with pytest.raises(ValueError, match="event"):
        call.on("play.done", lambda: None)
    with pytest.raises(TypeError):
        call.on("answered", "not callable")  # type: ignore[arg-type]


async def test_state_events_and_ended_callback(place: Place) -> None:
    call, handle = await place(Caller(hangs_up_after=1), answer=False)
    states: list[str] = []
    ended = anyio.Event()
    call.on("stateChange", lambda e: states.append(e.payload["call_state"]))
    call.on("ended", ended.set)
    await call.answer()
    with anyio.fail_after(5):
        await ended.wait()
    assert states == ["answered", "ending", "ended"]


@pytest.mark.time_scale(1)
async def test_caller_hanging_up_reports_each_running_component_first(sim: RelaySimulator, place: Place) -> None:
    """As the service does: a finished event for each component (the recording kept), then ending/ended."""
    call, handle = await place(Caller(says="hello", message_seconds=600))
    play = await call.play_silence_async(600)
    record = await call.record_async()
    tap = await call.tap_async("listen", "rtp", "127.0.0.1", 5000)
    await eventually(lambda: record.state == "recording" and tap.state == "tapping", what="components running")
    handle.end("hangup")  # the caller hangs up
    with anyio.fail_after(5):
        played, recorded, tapped = await play.wait(), await record.wait(), await tap.wait()
    assert played.successful and tapped.successful
    assert recorded.successful and recorded.url and recorded.duration is not None and recorded.size
    with anyio.fail_after(5):
        assert await call.wait_for_ended()
    assert call.end_reason == "hangup"
    after = await call.play_tts(text="too late")
    assert not after.successful and after.error == "call has ended"


@pytest.mark.time_scale(1)
async def test_ended_call_finishes_components_the_service_did_not_report(sim: RelaySimulator, place: Place) -> None:
    call, handle = await place()
    play = await call.play_silence_async(600)
    detect = await call.detect_digit_async(timeout=600)
    await eventually(lambda: play.state == "playing", what="play running")
    handle.set_state("ending", "hangup")  # a service that reports only the call's own end
    handle.set_state("ended", "hangup")
    with anyio.fail_after(5):
        results = [await play.wait(), await detect.wait()]
    assert all(not r.successful and r.error == "call ended" for r in results)
    assert play.state == detect.state == "failed"


async def test_refused_command_is_an_unsuccessful_result(sim: RelaySimulator, place: Place) -> None:
    call, _ = await place()
    sim.faults.refuse("calling.play", code="500", message="media server on fire")
    result = await call.play_tts(text="hi")
    assert not result.successful and "media server on fire" in (result.error or "")
    action = await call.play_tts_async(text="hi again")
    assert not action.completed or action.result.successful  # the rule fired once
    await action.wait()


async def test_refused_async_start_is_a_completed_action(sim: RelaySimulator, place: Place) -> None:
    call, _ = await place()
    sim.faults.refuse("calling.record", code="403", message="not allowed")
    action = await call.record_async()
    assert action.completed and not action.result.successful and "403" in (action.result.error or "")


async def test_hangup_of_an_ended_call(place: Place) -> None:
    call, _ = await place()
    assert (await call.hangup()).successful
    again = await call.hangup()
    assert not again.successful and again.reason == "hangup"
    with pytest.raises(ValueError, match="reason"):
        await call.hangup(reason="because")


async def test_inbound_handler_errors_do_not_stop_other_calls(sim: RelaySimulator, client: Client) -> None:
    answered: list[str] = []
    done = anyio.Event()

    async def handler(call: Call) -> None:
        if call.from_number == "+15550000666":
            raise RuntimeError("handler bug")
        await call.answer()
        answered.append(call.id or "")
        done.set()

    await client.calling.receive("errors", handler)
    bad = await sim.inbound_call(context="errors", from_number="+15550000666", to_number="+1", caller=Caller(hangs_up_after=1))
    good = await sim.inbound_call(context="errors", from_number="+15550000777", to_number="+1", caller=Caller(hangs_up_after=1))
    with anyio.fail_after(5):
        await done.wait()
    assert answered == [good.call_id]
    assert not bad.reached("answered")


async def test_slow_handler_does_not_block_other_calls(sim: RelaySimulator, client: Client) -> None:
    release = anyio.Event()
    answered = anyio.Event()

    async def handler(call: Call) -> None:
        if call.from_number == "+1slow":
            await release.wait()
        else:
            await call.answer()
            answered.set()

    await client.calling.receive(["slow"], handler)
    await sim.inbound_call(context="slow", from_number="+1slow", to_number="+1", caller=Caller())
    await sim.inbound_call(context="slow", from_number="+1fast", to_number="+1", caller=Caller())
    with anyio.fail_after(5):
        await answered.wait()
    release.set()

