"""play*, prompt*, record* and their _async twins, end to end against the simulator."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest

from relay_anyio import PlayAction, PlayResult, PromptAction, PromptResult, RecordAction, RecordResult
from relay_anyio.testing import Caller, RelaySimulator

from .conftest import Place, last_command, strip_ids

pytestmark = pytest.mark.anyio

TTS = {"type": "tts", "params": {"text": "Hello"}}

PLAY_CASES: list[tuple[str, tuple[Any, ...], dict[str, Any], dict[str, Any]]] = [
    (
        "play",
        ([{"type": "tts", "text": "Hi", "gender": "male"}, {"type": "silence", "duration": "1"},
          {"type": "audio", "url": "https://cdn.example.test/a.mp3"}, {"type": "ringtone", "name": "it"}],),
        {"volume": 6},
        {"play": [{"type": "tts", "params": {"text": "Hi", "gender": "male"}},
                  {"type": "silence", "params": {"duration": 1}},
                  {"type": "audio", "params": {"url": "https://cdn.example.test/a.mp3"}},
                  {"type": "ringtone", "params": {"name": "it"}}],
         "volume": 6},
    ),
    ("play_audio", ("https://cdn.example.test/a.mp3",), {},
     {"play": [{"type": "audio", "params": {"url": "https://cdn.example.test/a.mp3"}}]}),
    ("play_silence", (2,), {}, {"play": [{"type": "silence", "params": {"duration": 2}}]}),
    ("play_ringtone", (), {"name": "us", "duration": 3, "volume": -3},
     {"play": [{"type": "ringtone", "params": {"name": "us", "duration": 3}}], "volume": -3}),
    ("play_tts", (), {"text": "Welcome", "language": "en-GB", "gender": "female"},
     {"play": [{"type": "tts", "params": {"text": "Welcome", "language": "en-GB", "gender": "female"}}]}),
]


@pytest.mark.parametrize("method, args, kwargs, wire", PLAY_CASES, ids=[c[0] for c in PLAY_CASES])
async def test_play_methods(sim: RelaySimulator, place: Place, method: str, args: tuple, kwargs: dict, wire: dict) -> None:
    call, handle = await place()
    result = await getattr(call, method)(*args, **kwargs)
    assert isinstance(result, PlayResult)
    assert result.successful and result.event is not None
    assert result.event.name == "finished" and result.event.payload["state"] == "finished"
    sent = last_command(sim, "calling.play")
    assert strip_ids(sent) == wire
    assert sent["call_id"] == call.id and sent["node_id"] == call.node_id and sent["control_id"]
    assert [m["type"] for m in handle.heard][-len(wire["play"]):] == [m["type"] for m in wire["play"]]


@pytest.mark.parametrize("method, args, kwargs, wire", PLAY_CASES, ids=[c[0] for c in PLAY_CASES])
async def test_play_async_twins(sim: RelaySimulator, place: Place, method: str, args: tuple, kwargs: dict, wire: dict) -> None:
    call, _ = await place()
    action = await getattr(call, f"{method}_async")(*args, **kwargs)
    assert isinstance(action, PlayAction)
    assert action.control_id == last_command(sim, "calling.play")["control_id"]
    assert strip_ids(action.payload) == wire
    with anyio.fail_after(5):
        final = await action.wait()
    assert action.completed and final.successful and action.state == "finished"
    assert action.result == final


@pytest.mark.time_scale(1)
async def test_play_async_pause_resume_volume_stop(sim: RelaySimulator, place: Place) -> None:
    call, _ = await place()
    action = await call.play_silence_async(600)
    with anyio.fail_after(5):
        await sim.journal.wait_for(event="calling.call.play", count=1)
    assert (await action.pause()).successful
    assert last_command(sim, "calling.play.pause") == {"call_id": call.id, "node_id": call.node_id, "control_id": action.control_id}
    assert (await action.resume()).successful
    assert (await action.volume(-10)).successful
    assert last_command(sim, "calling.play.volume")["volume"] == -10
    assert not action.completed
    stop = await action.stop()
    assert stop.successful
    with anyio.fail_after(5):
        result = await action.wait()
    assert result.successful and action.state == "finished"
    assert last_command(sim, "calling.play.stop")["control_id"] == action.control_id
    stopped_again = await action.stop()
    assert not stopped_again.successful and "completed" in (stopped_again.error or "")


async def test_play_error_is_unsuccessful(place: Place) -> None:
    call, _ = await place()
    result = await call.play([{"type": "audio", "url": "https://media.invalid/a.mp3"}])  # the service cannot fetch it
    assert not result.successful and result.event is not None and result.event.name == "error"
    action = await call.play_audio_async("https://media.invalid/a.mp3")
    assert (await action.wait()).error == "play error" and action.state == "error"


PROMPT_CASES: list[tuple[str, tuple[Any, ...], dict[str, Any], list[dict[str, Any]]]] = [
    ("prompt", ("digits", [{"type": "tts", "text": "PIN?"}]), {}, [{"type": "tts", "params": {"text": "PIN?"}}]),
    ("prompt_audio", ("digits", "https://cdn.example.test/p.mp3"), {},
     [{"type": "audio", "params": {"url": "https://cdn.example.test/p.mp3"}}]),
    ("prompt_tts", ("digits", "PIN?"), {"gender": "male"}, [{"type": "tts", "params": {"text": "PIN?", "gender": "male"}}]),
    ("prompt_ringtone", ("digits", "uk"), {"duration": 2}, [{"type": "ringtone", "params": {"name": "uk", "duration": 2}}]),
]


@pytest.mark.parametrize("asynchronous", [False, True], ids=["wait", "async"])
@pytest.mark.parametrize("method, args, kwargs, media", PROMPT_CASES, ids=[c[0] for c in PROMPT_CASES])
async def test_prompt_digits(
    sim: RelaySimulator, place: Place, method: str, args: tuple, kwargs: dict, media: list, asynchronous: bool
) -> None:
    call, _ = await place(Caller(presses="1234#"))
    options = dict(kwargs, digits_max=4, digits_terminators="#", digits_timeout=3, initial_timeout=5, volume=2)
    if asynchronous:
        action = await getattr(call, f"{method}_async")(*args, **options)
        assert isinstance(action, PromptAction)
        with anyio.fail_after(5):
            result = await action.wait()
    else:
        result = await getattr(call, method)(*args, **options)
    assert isinstance(result, PromptResult)
    assert result.successful
    assert (result.prompt_type, result.result, result.terminator) == ("digit", "1234", "#")
    sent = last_command(sim, "calling.play_and_collect")
    assert strip_ids(sent) == {
        "play": media,
        "collect": {"initial_timeout": 5, "digits": {"max": 4, "terminators": "#", "digit_timeout": 3}},
        "volume": 2,
    }


async def test_prompt_speech(sim: RelaySimulator, place: Place) -> None:
    call, _ = await place(Caller(says="yes please"))
    result = await call.prompt_tts(
        prompt_type="speech", text="Say something", end_silence_timeout=1, speech_timeout=10,
        speech_language="en-US", speech_hints=["yes please", "no"],
    )
    assert result.successful and result.prompt_type == "speech"
    assert result.result == "yes please" and isinstance(result.confidence, float) and 0 < result.confidence <= 1
    assert last_command(sim, "calling.play_and_collect")["collect"] == {
        "speech": {"end_silence_timeout": 1, "speech_timeout": 10, "language": "en-US", "hints": ["yes please", "no"]}
    }


async def test_prompt_no_input_is_unsuccessful(place: Place) -> None:
    call, _ = await place(Caller())
    result = await call.prompt_tts(prompt_type="digits", text="PIN?", digits_max=4, initial_timeout=2)
    assert not result.successful and result.prompt_type == "no_input" and result.result is None


async def test_prompt_no_match(place: Place) -> None:
    call, _ = await place(Caller(says="banana"))
    result = await call.prompt_tts(prompt_type="speech", text="yes or no?", speech_hints=["yes", "no"])
    assert not result.successful and result.prompt_type == "no_match"


@pytest.mark.time_scale(1)
async def test_prompt_async_volume_and_stop(sim: RelaySimulator, place: Place) -> None:
    call, _ = await place(Caller())
    action = await call.prompt_async("digits", [{"type": "silence", "duration": 600}], digits_max=2)
    assert (await action.volume(5)).successful
    assert last_command(sim, "calling.play_and_collect.volume") == {
        "call_id": call.id, "node_id": call.node_id, "control_id": action.control_id, "volume": 5}
    assert (await action.stop()).successful
    with anyio.fail_after(5):
        result = await action.wait()
    assert not result.successful and action.completed


@pytest.mark.parametrize("asynchronous", [False, True], ids=["wait", "async"])
async def test_record_writes_a_real_file(sim: RelaySimulator, place: Place, asynchronous: bool) -> None:
    call, handle = await place(Caller(says="leave a message"))
    options = dict(beep=True, stereo=False, record_format="wav", direction="speak",
                   initial_timeout=3, end_silence_timeout=1, terminators="#")
    if asynchronous:
        action = await call.record_async(**options)
        assert isinstance(action, RecordAction) and action.url
        with anyio.fail_after(5):
            result = await action.wait()
        assert result.url == action.url
    else:
        result = await call.record(**options)
    assert isinstance(result, RecordResult) and result.successful
    assert result.duration and result.duration > 0 and result.size and result.size > 44
    assert strip_ids(last_command(sim, "calling.record")) == {
        "record": {"audio": {"beep": True, "format": "wav", "stereo": False, "direction": "speak",
                             "initial_timeout": 3, "end_silence_timeout": 1, "terminators": "#"}}
    }
    async with httpx.AsyncClient() as http:
        response = await http.get(result.url)
    assert response.status_code == 200
    assert response.content[:4] == b"RIFF" and len(response.content) == result.size


async def test_record_defaults_send_nothing_and_silence_is_no_input(sim: RelaySimulator, place: Place) -> None:
    call, _ = await place(Caller())
    result = await call.record()
    assert strip_ids(last_command(sim, "calling.record")) == {"record": {"audio": {}}}
    assert not result.successful and result.event is not None and result.event.payload["state"] == "no_input"


@pytest.mark.time_scale(1)
async def test_record_async_stop(sim: RelaySimulator, place: Place) -> None:
    call, _ = await place(Caller(says="a very long story " * 50))
    action = await call.record_async(end_silence_timeout=0)
    assert (await action.stop()).successful
    with anyio.fail_after(5):
        result = await action.wait()
    assert result.successful and result.url and action.state == "finished"
    assert last_command(sim, "calling.record.stop")["control_id"] == action.control_id
