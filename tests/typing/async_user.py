"""An asyncio/trio flow as a user writes it, with the type each object must have.

``tests/typing/test_static_types.py`` runs ``mypy --strict`` on this file; it
is never executed.
"""

from __future__ import annotations

from typing import assert_type

from relay_anyio import (
    Call,
    Client,
    ConnectResult,
    DetectAction,
    DetectResult,
    DialResult,
    Event,
    PlayAction,
    PlayResult,
    PlayVolumeResult,
    PromptResult,
    RecordAction,
    RecordResult,
    StopResult,
)


async def flow(client: Client) -> None:
    dial = await client.calling.dial(from_number="+15550000000", to_number="+15551230000")
    assert_type(dial, DialResult)
    call = dial.call
    assert_type(call, Call)
    assert_type(await call.play_tts(text="Hi"), PlayResult)
    pin = await call.prompt_tts("digits", "PIN?", digits_max=4)
    assert_type(pin, PromptResult)
    assert_type(pin.confidence, float | None)
    music = await call.play_audio_async("https://example.com/hold.mp3", volume=-6)
    assert_type(music, PlayAction)
    assert_type(await music.volume(3), PlayVolumeResult)
    assert_type(await music.stop(), StopResult)
    assert_type(await music.wait(), PlayResult)
    assert_type(music.result, PlayResult)
    detector = await call.amd_async(wait_for_beep=True)
    assert_type(detector, DetectAction)
    assert_type(await detector.wait(), DetectResult)
    recording = await call.record_async(beep=True, direction="both")
    assert_type(recording, RecordAction)
    assert_type((await recording.wait()).url, str | None)
    assert_type(await call.record(), RecordResult)
    connected = await call.connect([{"to_number": "+15551230001"}], ringback_list=[{"type": "ringtone", "name": "us"}])
    assert_type(connected, ConnectResult)
    assert_type(connected.call, Call | None)
    assert_type(call.peer, Call | None)
    assert_type(await call.wait_for("ending", "ended"), bool)

    def on_finished(event: Event) -> None:
        assert_type(event.name, str)

    assert_type(call.on("play.finished", on_finished), Call)


async def main() -> None:
    async with Client("project", "token", "example.signalwire.com", timeout=5) as client:
        await flow(client)


async def messages_and_tasks(client: Client) -> None:
    import relay_anyio

    sent = await client.messaging.send(context="office", from_number="+15550000000", to_number="+15551230000", body="Hi")
    assert_type(sent, relay_anyio.SendResult)
    delivery = await sent.wait_for_delivery(timeout=30)
    assert_type(delivery, relay_anyio.DeliveryResult)
    assert_type(delivery.message, relay_anyio.Message | None)
    assert_type(await client.tasking.receive("office", print), bool)
    assert_type(await relay_anyio.Task("project", "token").deliver("office", {"n": 1}), bool)
