"""Bad arguments raise before anything is sent, naming the argument."""

from __future__ import annotations

from typing import Any

import pytest

from relay_anyio import Client, InvalidArgument, InvalidArgumentType, RelayError
from relay_anyio.testing import RelaySimulator

from .conftest import Place

pytestmark = pytest.mark.anyio

CASES: list[tuple[str, tuple[Any, ...], dict[str, Any], str]] = [
    ("send_digits", ("12x",), {}, "digits"),
    ("send_digits_async", ("",), {}, "digits"),
    ("prompt", ("dtmf", [{"type": "tts", "text": "x"}]), {}, "prompt_type"),
    ("prompt_tts", ("digits", "x"), {}, "digits_max"),
    ("prompt_audio_async", ("digits", "https://x/a.mp3"), {"digits_max": 2, "digits_terminators": "?"}, "digits_terminators"),
    ("detect", ("voice",), {}, "detect_type"),
    ("detect_fax", (), {"tone": "BEEP"}, "tone"),
    ("detect_digit_async", (), {"digits": "12z"}, "digits"),
    ("detect", ("fax",), {"wait_for_beep": True}, "wait_for_beep"),
    ("play", ([{"type": "video", "url": "x"}],), {}, "media_list[].type"),
    ("play", ([{"type": "tts"}],), {}, "media_list[].text"),
    ("play_async", ([{"type": "audio"}],), {}, "media_list[].url"),
    ("play_ringtone", ("mars",), {}, "media_list[].name"),
    ("prompt_ringtone_async", ("digits", "xx"), {"digits_max": 1}, "media_list[].name"),
    ("play_tts", ("hi",), {"volume": 41}, "volume"),
    ("play_audio_async", ("https://x/a.mp3",), {"volume": -40.5}, "volume"),
    ("play_tts", ("hi",), {"gender": "robot"}, "media_list[].gender"),
    ("record", (), {"record_format": "ogg"}, "record_format"),
    ("record_async", (), {"direction": "up"}, "direction"),
    ("record", (), {"terminators": "x"}, "terminators"),
    ("tap", ("sideways",), {"target_addr": "127.0.0.1", "target_port": 9}, "audio_direction"),
    ("tap_async", ("listen",), {"target_type": "sip"}, "target_type"),
    ("tap", ("listen",), {"target_type": "rtp"}, "target_addr"),
    ("connect", ([],), {}, "device_list"),
    ("connect_async", ([{"from_number": "+1"}],), {}, "device_list[].to_number"),
    ("connect", ([{"to_number": "+1", "call_type": "sip"}],), {}, "device_list[].call_type"),
    ("fax_send", ("ftp://x/doc.pdf",), {}, "document"),
    ("hangup", ("because",), {}, "reason"),
]


@pytest.mark.parametrize("method, args, kwargs, argument", CASES, ids=[f"{c[0]}-{c[3]}" for c in CASES])
async def test_bad_argument_is_rejected_before_sending(
    sim: RelaySimulator, place: Place, method: str, args: tuple, kwargs: dict, argument: str
) -> None:
    call, _ = await place()
    before = len(sim.journal.filter(direction="in"))
    with pytest.raises((InvalidArgument, InvalidArgumentType)) as info:
        await getattr(call, method)(*args, **kwargs)
    assert info.value.argument == argument
    assert argument.split("[")[0] in str(info.value)
    assert isinstance(info.value, RelayError)
    assert len(sim.journal.filter(direction="in")) == before, "something was sent"


async def test_volume_type_and_action_volume_range(place: Place) -> None:
    call, _ = await place()
    with pytest.raises(InvalidArgumentType):
        await call.play_tts(text="x", volume="loud")  # type: ignore[arg-type]
    action = await call.play_tts_async(text="x")
    with pytest.raises(InvalidArgument, match="volume"):
        await action.volume(99)


async def test_new_call_validation(client: Client) -> None:
    with pytest.raises(InvalidArgument, match="call_type"):
        client.calling.new_call(from_number="+1", to_number="+2", call_type="sip")
    with pytest.raises(InvalidArgumentType, match="to_number"):
        client.calling.new_call(from_number="+1", to_number=5)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="timeout"):
        client.calling.new_call(from_number="+1", to_number="+2", timeout=0)
    with pytest.raises(InvalidArgument, match="contexts"):
        await client.calling.receive([], lambda call: None)
    with pytest.raises(InvalidArgumentType, match="handler"):
        await client.calling.receive(["x"], "handler")  # type: ignore[arg-type]
