"""detect*, fax*, send_digits*, tap*, connect*/disconnect end to end."""

from __future__ import annotations

import anyio
import pytest

from relay_anyio import (
    Call,
    ConnectAction,
    ConnectResult,
    DetectAction,
    DetectResult,
    FaxAction,
    FaxResult,
    SendDigitsAction,
    SendDigitsResult,
    TapAction,
    TapResult,
)
from relay_anyio.testing import Caller, RelaySimulator, busy, fax, human, machine, no_answer

from .conftest import Place, last_command, strip_ids

pytestmark = pytest.mark.anyio


async def test_detect_answering_machine_waits_for_beep(sim: RelaySimulator, place: Place) -> None:
    call, _ = await place(machine(greeting=2.0, beep=True))
    result = await call.detect_answering_machine(wait_for_beep=True, timeout=40, initial_timeout=3,
                                                 end_silence_timeout=2, machine_voice_threshold=1.5,
                                                 machine_words_threshold=5)
    assert isinstance(result, DetectResult)
    assert result.successful and result.detect_type == "machine" and result.result == "MACHINE"
    assert result.event is not None and result.event.name == "READY"
    assert result.event.payload == {"type": "machine", "params": {"event": "READY"}}
    assert strip_ids(last_command(sim, "calling.detect")) == {
        "detect": {"type": "machine", "params": {"initial_timeout": 3, "end_silence_timeout": 2,
                                                 "machine_voice_threshold": 1.5, "machine_words_threshold": 5}},
        "timeout": 40,
    }


async def test_amd_alias_decides_at_once(sim: RelaySimulator, place: Place) -> None:
    call, _ = await place(machine(greeting=2.0, beep=True))
    result = await call.amd()
    assert result.successful and result.result == "MACHINE"
    assert result.event is not None and result.event.name == "MACHINE"
    assert result.event.payload == {"type": "machine", "params": {"event": "MACHINE"}}
    assert strip_ids(last_command(sim, "calling.detect")) == {"detect": {"type": "machine", "params": {}}}


async def test_detect_human(place: Place) -> None:
    call, _ = await place(human())
    result = await call.detect(detect_type="machine")
    assert result.successful and result.result == "HUMAN"


@pytest.mark.parametrize("method", ["detect_answering_machine_async", "amd_async"])
async def test_detect_async_collects_every_event(place: Place, method: str) -> None:
    call, _ = await place(machine(greeting=1.0, beep=True))
    action = await getattr(call, method)()
    assert isinstance(action, DetectAction)
    with anyio.fail_after(5):
        result = await action.wait()
    assert result.successful
    assert result.result == "MACHINE,NOT_READY,READY"


async def test_detect_fax_and_async_twin(sim: RelaySimulator, place: Place) -> None:
    call, _ = await place(fax)
    result = await call.detect_fax(tone="CED", timeout=10)
    assert result.successful and result.detect_type == "fax" and result.result == "CED"
    assert strip_ids(last_command(sim, "calling.detect")) == {"detect": {"type": "fax", "params": {"tone": "CED"}}, "timeout": 10}
    action = await call.detect_fax_async()
    with anyio.fail_after(5):
        final = await action.wait()
    assert final.detect_type == "fax" and "CED" in (final.result or "")


async def test_detect_digit_and_async_twin(sim: RelaySimulator, place: Place) -> None:
    call, _ = await place(Caller(presses="12"))
    result = await call.detect_digit(digits="123")
    assert result.successful and result.detect_type == "digit" and result.result and result.result.startswith("1")
    assert strip_ids(last_command(sim, "calling.detect")) == {"detect": {"type": "digit", "params": {"digits": "123"}}}


@pytest.mark.time_scale(1)
async def test_detect_async_stop(sim: RelaySimulator, place: Place) -> None:
    call, _ = await place(Caller())
    action = await call.detect_digit_async(timeout=600)
    assert (await action.stop()).successful
    with anyio.fail_after(5):
        result = await action.wait()
    assert action.completed and result.detect_type == "digit"
    assert last_command(sim, "calling.detect.stop")["control_id"] == action.control_id


async def test_detect_generic_async(place: Place) -> None:
    call, _ = await place(human())
    action = await call.detect_async(detect_type="machine", timeout=5)
    with anyio.fail_after(5):
        result = await action.wait()
    assert result.result is not None and result.result.startswith("HUMAN")


@pytest.mark.parametrize("asynchronous", [False, True], ids=["wait", "async"])
async def test_fax_send(sim: RelaySimulator, place: Place, asynchronous: bool) -> None:
    call, handle = await place(fax)
    doc = f"{sim.http_url}/fax/sample.pdf"
    if asynchronous:
        action = await call.fax_send_async(url=doc, identity="+15550000002", header="Demo")
        assert isinstance(action, FaxAction)
        with anyio.fail_after(5):
            result = await action.wait()
    else:
        result = await call.fax_send(document=doc, identity="+15550000002", header="Demo")
    assert isinstance(result, FaxResult) and result.successful
    assert result.direction == "send" and result.pages and result.pages >= 1 and result.document == doc
    assert strip_ids(last_command(sim, "calling.send_fax")) == {"document": doc, "identity": "+15550000002", "header_info": "Demo"}
    assert handle.faxes


@pytest.mark.parametrize("asynchronous", [False, True], ids=["wait", "async"])
async def test_fax_receive(sim: RelaySimulator, place: Place, asynchronous: bool) -> None:
    call, _ = await place(fax)
    if asynchronous:
        action = await call.fax_receive_async()
        with anyio.fail_after(5):
            result = await action.wait()
    else:
        result = await call.fax_receive()
    assert result.successful and result.direction == "receive" and result.pages and result.document
    assert strip_ids(last_command(sim, "calling.receive_fax")) == {}


async def test_fax_to_a_person_fails(place: Place) -> None:
    call, _ = await place(human())
    result = await call.fax_receive()
    assert not result.successful


@pytest.mark.parametrize("asynchronous", [False, True], ids=["wait", "async"])
async def test_send_digits(sim: RelaySimulator, place: Place, asynchronous: bool) -> None:
    call, handle = await place()
    if asynchronous:
        action = await call.send_digits_async("1w2W#")
        assert isinstance(action, SendDigitsAction)
        with anyio.fail_after(5):
            result = await action.wait()
    else:
        result = await call.send_digits("1w2W#")
    assert isinstance(result, SendDigitsResult) and result.successful
    assert strip_ids(last_command(sim, "calling.send_digits")) == {"digits": "1w2W#"}
    assert "12#" in handle.digits_received


@pytest.mark.time_scale(1)
async def test_tap_async_and_stop(sim: RelaySimulator, place: Place) -> None:
    call, _ = await place()
    action = await call.tap_async(audio_direction="both", target_type="rtp", target_addr="127.0.0.1",
                                  target_port=4000, target_ptime=20, codec="PCMU")
    assert isinstance(action, TapAction) and action.source_device and action.source_device.get("type")
    sent = strip_ids(last_command(sim, "calling.tap"))
    assert sent == {"tap": {"type": "audio", "params": {"direction": "both"}},
                    "device": {"type": "rtp", "params": {"addr": "127.0.0.1", "port": 4000, "ptime": 20, "codec": "PCMU"}}}
    assert (await action.stop()).successful
    with anyio.fail_after(5):
        result = await action.wait()
    assert isinstance(result, TapResult) and result.successful
    assert result.tap == sent["tap"] and result.destination_device == sent["device"]
    assert result.source_device == action.source_device


async def test_tap_waits_until_the_call_ends_and_is_successful(sim: RelaySimulator, place: Place) -> None:
    """tap() "waits until the end of the call": ended by the caller hanging up, it succeeded."""
    call, handle = await place()
    call.on("tap.tapping", lambda: handle.end("hangup"))  # the caller hangs up while tapped
    result = await call.tap(audio_direction="listen", target_type="ws", target_uri="wss://tap.example.test/x")
    assert result.successful and result.error is None and result.event is not None and result.event.name == "finished"
    with anyio.fail_after(5):
        assert await call.wait_for_ended()


async def test_tap_destination_device_is_what_the_service_reports(sim: RelaySimulator, place: Place) -> None:
    """Not the request echoed: the service's device, codec and ptime filled in."""
    call, handle = await place()
    call.on("tap.tapping", lambda: handle.end("hangup"))
    result = await call.tap("listen", "rtp", "10.1.2.3", 5004)
    assert strip_ids(last_command(sim, "calling.tap"))["device"] == {
        "type": "rtp", "params": {"addr": "10.1.2.3", "port": 5004}}
    assert result.destination_device == {
        "type": "rtp", "params": {"addr": "10.1.2.3", "port": 5004, "codec": "PCMU", "ptime": 20}}


@pytest.mark.parametrize("asynchronous", [False, True], ids=["wait", "async"])
async def test_connect_serial_then_parallel(sim: RelaySimulator, place: Place, asynchronous: bool) -> None:
    sim.phone("+15551110001", caller=no_answer)
    sim.phone("+15551110002", caller=busy)
    sim.phone("+15551110003", caller=Caller(answer_after=0.5))
    call, handle = await place()
    devices = [{"to_number": "+15551110001", "timeout": 5},
               [{"to_number": "+15551110002"}, {"to_number": "+15551110003", "from_number": "+15550009999"}]]
    ringback = [{"type": "ringtone", "name": "us"}]
    if asynchronous:
        action = await call.connect_async(devices, ringback=ringback)
        assert isinstance(action, ConnectAction)
        with anyio.fail_after(5):
            result = await action.wait()
    else:
        result = await call.connect(device_list=devices, ringback=ringback)
    assert isinstance(result, ConnectResult) and result.successful
    peer = result.call
    assert isinstance(peer, Call) and peer.to_number == "+15551110003" and peer is call.peer
    assert peer in [c for c in call._calling.calls]
    assert strip_ids(last_command(sim, "calling.connect")) == {
        "devices": [
            # from_number defaults to the originating call's own from_number (the reference)
            [{"type": "phone", "params": {"from_number": "+15550000001", "to_number": "+15551110001", "timeout": 5}}],
            [{"type": "phone", "params": {"from_number": "+15550000001", "to_number": "+15551110002"}},
             {"type": "phone", "params": {"from_number": "+15550009999", "to_number": "+15551110003"}}],
        ],
        "ringback": [{"type": "ringtone", "params": {"name": "us"}}],
    }
    disconnected = anyio.Event()
    call.on("connect.disconnected", disconnected.set)
    assert (await call.disconnect()).successful
    with anyio.fail_after(5):
        await disconnected.wait()
    assert last_command(sim, "calling.disconnect") == {"call_id": call.id, "node_id": call.node_id}


async def test_connect_fails_when_nobody_answers(sim: RelaySimulator, place: Place) -> None:
    sim.phone("+15551110002", caller=busy)
    call, _ = await place()
    result = await call.connect([{"to_number": "+15551110002"}])
    assert not result.successful and result.call is None
    assert result.event is not None and result.event.payload["connect_state"] == "failed"

